"""A ticket's arrival and the customer's messages: the channel's owner team (`channel_owner`), the
receipt with the ticket number (`receipt`), and the reply clock on chat messages (`message_clock`).
Classification (priority matrix, routing, stage) is `cs_sop.ticket`."""
