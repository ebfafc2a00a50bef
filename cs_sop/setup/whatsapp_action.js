// cs_sop: "Retry WhatsApp" action in the Helpdesk agent UI (HD Form Script, shipped by cs_sop).
// On WhatsApp tickets: sends every failed WhatsApp message of the ticket again.
function setupForm({ doc, call, toast }) {
	const t = (s) => (typeof __ === "function" ? __(s) : s);
	if (!doc || doc.sop_channel !== "WhatsApp") return { actions: [] };
	return {
		actions: [
			{
				label: t("Retry WhatsApp"),
				onClick() {
					call("cs_sop.api.whatsapp.retry_ticket", { ticket: doc.name })
						.then((count) => {
							const text = count
								? t("Failed WhatsApp messages queued again") + ": " + count
								: t("No failed WhatsApp messages on this ticket");
							if (toast && toast.success) toast.success(text);
							if (count) setTimeout(() => window.location.reload(), 800);
						})
						.catch((err) => {
							const msg = (err && (err.messages || [])[0]) || String(err);
							if (toast && toast.error) toast.error(msg);
						});
				},
			},
		],
	};
}
