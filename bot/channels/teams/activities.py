"""Incoming Bot Framework activities: parsing, what the user said, who said it
(as a pseudonym) and whether the bot was just added to the conversation.

The Rasa conversation store never sees a Teams user id: the sender id is
"teams-" + HMAC-SHA256(secret, AAD object id (fallback: the channel user id)).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any, Collection, Mapping, Optional, Tuple

from bot.channels.guard import clean_user_text

PSEUDONYM_PREFIX = "teams-"
PSEUDONYM_HEX_CHARS = 32
MAX_ID_CHARS = 1024

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_INTENT_NAME = re.compile(r"^[A-Za-z_]+$")


class MalformedActivity(ValueError):
    """The request body is not a Bot Framework activity we can read (HTTP 400)."""


@dataclass(frozen=True)
class Activity:
    type: str
    id: str
    channel_id: str
    service_url: str
    conversation_id: str
    conversation_type: str
    tenant_id: str
    user_id: str
    user_aad_id: str
    bot_id: str
    text: str
    value: Any
    action: str
    members_added: Tuple[str, ...]
    members_removed: Tuple[str, ...]

    @property
    def is_personal(self) -> bool:
        return self.conversation_type in ("", "personal")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_ID_CHARS:
        raise MalformedActivity(f"{key} is not a short string")
    return value


def _account(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedActivity(f"{key} is not an object")
    return value


def _member_ids(data: Mapping[str, Any], key: str) -> Tuple[str, ...]:
    members = data.get(key)
    if not isinstance(members, list):
        return ()
    return tuple(m["id"] for m in members if isinstance(m, dict) and isinstance(m.get("id"), str))


def parse_activity(body: Any) -> Activity:
    """An Activity from a decoded JSON body; MalformedActivity when it is not one."""
    if not isinstance(body, dict):
        raise MalformedActivity("body is not a JSON object")
    activity_type = _text(body, "type")
    service_url = _text(body, "serviceUrl")
    if not activity_type or not service_url:
        raise MalformedActivity("type and serviceUrl are required")
    conversation = _account(body, "conversation")
    sender = _account(body, "from")
    channel_data = _account(body, "channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    tenant_id = _text(tenant, "id") or _text(conversation, "tenantId")
    text = body.get("text")
    activity = Activity(
        type=activity_type,
        id=_text(body, "id"),
        channel_id=_text(body, "channelId"),
        service_url=service_url,
        conversation_id=_text(conversation, "id"),
        conversation_type=_text(conversation, "conversationType"),
        tenant_id=tenant_id,
        user_id=_text(sender, "id"),
        user_aad_id=_text(sender, "aadObjectId"),
        bot_id=_text(_account(body, "recipient"), "id"),
        text=text if isinstance(text, str) else "",
        value=body.get("value"),
        action=_text(body, "action"),
        members_added=_member_ids(body, "membersAdded"),
        members_removed=_member_ids(body, "membersRemoved"),
    )
    if activity_type in ("message", "conversationUpdate", "installationUpdate") and not (
        activity.conversation_id and activity.user_id and activity.bot_id
    ):
        raise MalformedActivity("conversation.id, from.id and recipient.id are required")
    return activity


def pseudonym(secret: str, activity: Activity) -> str:
    """The sender id Rasa sees: a keyed hash of the AAD object id (or channel user id)."""
    who = activity.user_aad_id or activity.user_id
    digest = hmac.new(secret.encode(), who.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_CHARS]


def conversation_key(secret: str, conversation_id: str) -> str:
    """A keyed hash of a conversation id (used to remember that we welcomed it)."""
    return hmac.new(secret.encode(), b"conversation:" + conversation_id.encode(),
                    hashlib.sha256).hexdigest()


def submitted_payload(value: Any) -> Optional[str]:
    """The Rasa text of an Adaptive Card submit value, or None.

    {"payload": "/book_session"} -> "/book_session";
    {"intent": "inform", "entities": {"profession": "jordemoder"}} -> '/inform{"profession": ...}'.
    A JSON string (messageBack values may arrive as one) is decoded first.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict):
        return None
    payload = value.get("payload")
    if isinstance(payload, str) and payload.strip():
        return payload
    intent = value.get("intent")
    if not isinstance(intent, str) or not _INTENT_NAME.match(intent):
        return None
    entities = value.get("entities")
    if isinstance(entities, dict):
        simple = {str(k): v for k, v in entities.items()
                  if _INTENT_NAME.match(str(k)) and isinstance(v, (str, int, float, bool))}
        if simple:
            return f"/{intent}{json.dumps(simple, ensure_ascii=False)}"
    return f"/{intent}"


def user_text(activity: Activity, known_intents: Collection[str]) -> str:
    """What to hand Rasa for a message: a card's payload, else the typed text
    without @mentions of the bot; always through the shared guard."""
    raw = submitted_payload(activity.value)
    if raw is None:
        raw = _MENTION.sub(" ", activity.text)
    return clean_user_text(raw, known_intents)


def bot_was_added(activity: Activity) -> bool:
    """True when this activity tells us the bot joined the conversation.

    Teams says so with conversationUpdate (membersAdded holds the bot; in a
    personal chat it may hold the user instead) or installationUpdate "add".
    """
    if activity.type == "installationUpdate":
        return activity.action == "add"
    if activity.type != "conversationUpdate" or not activity.members_added:
        return False
    if activity.is_personal:
        return True
    return activity.bot_id in activity.members_added


def bot_was_removed(activity: Activity) -> bool:
    if activity.type == "installationUpdate":
        return activity.action == "remove"
    return activity.type == "conversationUpdate" and activity.bot_id in activity.members_removed
