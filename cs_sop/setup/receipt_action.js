// cs_sop: "Print Receipt" action in the Helpdesk agent UI (HD Form Script, shipped by cs_sop).
// Opens the ticket's printed receipt (Print Format "Tanda Terima Pengaduan") for a phone or
// walk-in complainant; the print view checks that the agent may read the ticket.
function setupForm({ doc }) {
	const t = (s) => (typeof __ === "function" ? __(s) : s);
	if (!doc || !doc.name) return { actions: [] };
	return {
		actions: [
			{
				label: t("Print Receipt"),
				onClick() {
					const url =
						"/printview?doctype=" +
						encodeURIComponent("HD Ticket") +
						"&name=" +
						encodeURIComponent(doc.name) +
						"&format=" +
						encodeURIComponent("Tanda Terima Pengaduan") +
						"&no_letterhead=1&_lang=id";
					window.open(url, "_blank");
				},
			},
		],
	};
}
