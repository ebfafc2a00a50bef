"""The complaint procedure (steps 4-12): solutions, their approval, and the customer notices.

- `access`: who may do what with SOP Solutions; the row-level permission hooks.
- `approvers`: a category's department head, and the checks on that configuration.
- `solution`: propose, submit, approve / reject, send; `knowledge`: the Knowledge Base draft.
- `approval`: the approvers' ToDos and notifications, the approval timeout sweep.
- `templates` and `notices`: acknowledgement, out-of-hours reply, progress update, solution notice.

The rules are pure in `cs_sop.core.notices`; the whitelisted API is `cs_sop.api.complaint`.
"""
