"""Proactive messages (a counsellor's reply, trigger_intent with
output_channel=teams) reach the right employee's personal chat through the
stored conversation reference, which holds nothing that names the person."""
from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from bot.channels.teams import proactive
from bot.channels.teams.activities import pseudonym
from bot.channels.teams.models import ConversationReferenceRecord
from bot.channels.teams.proactive import NoConversationReference, send_proactive
from tests.teams.harness import (
    BOT_ID, CONVERSATION_A, CONVERSATION_B, PSEUDONYM_SECRET, TENANT_ID, USER_A, USER_B,
    TeamsStack, activity, message,
)


def sender_of(user) -> str:
    return pseudonym(PSEUDONYM_SECRET, _activity_of(user))


def _activity_of(user):
    from bot.channels.teams.activities import parse_activity

    return parse_activity({"type": "message", "serviceUrl": "https://x/", "from": user,
                           "conversation": {"id": "c"}, "recipient": {"id": BOT_ID}})


@pytest.fixture(autouse=True)
def no_installed_messenger():
    yield
    proactive.install_messenger(None)


def test_a_later_message_goes_to_the_right_employees_chat(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            fake = stack.fake
            await stack.post(message(fake, "hej", user=USER_A, conversation=CONVERSATION_A))
            await stack.post(message(fake, "hej", user=USER_B, conversation=CONVERSATION_B))
            await stack.settle()
            before = len(fake.delivered)

            # The handoff feature: a counsellor answers Bo.
            await send_proactive(sender_of(USER_B), "Hej Bo, her er rådgiveren.")
            # Rasa's trigger_intent with output_channel=teams uses get_output_channel().
            output = stack.channel.get_output_channel()
            assert output is not None and output.name() == "teams"
            await output.send_response(sender_of(USER_A), {"text": "Din tid er bekræftet."})

            sent = fake.delivered[before:]
            assert [(d.conversation_id, d.activity["text"]) for d in sent] == [
                (CONVERSATION_B, "Hej Bo, her er rådgiveren."),
                (CONVERSATION_A, "Din tid er bekræftet."),
            ]
            for delivered in sent:
                assert delivered.activity["from"] == {"id": BOT_ID}
                assert delivered.activity["conversation"]["tenantId"] == TENANT_ID
                assert delivered.authorization == f"Bearer {fake.issued_tokens[-1]}"

    asyncio.run(scenario())


def test_references_survive_a_restart_and_hold_nothing_about_the_person(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            await stack.post(message(stack.fake, "hej", user=USER_A))
            await stack.settle()
            port = stack.fake.port
            with stack.session_factory() as session:
                rows = session.execute(select(ConversationReferenceRecord)).scalars().all()
                stored = [{c.name: getattr(r, c.name) for c in r.__table__.columns} for r in rows]
        assert [row["sender_id"] for row in stored] == [sender_of(USER_A)]
        text = json.dumps(stored, default=str)
        for personal in (USER_A["aadObjectId"], USER_A["id"], USER_A["name"], "Anne"):
            assert personal not in text
        async with TeamsStack(db_url, fake_port=port) as stack:  # restarted, same database
            await stack.channel.get_output_channel().send_response(sender_of(USER_A),
                                                                   {"text": "Velkommen tilbage"})
            assert stack.fake.delivered[0].conversation_id == CONVERSATION_A

    asyncio.run(scenario())


def test_group_chats_and_channels_are_never_used_for_proactive_messages(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            await stack.post(message(stack.fake, "hej", conversation="19:group@thread.v2",
                                     conversation_type="groupChat"))
            await stack.settle()
            assert stack.fake.delivered[0].conversation_id == "19:group@thread.v2"  # replies: yes
            with pytest.raises(NoConversationReference):
                await send_proactive(sender_of(USER_A), "Fortroligt svar")
            assert len(stack.fake.delivered) == 1

    asyncio.run(scenario())


def test_unknown_and_uninstalled_senders_raise_no_conversation_reference(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            with pytest.raises(NoConversationReference):
                await send_proactive("teams-0000000000000000000000000000000", "hej")
            await stack.post(message(stack.fake, "hej"))
            await stack.post(activity("installationUpdate", stack.fake, action="remove"))
            await stack.settle()
            with pytest.raises(NoConversationReference):
                await send_proactive(sender_of(USER_A), "hej")

    asyncio.run(scenario())


def test_the_stored_reference_follows_a_changed_service_url(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            await stack.post(message(stack.fake, "hej"))
            moved = f"{stack.fake.base_url}/emea/"
            assert (await stack.post(message(stack.fake, "igen", serviceUrl=moved)))[0] == 200
            await stack.settle()
            await send_proactive(sender_of(USER_A), "Svar fra rådgiveren")
            assert [d.region for d in stack.fake.delivered] == ["teams", "emea", "emea"]

    asyncio.run(scenario())
