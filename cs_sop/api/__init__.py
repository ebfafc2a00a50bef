"""cs_sop's public API: every whitelisted method, by topic (as Helpdesk's and Frappe CRM's
`<app>/api/`). Each checks who may call it, then delegates to the capability's service code.

- `escalation`: escalate, acknowledge.
- `complaint`: solutions (propose, submit, approve, reject, send, KB draft, lists), approver check,
  progress update.
- `closure`: the closure form, the customer's confirmation (portal, agent, public link), a
  supervisor's close with exception.
- `survey`: the public survey page's answer; the scores.
- `privacy`: the anonymisation preview.

The channels (`cs_sop.whatsapp.api`, `cs_sop.livechat.api`, the webhooks) keep theirs beside their code.
"""
