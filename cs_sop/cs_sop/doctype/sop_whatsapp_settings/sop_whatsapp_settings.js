// Copyright (c) 2026, cs_sop developers
frappe.ui.form.on("SOP WhatsApp Settings", {
	refresh(frm) {
		frm.set_df_property(
			"webhook_url",
			"description",
			__("Enter this as Callback URL in the Meta app's webhook settings")
		);
	},
});
