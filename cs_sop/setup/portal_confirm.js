// cs_sop: the customer's answer to "is your issue resolved?" in the Helpdesk customer portal
// (HD Form Script applied to the customer portal). Calls cs_sop.api.closure.confirm_resolution, which
// checks that the ticket is the customer's and is waiting for their confirmation.
function setupForm({ doc, call, $dialog, toast }) {
	const t = (s) => (typeof __ === "function" ? __(s) : s);
	if (doc.status_category !== "Resolved" || doc.sop_resolution_confirmed === "Confirmed") {
		return { actions: [] };
	}
	const field = "width:100%;border:1px solid #ddd;border-radius:6px;padding:6px;margin-top:4px";
	const fail = (err) => {
		const msg = (err && (err.messages || [])[0]) || String(err);
		if (toast && toast.error) toast.error(msg);
		const box = document.getElementById("cs-sop-portal-error");
		if (box) box.textContent = msg;
	};
	const answer = (resolved, reason, close) =>
		call("cs_sop.api.closure.confirm_resolution", { ticket: doc.name, resolved: resolved ? 1 : 0, reason })
			.then(() => {
				if (toast && toast.success) toast.success(t("Thank you!"));
				if (close) close();
				setTimeout(() => window.location.reload(), 600);
			})
			.catch(fail);
	return {
		actions: [
			{
				label: t("Yes, it is resolved"),
				onClick() {
					answer(true, "");
				},
			},
			{
				label: t("No, not yet"),
				onClick() {
					$dialog({
						title: t("What is not resolved yet?"),
						html: `<textarea id="cs-sop-portal-reason" rows="4" style="${field}" aria-label="${t("What is not resolved yet?")}"></textarea>
							<p id="cs-sop-portal-error" role="alert" style="color:#b91c1c;margin-top:8px"></p>`,
						actions: [
							{
								label: t("Send"),
								variant: "solid",
								onClick({ close }) {
									answer(false, document.getElementById("cs-sop-portal-reason").value, close);
								},
							},
						],
					});
				},
			},
		],
	};
}
