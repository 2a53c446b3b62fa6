"""Privacy tooling Rasa Open Source lacks: retention and erasure of conversations.

    python -m bot.privacy retention [--days N] [--dry-run]
    python -m bot.privacy erase <conversation id>

Retention deletes conversation events older than
Settings.conversation_retention_days (KA_CONVERSATION_RETENTION_DAYS, default
30) from Rasa's SQL tracker store (KA_TRACKER_STORE_URL) and handoff cases
closed longer ago than that from our database (KA_DATABASE_URL). Erasure
deletes one conversation's events, handoff cases and Teams reference.

No Rasa import: SQLAlchemy on the tracker store's table `events` (see
tracker_events.py). docs/data-protection.md explains it for the DPO.
"""
from bot.privacy.service import (
    ErasureReport,
    InvalidConversationId,
    PrivacyService,
    RetentionReport,
    from_settings,
)
from bot.privacy.tracker_events import TrackerEvents

__all__ = ["ErasureReport", "InvalidConversationId", "PrivacyService", "RetentionReport",
           "TrackerEvents", "from_settings"]
