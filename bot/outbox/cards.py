"""The Danish text of the Teams notices, and the Adaptive Card around it.

This is the one place with Danish sentences in the outbox: a card is read by
the counsellors in their Teams channel, not by the bot's users. Cards carry no
personal data: a reference, the kind of application and the wanted specialty
at most; the details are in the console.

Kinds without a template here may carry "title" and "text" in their payload
(e.g. the handoff feature's "handoff.requested"); otherwise a neutral text is shown.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Tuple

CardText = Tuple[str, str]  # (title, body)

_KIND_LABELS = {"snusepraktik": "snusepraktik", "udveksling": "udveksling"}


def _application_submitted(payload: Mapping[str, Any]) -> CardText:
    reference = payload.get("reference", "?")
    kind = _KIND_LABELS.get(str(payload.get("kind")), "ansøgning")
    specialty = payload.get("desired_specialty")
    body = f"{kind.capitalize()}, ønsket speciale {specialty}." if specialty else f"{kind.capitalize()}."
    if payload.get("below_guideline"):
        body += " Under retningslinjen om ca. 2 år i specialet."
    return f"Ny ansøgning {reference}", f"{body} Se konsollen."


def _application_withdrawn(payload: Mapping[str, Any]) -> CardText:
    reference = payload.get("reference", "?")
    return f"Ansøgning {reference} trukket tilbage", "Medarbejderen har trukket ansøgningen tilbage."


def _handoff_requested(payload: Mapping[str, Any]) -> CardText:
    return (
        str(payload.get("title") or "En medarbejder vil gerne tale med en rådgiver"),
        str(payload.get("text") or "Se konsollen."),
    )


TEMPLATES: Dict[str, Callable[[Mapping[str, Any]], CardText]] = {
    "application.submitted": _application_submitted,
    "application.withdrawn": _application_withdrawn,
    "handoff.requested": _handoff_requested,
}


def card_text(kind: str, payload: Mapping[str, Any]) -> CardText:
    """(title, body) of the notice for `kind`."""
    template = TEMPLATES.get(kind)
    if template is not None:
        return template(payload)
    return (
        str(payload.get("title") or "Ny besked fra Karriereassistenten"),
        str(payload.get("text") or "Se konsollen."),
    )


def teams_message(kind: str, payload: Mapping[str, Any],
                  console_url: Optional[str] = None) -> Dict[str, Any]:
    """The JSON body for a Teams incoming webhook or a Workflows webhook: a
    message with one Adaptive Card (both accept this shape)."""
    title, body = card_text(kind, payload)
    card: Dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": body, "wrap": True},
        ],
    }
    if console_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Åbn konsollen", "url": console_url}]
    return {
        "type": "message",
        "summary": title,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
