// Copyright (c) 2026, cs_sop developers
// For license information, please see license.txt

frappe.ui.form.on("SOP Settings", {
	refresh(frm) {
		frm.set_intro(
			__("Saving writes the operating hours, holiday list and chat first response into the SOP SLAs.")
		);
		// UU PDP (issue 10): what the daily anonymisation would change today, nothing written
		frm.add_custom_button(__("Preview Anonymisation"), () =>
			frappe
				.call({ method: "cs_sop.privacy.preview_anonymisation", type: "GET" })
				.then(({ message: m }) =>
					frappe.msgprint({
						title: __("Anonymisation preview"),
						message: __(
							"A run today would anonymise {0} tickets, {1} communications and {2} surveys (retention ended on or before {3}).",
							[m.tickets, m.communications, m.surveys, m.cutoff]
						),
					})
				)
		);
	},
});
