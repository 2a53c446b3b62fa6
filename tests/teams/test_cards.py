"""What Teams shows for Rasa's messages: clickable buttons, kept links, open-URL
buttons for files, and never raw JSON."""
from __future__ import annotations

import json

from bot.channels.teams.activities import submitted_payload
from bot.channels.teams.cards import (
    ADAPTIVE_CARD, DEFAULT_LINK_LABEL, linkify, render_message, text_blocks,
)


def only_card(activities):
    [activity] = activities
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    return attachment["content"]


def test_buttons_become_a_card_whose_clicks_send_the_payload_and_show_the_title():
    card = only_card(render_message({"text": "Hvad vil du?", "buttons": [
        {"title": "Book en samtale", "payload": "/book_session"},
        {"title": "Hvad er en snusepraktik?", "payload": "hvad er en snusepraktik"},
        {"title": "Læs mere", "url": "https://intra.example.dk/karriere", "type": "web_url"},
    ]}))
    assert card["type"] == "AdaptiveCard" and tuple(map(int, card["version"].split("."))) <= (1, 4)
    submit, question, link = card["actions"]
    for action, payload in ((submit, "/book_session"), (question, "hvad er en snusepraktik")):
        assert action["type"] == "Action.Submit"
        msteams = action["data"]["msteams"]
        assert msteams == {"type": "messageBack", "displayText": action["title"], "text": payload,
                           "value": json.dumps({"payload": payload}, ensure_ascii=False)}
        # Whatever Teams hands back (the value or the plain data), we find the payload again.
        assert submitted_payload(msteams["value"]) == payload
        assert submitted_payload({k: v for k, v in action["data"].items() if k != "msteams"}) == payload
    assert link == {"type": "Action.OpenUrl", "title": "Læs mere", "url": "https://intra.example.dk/karriere"}


def test_quick_replies_are_buttons_too_and_many_buttons_are_split_into_rows():
    buttons = [{"title": f"Valg {i}", "payload": "/help"} for i in range(8)]
    card = only_card(render_message({"text": "Vælg", "quick_replies": buttons}))
    rows = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert "actions" not in card and [len(r["actions"]) for r in rows] == [6, 2]


def test_links_are_kept_and_bare_urls_become_links():
    text = "Læs [guiden](https://intra.example.dk/guide) eller https://intra.example.dk/faq."
    assert linkify(text) == ("Læs [guiden](https://intra.example.dk/guide) eller "
                             "[https://intra.example.dk/faq](https://intra.example.dk/faq).")
    [activity] = render_message({"text": text})
    assert activity["textFormat"] == "markdown"
    assert "[guiden](https://intra.example.dk/guide)" in activity["text"]
    card = only_card(render_message({"text": text, "buttons": [{"title": "OK", "payload": "/help"}]}))
    assert "(https://intra.example.dk/faq)" in card["body"][0]["text"]


def test_paragraphs_and_bullets_survive_in_cards():
    blocks = text_blocks("Det kan jeg:\n- Svare\n- Booke\n\nSkriv løs.")
    assert [b["text"] for b in blocks] == ["Det kan jeg:", "• Svare", "• Booke", "Skriv løs."]
    assert [b.get("spacing") for b in blocks] == [None, "Small", "Small", "Medium"]
    assert all(b["wrap"] for b in blocks)


def test_a_file_link_becomes_an_open_url_button_next_to_the_text():
    card = only_card(render_message({"text": "Her er din kalenderfil.",
                                     "attachment": "https://intra.example.dk/b/ABC.ics"}))
    assert card["body"][0]["text"] == "Her er din kalenderfil."
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": DEFAULT_LINK_LABEL,
                                "url": "https://intra.example.dk/b/ABC.ics"}]
    # Rasa's own attachment shape ({"type": ..., "payload": {"src": ...}}) works too.
    rasa_style = {"type": "file", "payload": {"src": "https://intra.example.dk/b/ABC.ics"}}
    assert only_card(render_message({"attachment": rasa_style}))["actions"][0]["url"].endswith("ABC.ics")


def test_custom_json_is_a_card_or_activity_fields_and_never_shown_raw():
    card = {"type": "AdaptiveCard", "version": "1.4", "body": []}
    assert only_card(render_message({"custom": card})) == card
    assert render_message({"custom": {"text": "Hej", "summary": "s"}}) == [
        {"type": "message", "text": "Hej", "summary": "s"}]
    assert render_message({"custom": {"some": "json", "for": "another channel"}}) == []
    assert render_message({"attachment": "not a url"}) == []


def test_an_image_is_shown_in_a_card():
    card = only_card(render_message({"image": "https://intra.example.dk/kort.png"}))
    assert card["body"] == [{"type": "Image", "url": "https://intra.example.dk/kort.png", "size": "Auto"}]
