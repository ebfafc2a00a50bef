frappe.ui.form.on("SOP Data Subject Request", {
	refresh(frm) {
		// the key itself is never stored: a new request starts from an empty dialog
		const open = () =>
			frappe.require("/assets/cs_sop/js/data_subject_request.js", () => cs_sop.pdp.open());
		frm.add_custom_button(__("Find"), open);
		frm.add_custom_button(__("Erase"), open);
	},
});
