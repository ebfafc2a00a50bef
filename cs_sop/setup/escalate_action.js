// cs_sop: "Escalate" action in the Helpdesk agent UI (HD Form Script, shipped by cs_sop).
// Opens the SOP escalation form (reason + case summary) and calls cs_sop.api.escalation.escalate.
function setupForm({ doc, call, $dialog, toast }) {
	const t = (s) => (typeof __ === "function" ? __(s) : s);
	const reasons = ["Complexity", "Customer Request", "Recurring Complaint", "SLA Breach"];
	const field = "width:100%;border:1px solid #ddd;border-radius:6px;padding:6px;margin-top:4px";
	const html = `
		<label style="display:block;margin-top:8px">${t("Reason")}</label>
		<select id="cs-sop-esc-reason" style="${field}">
			${reasons.map((r) => `<option value="${r}">${t(r)}</option>`).join("")}
		</select>
		<label style="display:block;margin-top:8px">${t("Case Summary")}</label>
		<textarea id="cs-sop-esc-summary" rows="5" style="${field}"></textarea>`;
	return {
		actions: [
			{
				label: t("Escalate"),
				onClick() {
					$dialog({
						title: t("Escalate ticket"),
						html,
						actions: [
							{
								label: t("Escalate"),
								variant: "solid",
								onClick({ close }) {
									const reason = document.getElementById("cs-sop-esc-reason").value;
									const summary = document.getElementById("cs-sop-esc-summary").value;
									call("cs_sop.api.escalation.escalate", { ticket: doc.name, reason, summary })
										.then((name) => {
											if (toast && toast.success) toast.success(t("Escalated") + ": " + name);
											close();
											setTimeout(() => window.location.reload(), 600);
										})
										.catch((err) => {
											const msg = (err && (err.messages || [])[0]) || String(err);
											if (toast && toast.error) toast.error(msg);
										});
								},
							},
						],
					});
				},
			},
		],
	};
}
