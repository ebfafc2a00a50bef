// Filters of the SOP Escalation Register report (cs_sop); the rows and chart come from sop_escalation_register.py.

frappe.query_reports["SOP Escalation Register"] = {
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
		{ fieldname: "level", label: __("Level"), fieldtype: "Int" },
		{
			fieldname: "reason",
			label: __("Reason"),
			fieldtype: "Select",
			options: ["", "SLA Breach", "Chat Response Breach", "Complexity", "Customer Request", "Recurring Complaint"],
		},
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: ["", "Open", "Acknowledged", "Resolved", "Cancelled"],
		},
	],
};
