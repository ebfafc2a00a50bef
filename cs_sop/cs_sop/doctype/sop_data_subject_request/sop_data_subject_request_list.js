frappe.listview_settings["SOP Data Subject Request"] = {
	onload(listview) {
		const open = () =>
			frappe.require("/assets/cs_sop/js/data_subject_request.js", () =>
				cs_sop.pdp.open(() => listview.refresh())
			);
		listview.page.add_inner_button(__("Find"), open);
		listview.page.add_inner_button(__("Erase"), open);
	},
};
