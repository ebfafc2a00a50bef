// Copyright (c) 2026, cs_sop developers
frappe.ui.form.on("SOP WhatsApp Message", {
	refresh(frm) {
		if (frm.doc.direction === "Outbound" && frm.doc.status === "Failed") {
			frm.add_custom_button(__("Retry"), () => {
				frappe
					.call({
						method: "cs_sop.api.whatsapp.retry",
						args: { message: frm.doc.name },
						freeze: true,
					})
					.then(() => {
						frappe.show_alert({ message: __("Queued again"), indicator: "green" });
						frm.reload_doc();
					});
			});
		}
	},
});
