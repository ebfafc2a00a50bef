"""cs_sop's public API: every whitelisted method, by topic (as Helpdesk's and Frappe CRM's
`<app>/api/`). Each checks who may call it, then delegates to the capability's service code.

- `escalation`: escalate, acknowledge.
- `complaint`: solutions (propose, submit, approve, reject, send, KB draft, lists), approver check,
  progress update.
- `closure`: the closure form, the customer's confirmation (portal, agent, public link), a
  supervisor's close with exception.
- `survey`: the public survey page's answer; the scores.
- `privacy`: the anonymisation preview; a data subject's find and erase.
- `reports`: the workspace's number cards, the monthly management report's PDF.
- `whatsapp`: retry a failed message, a ticket's messages.

Not here, on purpose: the live chat widget's guest endpoints (`cs_sop.livechat.api`) and the two
webhooks (`cs_sop.whatsapp.webhook`, `cs_sop.meta.webhook`), whose paths are written into customers'
websites and Meta's app settings; Helpdesk's own methods that cs_sop overrides (`cs_sop.i18n`,
`override_whitelisted_methods`); and the agent's reply, a method of the ticket
(`CSSOPHDTicket.reply_via_agent`).
"""
