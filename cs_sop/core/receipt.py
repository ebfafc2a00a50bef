"""The receipt of a new ticket (pure Python): who gets the ticket number at once.

Every contact gets a receipt (SOP stage 1, *Penerimaan dan Pencatatan*): the customer learns the
ticket number on their own channel as soon as the ticket exists. Not sent:

- twice (the ticket's marker says it went);
- when switched off (SOP Settings), or for a request type switched off there;
- when the ticket has no customer to tell: an agent's ticket for internal work, whose only address
  is a staff user's (a ticket an agent makes for a customer, with the customer's contact, gets one);
- when the complaint acknowledgement goes at the same time: it carries the number (and the category
  and target), so the customer gets one message, not two.
"""


def receipt_due(
	*,
	sent: bool,
	enabled: bool,
	request_type: str | None,
	switched_off: set[str] | frozenset[str],
	has_customer: bool,
	acknowledgement_due: bool = False,
) -> bool:
	if sent or not enabled or not has_customer or acknowledgement_due:
		return False
	return not (request_type and request_type in switched_off)


def switched_off_types(rows) -> frozenset[str]:
	"""Request types whose row in *Receipt per Request Type* has Send Receipt off. `rows`: pairs of
	(request type, send receipt); a request type without a row gets the receipt."""
	return frozenset(rt for rt, send in rows if rt and not send)
