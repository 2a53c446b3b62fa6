"""Rasa bot messages -> Bot Framework message activities that work in Teams.

- Text alone: a markdown message (links kept, bare URLs made into links).
- Text with buttons: an Adaptive Card (version 1.4) whose Action.Submit
  buttons use Teams' messageBack: the button title shows in the chat as the
  user's message, the Rasa payload travels in `text` and `value`.
  Buttons with a URL become Action.OpenUrl.
- An attachment URL (e.g. the booking's .ics file): a card with an
  Action.OpenUrl button, together with the message's text.
- An image: a card with the image. Custom JSON: an Adaptive Card or activity
  fields (for `channel: teams` responses); anything else is skipped, never
  shown to the employee as raw JSON.

The only Danish here is the fallback label of link buttons (DEFAULT_LINK_LABEL).
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

logger = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# Teams shows at most this many actions in one row of a card.
MAX_ACTIONS_PER_SET = 6
MAX_TITLE_CHARS = 80
SUMMARY_CHARS = 100
# Danish formatting helper: label of a link button when the message names none.
DEFAULT_LINK_LABEL = "Åbn"

_MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\([^)\s]+\)")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+")
_TRAILING_PUNCTUATION = ".,;:!?'\""
_BULLET = re.compile(r"^\s*[-*]\s+")
# Custom JSON keys passed through as activity fields.
_ACTIVITY_FIELDS = ("text", "textFormat", "attachments", "attachmentLayout", "summary",
                    "suggestedActions")


def linkify(text: str) -> str:
    """Turn bare http(s) URLs into markdown links; existing links stay as they are."""
    pieces: List[str] = []
    position = 0
    for link in _MARKDOWN_LINK.finditer(text):
        pieces.append(_linkify_plain(text[position:link.start()]))
        pieces.append(link.group(0))
        position = link.end()
    pieces.append(_linkify_plain(text[position:]))
    return "".join(pieces)


def _linkify_plain(text: str) -> str:
    def replace(match: "re.Match[str]") -> str:
        url = match.group(0)
        trailing = ""
        while url and url[-1] in _TRAILING_PUNCTUATION:
            trailing = url[-1] + trailing
            url = url[:-1]
        return f"[{url}]({url}){trailing}"

    return _BARE_URL.sub(replace, text)


def text_blocks(text: str) -> List[Dict[str, Any]]:
    """One TextBlock per line; a blank line starts a new paragraph; "- " items get bullets."""
    blocks: List[Dict[str, Any]] = []
    new_paragraph = False
    for line in text.strip().splitlines():
        if not line.strip():
            new_paragraph = True
            continue
        line = _BULLET.sub("• ", line.rstrip())
        block: Dict[str, Any] = {"type": "TextBlock", "text": linkify(line), "wrap": True}
        if blocks:
            block["spacing"] = "Medium" if new_paragraph else "Small"
        blocks.append(block)
        new_paragraph = False
    return blocks


def _title(button: Mapping[str, Any]) -> str:
    title = button.get("title") or button.get("payload") or button.get("url") or ""
    return str(title)[:MAX_TITLE_CHARS]


def card_action(button: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """An Adaptive Card action for a Rasa button (None for an unusable one)."""
    title = _title(button)
    url = button.get("url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return {"type": "Action.OpenUrl", "title": title, "url": url}
    payload = button.get("payload")
    payload = payload if isinstance(payload, str) and payload.strip() else title
    if not payload:
        return None
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {
            "payload": payload,
            "msteams": {
                "type": "messageBack",
                "displayText": title,
                "text": payload,
                "value": json.dumps({"payload": payload}, ensure_ascii=False),
            },
        },
    }


def adaptive_card(body: List[Dict[str, Any]], actions: Iterable[Dict[str, Any]] = ()) -> Dict[str, Any]:
    actions = list(actions)
    card: Dict[str, Any] = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA,
                            "version": CARD_VERSION, "body": list(body)}
    if len(actions) <= MAX_ACTIONS_PER_SET:
        if actions:
            card["actions"] = actions
    else:  # more than fit in one row: several action sets in the body
        for start in range(0, len(actions), MAX_ACTIONS_PER_SET):
            card["body"].append({"type": "ActionSet",
                                 "actions": actions[start:start + MAX_ACTIONS_PER_SET]})
    return card


def _summary(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:SUMMARY_CHARS]


def card_activity(card: Mapping[str, Any], text: str = "") -> Dict[str, Any]:
    activity: Dict[str, Any] = {"type": "message",
                                "attachments": [{"contentType": ADAPTIVE_CARD, "content": dict(card)}]}
    if text:
        activity["summary"] = _summary(text)
    return activity


def text_activity(text: str) -> Dict[str, Any]:
    return {"type": "message", "text": linkify(text.strip()), "textFormat": "markdown"}


def buttons_activity(text: str, buttons: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    actions = [a for a in (card_action(b) for b in buttons if isinstance(b, Mapping)) if a]
    return card_activity(adaptive_card(text_blocks(text or ""), actions), text or "")


def _link(attachment: Any) -> Optional[Dict[str, str]]:
    if isinstance(attachment, str):
        url, label, title = attachment, "", ""
    elif isinstance(attachment, Mapping):
        payload = attachment.get("payload") if isinstance(attachment.get("payload"), Mapping) else {}
        url = attachment.get("url") or payload.get("src") or payload.get("url") or ""
        label = attachment.get("label") or attachment.get("button") or ""
        title = attachment.get("title") or attachment.get("name") or ""
    else:
        return None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    return {"url": url, "label": str(label or DEFAULT_LINK_LABEL)[:MAX_TITLE_CHARS], "title": str(title)}


def attachment_activity(attachment: Any, text: str = "") -> Optional[Dict[str, Any]]:
    """A card with the message's text (or the file's title) and an Action.OpenUrl button."""
    link = _link(attachment)
    if link is None:
        return None
    body = text_blocks(text or link["title"] or link["url"])
    action = {"type": "Action.OpenUrl", "title": link["label"], "url": link["url"]}
    return card_activity(adaptive_card(body, [action]), text or link["title"])


def image_activity(url: str, text: str = "") -> Dict[str, Any]:
    body = text_blocks(text) + [{"type": "Image", "url": url, "size": "Auto"}]
    return card_activity(adaptive_card(body), text)


def custom_activity(custom: Any) -> Optional[Dict[str, Any]]:
    """Custom JSON from a `channel: teams` response: a card or activity fields."""
    if not isinstance(custom, Mapping):
        return None
    if custom.get("type") == "AdaptiveCard":
        return card_activity(custom)
    fields = {k: custom[k] for k in _ACTIVITY_FIELDS if k in custom}
    if not fields:
        return None
    return {"type": "message", **fields}


def render_message(message: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """All activities for one Rasa bot message (in the order Rasa's own channels use)."""
    message = dict(message)
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    buttons = message.get("buttons") or message.get("quick_replies")
    attachment = message.get("attachment")
    activities: List[Dict[str, Any]] = []
    if buttons and isinstance(buttons, list):
        activities.append(buttons_activity(text, buttons))
    elif attachment and _link(attachment) is not None:
        activities.append(attachment_activity(attachment, text))  # type: ignore[arg-type]
        attachment = None
    elif text.strip():
        activities.append(text_activity(text))
    if message.get("custom") is not None:
        custom = custom_activity(message["custom"])
        if custom is None:
            logger.warning("custom message skipped: Teams cannot show it")
        else:
            activities.append(custom)
    if isinstance(message.get("image"), str):
        activities.append(image_activity(message["image"]))
    if attachment:
        rendered = attachment_activity(attachment)
        if rendered is None:
            logger.warning("attachment skipped: no http(s) URL in it")
        else:
            activities.append(rendered)
    for element in message.get("elements") or []:
        if isinstance(element, Mapping):
            heading = "\n\n".join(str(element[k]) for k in ("title", "subtitle") if element.get(k))
            activities.append(buttons_activity(heading, element.get("buttons") or []))
    return activities
