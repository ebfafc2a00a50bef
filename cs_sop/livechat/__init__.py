"""Website live chat: a chat widget on the company's website, each conversation an HD Ticket.

- `api`: the visitor's endpoints (guest, token-bound, rate- and size-limited);
- `access`: the switch, allowed websites, the visitor's token, details, contact and ticket;
- `service`: messages, files, the agent's reply, realtime; `hours`: open now or when next;
- `page`: the page `/sop-chat` (cs_sop/www), the chat the loader `/assets/cs_sop/js/livechat.js` frames.
"""
