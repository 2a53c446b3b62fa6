"""`python -m bot.outbox.cli` for cron, and the Teams card texts."""
from __future__ import annotations

from pathlib import Path

from bot.outbox.cards import card_text, teams_message
from bot.outbox.cli import main
from bot.settings import Settings

from .conftest import add_message


def settings_for(db_url: str, tmp_path: Path, webhook_url: str = "") -> Settings:
    return Settings(database_url=db_url, var_dir=tmp_path, knowledge_dir=tmp_path,
                    booking_config=tmp_path / "c.yml", public_base_url="http://localhost:5005",
                    teams_webhook_url=webhook_url)


def test_cli_deliver_sends_everything_due(db_url, session_factory, webhook, tmp_path, capsys):
    for _ in range(3):
        add_message(session_factory)
    assert main(["deliver", "--limit", "2"], settings=settings_for(db_url, tmp_path, webhook.url)) == 0
    assert "delivered 3" in capsys.readouterr().out
    assert len(webhook.delivered()) == 3
    main(["status"], settings=settings_for(db_url, tmp_path))
    assert "delivered: 3" in capsys.readouterr().out


def test_cli_deliver_without_webhook_keeps_the_messages(db_url, session_factory, tmp_path, capsys):
    add_message(session_factory)
    assert main(["deliver"], settings=settings_for(db_url, tmp_path)) == 0
    main(["status"], settings=settings_for(db_url, tmp_path))
    assert "pending: 1" in capsys.readouterr().out


def test_cli_purge_removes_only_old_delivered_messages(db_url, session_factory, webhook,
                                                      tmp_path, capsys):
    add_message(session_factory)
    main(["deliver"], settings=settings_for(db_url, tmp_path, webhook.url))
    main(["purge", "--days", "30"], settings=settings_for(db_url, tmp_path))
    assert "deleted 0" in capsys.readouterr().out
    main(["purge", "--days", "-1"], settings=settings_for(db_url, tmp_path))
    assert "deleted 1" in capsys.readouterr().out


def test_cards_for_applications():
    assert card_text("application.submitted", {
        "reference": "SP-2026-0042", "kind": "snusepraktik", "desired_specialty": "neonatal",
    }) == ("Ny ansøgning SP-2026-0042", "Snusepraktik, ønsket speciale neonatal. Se konsollen.")
    title, body = card_text("application.submitted", {
        "reference": "SP-2026-0043", "kind": "udveksling", "desired_specialty": "akutmedicin",
        "below_guideline": True,
    })
    assert "2 år" in body
    assert card_text("application.withdrawn", {"reference": "SP-2026-0042"})[0] == (
        "Ansøgning SP-2026-0042 trukket tilbage"
    )


def test_other_features_can_send_their_own_title_and_text():
    assert card_text("handoff.requested", {"title": "Ny samtale venter", "text": "Emne: løn"}) == (
        "Ny samtale venter", "Emne: løn")
    assert card_text("handoff.requested", {})[1] == "Se konsollen."
    assert card_text("something.else", {})[0] == "Ny besked fra Karriereassistenten"


def test_a_console_link_becomes_a_button():
    message = teams_message("application.withdrawn", {"reference": "SP-2026-0001"},
                            console_url="https://karriere.regionh.dk/konsol")
    action = message["attachments"][0]["content"]["actions"][0]
    assert action["url"] == "https://karriere.regionh.dk/konsol"
