// Data subject request (UU PDP 27/2022): find what is held about an email or phone, then erase it.
// Loaded by the SOP Data Subject Request list and form; the server checks the role on each call.
frappe.provide("cs_sop.pdp");

cs_sop.pdp.open = function (on_done) {
	const dialog = new frappe.ui.Dialog({
		title: __("Data Subject Request"),
		size: "large",
		fields: [
			{
				fieldname: "key",
				fieldtype: "Data",
				label: __("Email or Phone Number"),
				description: __("An email address, or a phone number as 08…, +62… or 62…"),
				reqd: 1,
			},
			{ fieldname: "result", fieldtype: "HTML" },
			{
				fieldname: "include_open_tickets",
				fieldtype: "Check",
				label: __("Also erase tickets that are not closed yet"),
				hidden: 1,
			},
		],
		primary_action_label: __("Find"),
		primary_action(values) {
			frappe
				.call({
					method: "cs_sop.api.privacy.find_data",
					args: { key: values.key },
					freeze: true,
				})
				.then((r) => {
					cs_sop.pdp.show(dialog, r.message);
					on_done && on_done();
				});
		},
		secondary_action_label: __("Erase"),
		secondary_action() {
			const values = dialog.get_values();
			if (!values) return;
			frappe.confirm(
				__("Erase everything held about {0}? This cannot be undone.", [
					frappe.utils.escape_html(values.key),
				]),
				() =>
					frappe
						.call({
							method: "cs_sop.api.privacy.erase_data",
							args: {
								key: values.key,
								include_open_tickets: values.include_open_tickets ? 1 : 0,
							},
							freeze: true,
						})
						.then((r) => {
							dialog.hide();
							frappe.show_alert({
								message: __("Erased: {0} records", [
									Object.values(r.message.counts).reduce((a, b) => a + b, 0),
								]),
								indicator: "green",
							});
							on_done && on_done();
							frappe.set_route("Form", "SOP Data Subject Request", r.message.log);
						})
			);
		},
	});
	dialog.show();
	return dialog;
};

cs_sop.pdp.show = function (dialog, found) {
	const rows = found.sections
		.filter((s) => s.count)
		.map((s) => {
			const links = s.names
				.map(
					(n) =>
						`<a href="${frappe.utils.get_form_link(s.doctype, n)}" target="_blank">${frappe.utils.escape_html(n)}</a>`
				)
				.join(", ");
			const more = s.count > s.names.length ? " …" : "";
			return `<tr><td>${frappe.utils.escape_html(s.label)}</td><td class="text-right">${s.count}</td><td>${links}${more}</td></tr>`;
		})
		.join("");
	let html = rows
		? `<table class="table table-bordered"><thead><tr><th>${__("Kind")}</th><th>${__(
				"Count"
		  )}</th><th>${__("Records")}</th></tr></thead><tbody>${rows}</tbody></table>`
		: `<p>${__("Nothing is held about {0}.", [frappe.utils.escape_html(found.subject)])}</p>`;
	if (found.staff && found.staff.length) {
		html += `<p class="text-danger">${__(
			"This key belongs to a staff user: erase is for customers only."
		)}</p>`;
	}
	if (found.open_tickets) {
		html += `<p class="text-warning">${__(
			"{0} ticket(s) of this customer are not closed yet.",
			[found.open_tickets]
		)}</p>`;
	}
	dialog.fields_dict.result.$wrapper.html(html);
	dialog.set_df_property("include_open_tickets", "hidden", found.open_tickets ? 0 : 1);
};
