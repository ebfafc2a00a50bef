// cs_sop: "Resolve" and "Record Confirmation" actions in the Helpdesk agent UI (HD Form Script).
// Resolve opens the SOP closure form (resolution summary; root cause for complaints) and calls
// cs_sop.api.closure.resolve_ticket. Record Confirmation records the customer's answer given by phone
// or in person (cs_sop.api.closure.confirm_resolution). Close with Exception: a supervisor closes without the
// customer's confirmation, with a reason (cs_sop.api.closure.close_with_exception).
function setupForm({ doc, call, $dialog, toast }) {
	const t = (s) => (typeof __ === "function" ? __(s) : s);
	const field = "width:100%;border:1px solid #ddd;border-radius:6px;padding:6px;margin-top:4px";
	const label = (id, text) => `<label for="${id}" style="display:block;margin-top:10px;font-weight:500">${text}</label>`;
	const esc = (s) => String(s || "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
	const text = (html) => {
		const div = document.createElement("div");
		div.innerHTML = html || "";
		return div.textContent || "";
	};
	const fail = (err) => {
		const msg = (err && (err.messages || [])[0]) || String(err);
		if (toast && toast.error) toast.error(msg);
		const box = document.getElementById("cs-sop-closure-error");
		if (box) box.textContent = text(msg);
	};
	const done = (msg, close) => {
		if (toast && toast.success) toast.success(msg);
		close();
		setTimeout(() => window.location.reload(), 600);
	};
	const complaint = doc.sop_request_type === "Complaint";
	const resolveHtml = `
		<p style="color:#555">${t("The customer receives this summary with a request to confirm the resolution.")}</p>
		${label("cs-sop-resolution", t("Resolution Summary") + " *")}
		<textarea id="cs-sop-resolution" rows="5" style="${field}" aria-required="true">${esc(text(doc.resolution_details))}</textarea>
		${label("cs-sop-root-cause", t("Root Cause") + (complaint ? " *" : ""))}
		<textarea id="cs-sop-root-cause" rows="3" style="${field}" ${complaint ? 'aria-required="true"' : ""}>${esc(doc.sop_root_cause)}</textarea>
		<p id="cs-sop-closure-error" role="alert" style="color:#b91c1c;margin-top:8px"></p>`;
	const confirmHtml = `
		${label("cs-sop-answer", t("Customer's answer"))}
		<select id="cs-sop-answer" style="${field}">
			<option value="1">${t("Yes, it is resolved")}</option>
			<option value="0">${t("No, not yet")}</option>
		</select>
		${label("cs-sop-via", t("Confirmed Via"))}
		<select id="cs-sop-via" style="${field}">
			<option value="Phone">${t("Phone")}</option>
			<option value="In Person">${t("In Person")}</option>
		</select>
		${label("cs-sop-reason", t("Reason (when not resolved)"))}
		<textarea id="cs-sop-reason" rows="3" style="${field}"></textarea>
		<p id="cs-sop-closure-error" role="alert" style="color:#b91c1c;margin-top:8px"></p>`;
	const actions = [];
	if (doc.status_category !== "Resolved") {
		actions.push({
			label: t("Resolve"),
			onClick() {
				$dialog({
					title: t("Closure form"),
					html: resolveHtml,
					actions: [
						{
							label: t("Resolve"),
							variant: "solid",
							onClick({ close }) {
								const resolution = document.getElementById("cs-sop-resolution").value;
								const root_cause = document.getElementById("cs-sop-root-cause").value;
								const html = resolution
									.split(/\n+/)
									.map((p) => `<p>${esc(p)}</p>`)
									.join("");
								call("cs_sop.api.closure.resolve_ticket", { ticket: doc.name, resolution: html, root_cause })
									.then(() => done(t("Resolved"), close))
									.catch(fail);
							},
						},
					],
				});
			},
		});
	}
	if (doc.status_category === "Resolved" && doc.status !== "Closed" && doc.sop_resolution_confirmed === "Awaiting") {
		actions.push({
			label: t("Record Confirmation"),
			onClick() {
				$dialog({
					title: t("Record the customer's confirmation"),
					html: confirmHtml,
					actions: [
						{
							label: t("Save"),
							variant: "solid",
							onClick({ close }) {
								call("cs_sop.api.closure.confirm_resolution", {
									ticket: doc.name,
									resolved: document.getElementById("cs-sop-answer").value === "1",
									via: document.getElementById("cs-sop-via").value,
									reason: document.getElementById("cs-sop-reason").value,
								})
									.then(() => done(t("Saved"), close))
									.catch(fail);
							},
						},
					],
				});
			},
		});
	}
	if (doc.status !== "Closed") {
		// supervisors only (the server checks): closing without the customer's confirmation
		actions.push({
			label: t("Close with Exception"),
			onClick() {
				$dialog({
					title: t("Close without the customer's confirmation"),
					html: `
						<p style="color:#555">${t("Only a supervisor may close a ticket without the customer's confirmation. The reason is recorded on the ticket and in the reports.")}</p>
						${label("cs-sop-exception-reason", t("Reason") + " *")}
						<textarea id="cs-sop-exception-reason" rows="3" style="${field}" aria-required="true"></textarea>
						<p id="cs-sop-closure-error" role="alert" style="color:#b91c1c;margin-top:8px"></p>`,
					actions: [
						{
							label: t("Close Ticket"),
							variant: "solid",
							onClick({ close }) {
								call("cs_sop.api.closure.close_with_exception", {
									ticket: doc.name,
									reason: document.getElementById("cs-sop-exception-reason").value,
								})
									.then(() => done(t("Closed"), close))
									.catch(fail);
							},
						},
					],
				});
			},
		});
	}
	return { actions };
}
