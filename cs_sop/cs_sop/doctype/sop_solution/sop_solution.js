// Copyright (c) 2026, cs_sop developers
// For license information, please see license.txt

// Desk form of a solution: the actions for approvers who do not use the agent UI.
frappe.ui.form.on("SOP Solution", {
	refresh(frm) {
		if (frm.is_new()) return;
		const run = (method, args) =>
			frappe
				.call({ method: `cs_sop.api.complaint.${method}`, args: { solution: frm.doc.name, ...args } })
				.then(() => frm.reload_doc());
		const status = frm.doc.status;
		if (status === "Proposed") {
			frm.add_custom_button(__("Submit for Approval"), () => run("submit_for_approval"));
		}
		if (status === "Pending Approval") {
			frm.add_custom_button(__("Approve"), () => run("approve"), __("Decide"));
			frm.add_custom_button(
				__("Reject"),
				() =>
					frappe.prompt(
						{ fieldname: "reason", fieldtype: "Small Text", label: __("Rejection Reason"), reqd: 1 },
						(values) => run("reject", { reason: values.reason }),
						__("Reject Solution"),
						__("Reject")
					),
				__("Decide")
			);
		}
		if (status === "Approved") {
			frm.add_custom_button(__("Send to Customer"), () => run("send_solution"));
		}
		if ((status === "Approved" || status === "Sent") && !frm.doc.kb_article) {
			frm.add_custom_button(__("Create Knowledge Base Draft"), () => run("create_kb_draft"));
		}
		if (frm.doc.ticket) {
			frm.add_custom_button(__("Open Ticket"), () =>
				window.open(`/helpdesk/tickets/${frm.doc.ticket}`, "_blank")
			);
		}
	},
});
