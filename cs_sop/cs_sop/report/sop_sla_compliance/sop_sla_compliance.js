// Filters of the SOP SLA Compliance report (cs_sop); the rows and chart come from sop_sla_compliance.py.

frappe.query_reports["SOP SLA Compliance"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.month_start(),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{ fieldname: "team", label: __("Team"), fieldtype: "Link", options: "HD Team" },
		{ fieldname: "agent", label: __("Agent"), fieldtype: "Link", options: "User" },
		{
			fieldname: "channel",
			label: __("Channel"),
			fieldtype: "Select",
			options: ["", "Email", "Phone", "WhatsApp", "Live Chat", "Social Media", "Walk-in", "Web Portal"],
		},
		{ fieldname: "category", label: __("Category"), fieldtype: "Link", options: "HD Ticket Type" },
		{ fieldname: "priority", label: __("Priority"), fieldtype: "Link", options: "HD Ticket Priority" },
		{
			fieldname: "request_type",
			label: __("Request Type"),
			fieldtype: "Select",
			options: ["", "Question", "Information Request", "Complaint", "Special Request", "Feedback"],
		},
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: ["Team", "Channel", "Priority", "Category", "Request Type", "Agent"],
			default: "Team",
		},
		{
			fieldname: "closed_by_exception",
			label: __("Only Closed by Exception"),
			fieldtype: "Check",
		},
	],
};
