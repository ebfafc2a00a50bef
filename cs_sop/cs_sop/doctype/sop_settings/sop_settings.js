// Copyright (c) 2026, cs_sop developers
// For license information, please see license.txt

frappe.ui.form.on("SOP Settings", {
	refresh(frm) {
		show_approver_check(frm);
		frm.set_intro(
			__("Saving writes the operating hours, holiday list and chat first response into the SOP SLAs.")
		);
		// UU PDP: what the daily anonymisation would change today, nothing written
		frm.add_custom_button(__("Preview Anonymisation"), () =>
			frappe
				.call({ method: "cs_sop.api.privacy.preview_anonymisation", type: "GET" })
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

// Approvers who cannot be used or cannot open solutions: cs_sop grants no role itself, it tells the admin.
function show_approver_check(frm) {
	const field = frm.get_field("approver_check_html");
	const managers = ["System Manager", "SOP Operations Manager", "Agent Manager", "SOP Supervisor"];
	if (!field || !frappe.user.has_role(managers)) return;
	frappe
		.call({ method: "cs_sop.api.complaint.approver_check", type: "GET" })
		.then(({ message: rows }) => {
			if (!rows || !rows.length) {
				field.$wrapper.html(
					`<p class="text-muted">${__("Every approver can open and decide on solutions.")}</p>`
				);
				return;
			}
			const items = rows
				.map(
					(r) =>
						`<li><b>${frappe.utils.escape_html(r.category)}</b>: ${r.messages
							.map((m) => frappe.utils.escape_html(m))
							.join(" ")}</li>`
				)
				.join("");
			field.$wrapper.html(
				`<div class="alert alert-warning"><p>${__("Approvers to fix")}</p><ul>${items}</ul></div>`
			);
		})
		.catch(() => field.$wrapper.empty());
}
