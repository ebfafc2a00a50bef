"""Which function sends a customer notice on which ticket channel (`cs_sop.messaging.send_to_customer`
dispatches here; email is the default for every other channel).

A sender is called as `send(ticket, subject, message_html)` (plus `buttons=` when it has
`takes_buttons`) and answers True (queued), False (the customer cannot be reached on it) or None
(nothing for this channel: email it as any ticket). `send.is_ready()` says whether the channel is
set up at all; when it is not, the notice is emailed.
"""

from cs_sop.livechat import service as livechat
from cs_sop.meta import outbound as meta
from cs_sop.whatsapp import outbound as whatsapp

SENDERS = {
	"WhatsApp": whatsapp.send_notice,
	# by email when the visitor gave an address
	"Live Chat": livechat.send_notice,
	# Messenger / Instagram DMs; a Social Media ticket entered by hand: email
	"Social Media": meta.send_notice,
}
