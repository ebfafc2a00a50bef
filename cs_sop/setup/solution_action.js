// cs_sop: complaint-procedure actions in the Helpdesk agent UI (HD Form Script, shipped by cs_sop).
// "Solution" menu: propose a solution, list the ticket's solutions and act on one (submit for
// approval, approve, reject, send to the customer, Knowledge Base draft); "Send progress update".
// Every rule is checked by the server (cs_sop.api.complaint, cs_sop.complaint): a refused action shows
// the server's message in the dialog and as a toast.
function setupForm({ doc, call, $dialog, toast }) {
	const _ = (s) => (typeof __ === "function" ? __(s) : s);
	const box = "width:100%;border:1px solid #ddd;border-radius:6px;padding:6px;margin-top:4px";
	const esc = (s) =>
		String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
	const byId = (id) => document.getElementById(id);
	const errorText = (err) => {
		const m = err && (err.messages || [])[0];
		return m || (err && err.message) || String(err);
	};
	const fail = (err) => {
		const msg = errorText(err);
		const out = byId("cs-sop-sol-error");
		if (out) out.textContent = msg;
		if (toast && toast.error) toast.error(msg);
	};
	const done = (message, close) => {
		if (toast && toast.success) toast.success(message);
		if (close) close();
		setTimeout(() => window.location.reload(), 700);
	};
	const errorBox = `<p id="cs-sop-sol-error" role="alert" style="color:#c0392b;margin-top:8px"></p>`;

	function proposeDialog() {
		$dialog({
			title: _("Propose Solution"),
			html: `
				<label style="display:block;margin-top:8px">${_("Solution")}</label>
				<textarea id="cs-sop-sol-description" rows="5" style="${box}"></textarea>
				<label style="display:block;margin-top:8px">${_("Action Owner")}</label>
				<input id="cs-sop-sol-owner" type="email" placeholder="user@example.com" style="${box}">
				<label style="display:block;margin-top:8px">${_("Cost and Impact")}</label>
				<textarea id="cs-sop-sol-cost" rows="2" style="${box}"></textarea>
				${errorBox}`,
			actions: [
				{
					label: _("Propose"),
					variant: "solid",
					onClick({ close }) {
						call("cs_sop.api.complaint.propose", {
							ticket: doc.name,
							description: byId("cs-sop-sol-description").value,
							action_owner: byId("cs-sop-sol-owner").value || null,
							cost_impact: byId("cs-sop-sol-cost").value,
						})
							.then((name) => done(_("Solution proposed") + ": " + name, close))
							.catch(fail);
					},
				},
			],
		});
	}

	function solutionsDialog(rows) {
		if (!rows.length) {
			if (toast && toast.info) toast.info(_("No solutions yet: propose one first."));
			else proposeDialog();
			return;
		}
		const options = rows
			.map((r) => `<option value="${esc(r.name)}">${esc(r.name)} — ${esc(_(r.status))}</option>`)
			.join("");
		const details = rows
			.map(
				(r) => `
				<div data-solution="${esc(r.name)}" class="cs-sop-sol-row" style="border-top:1px solid #eee;padding:6px 0">
					<b>${esc(r.name)}</b> · <span class="cs-sop-sol-status">${esc(_(r.status))}</span>
					<div style="white-space:pre-wrap">${esc((r.description || "").replace(/<[^>]+>/g, " ").trim())}</div>
					${r.rejection_reason ? `<div>${_("Rejection Reason")}: ${esc(r.rejection_reason)}</div>` : ""}
					${r.approver_user || r.approver_role ? `<div>${_("Approver")}: ${esc(r.approver_user || r.approver_role)}</div>` : ""}
				</div>`
			)
			.join("");
		const selected = () => byId("cs-sop-sol-pick").value;
		const act = (method, args, message) => ({ close }) =>
			call(method, { solution: selected(), ...args })
				.then(() => done(message, close))
				.catch(fail);
		$dialog({
			title: _("Solutions"),
			html: `
				<label style="display:block">${_("Solution")}</label>
				<select id="cs-sop-sol-pick" style="${box}">${options}</select>
				<label style="display:block;margin-top:8px">${_("Rejection Reason")}</label>
				<textarea id="cs-sop-sol-reason" rows="2" style="${box}"></textarea>
				${errorBox}
				<div style="max-height:240px;overflow:auto;margin-top:8px">${details}</div>`,
			actions: [
				{
					label: _("Submit for Approval"),
					onClick: act("cs_sop.api.complaint.submit_for_approval", {}, _("Submitted for approval")),
				},
				{ label: _("Approve"), variant: "solid", onClick: act("cs_sop.api.complaint.approve", {}, _("Approved")) },
				{
					label: _("Reject"),
					theme: "red",
					onClick({ close }) {
						act("cs_sop.api.complaint.reject", { reason: byId("cs-sop-sol-reason").value }, _("Rejected"))({ close });
					},
				},
				{
					label: _("Send to Customer"),
					variant: "solid",
					onClick: act("cs_sop.api.complaint.send_solution", {}, _("Solution sent to the customer")),
				},
				{
					label: _("Create Knowledge Base Draft"),
					onClick: act("cs_sop.api.complaint.create_kb_draft", {}, _("Knowledge Base draft created")),
				},
			],
		});
	}

	function progressDialog(preview) {
		$dialog({
			title: _("Send Progress Update"),
			html: `
				<p style="color:#666">${esc(preview.subject)}</p>
				<textarea id="cs-sop-progress" rows="10" style="${box}">${esc(preview.message)}</textarea>
				${errorBox}`,
			actions: [
				{
					label: _("Send"),
					variant: "solid",
					onClick({ close }) {
						call("cs_sop.api.complaint.send_progress_update", { ticket: doc.name, message: byId("cs-sop-progress").value })
							.then(() => done(_("Progress update sent"), close))
							.catch(fail);
					},
				},
			],
		});
	}

	const listSolutions = () =>
		call("cs_sop.api.complaint.solutions_for_ticket", { ticket: doc.name }).then(solutionsDialog).catch(fail);
	const previewProgress = () =>
		call("cs_sop.api.complaint.progress_update_preview", { ticket: doc.name }).then(progressDialog).catch(fail);

	return {
		actions: [
			{
				// a labelled menu in the ticket header: Helpdesk passes this object to a Dropdown
				group: _("Solution"),
				hideLabel: true,
				buttonLabel: _("Solution"),
				items: [
					{ label: _("Propose Solution"), onClick: proposeDialog },
					{ label: _("Solutions"), onClick: listSolutions },
				],
			},
			{ label: _("Send Progress Update"), onClick: previewProgress },
		],
	};
}
