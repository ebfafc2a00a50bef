// Copyright (c) 2026, cs_sop developers
// For license information, please see license.txt

frappe.ui.form.on("SOP Priority Rule", {
	refresh(frm) {
		frm.set_intro(
			__("Tickets with this impact and urgency get this priority; Helpdesk's SLA then sets their targets.")
		);
	},
});
