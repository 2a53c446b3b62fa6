"""Transactional outbox: notices (e.g. to the counsellors' Teams channel) are
written with `enqueue` in the same transaction as the business change and
delivered afterwards by `OutboxDispatcher` (a background thread via
`run_forever`, or `python -m bot.outbox.cli deliver` from cron).

Generic: applications enqueue "application.submitted"/"application.withdrawn",
the handoff feature "handoff.requested"; bot/outbox/cards.py turns each kind
into a Teams card.
"""
from bot.outbox.dispatcher import (
    DeliveryError,
    DeliveryReport,
    OutboxDispatcher,
    Sender,
    start_dispatcher_thread,
)
from bot.outbox.store import enqueue
from bot.outbox.teams import TeamsWebhookSender, make_sender

__all__ = [
    "DeliveryError",
    "DeliveryReport",
    "OutboxDispatcher",
    "Sender",
    "TeamsWebhookSender",
    "enqueue",
    "make_sender",
    "start_dispatcher_thread",
]
