"""Website live chat: a chat widget on the company's website, each conversation an HD Ticket.

- `api`: the visitor's endpoints (guest, token-bound, rate- and size-limited);
- `service`: conversations, messages, files, the agent's reply, realtime; `settings`: secret, origins;
- the page `/sop-chat` (cs_sop/www) is the chat the loader `/assets/cs_sop/js/livechat.js` frames.
"""
