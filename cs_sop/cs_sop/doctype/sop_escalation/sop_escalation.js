// Copyright (c) 2026, cs_sop developers
// For license information, please see license.txt

frappe.ui.form.on("SOP Escalation", {
	refresh(frm) {
		if (!frm.is_new() && frm.doc.status === "Open") {
			frm.add_custom_button(__("Acknowledge"), () =>
				frappe
					.call("cs_sop.api.escalation.acknowledge", { escalation: frm.doc.name })
					.then(() => frm.reload_doc())
			);
		}
		if (frm.doc.ticket) {
			frm.add_custom_button(__("Open Ticket"), () =>
				window.open(`/helpdesk/tickets/${frm.doc.ticket}`, "_blank")
			);
		}
	},
});
