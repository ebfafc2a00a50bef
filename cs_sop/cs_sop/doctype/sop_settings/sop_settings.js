// Copyright (c) 2026, cs_sop developers
// For license information, please see license.txt

frappe.ui.form.on("SOP Settings", {
	refresh(frm) {
		frm.set_intro(
			__("Saving writes the operating hours, holiday list and chat first response into the SOP SLAs.")
		);
	},
});
