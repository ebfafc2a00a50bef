// Copyright (c) 2026, cs_sop developers
frappe.ui.form.on("SOP Meta Settings", {
	refresh(frm) {
		frm.set_df_property(
			"webhook_url",
			"description",
			__("Enter this as Callback URL of the app's Page and Instagram webhooks")
		);
	},
});
