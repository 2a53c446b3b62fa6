"""A conversation in Teams as the employee sees it: welcome on install, a typed
question, button clicks, Adaptive Card submits, ignored activity types."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

from bot.channels.teams.cards import ADAPTIVE_CARD
from tests.teams.harness import (
    APP_ID, BOT_ID, CONVERSATION_A, GREETING, TeamsStack, activity, bot_added, message,
)


def card_of(delivered_activity: Dict[str, Any]) -> Dict[str, Any]:
    [attachment] = delivered_activity["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    return attachment["content"]


def actions_of(card: Dict[str, Any]) -> List[Dict[str, Any]]:
    actions = list(card.get("actions", []))
    for element in card["body"]:
        if element.get("type") == "ActionSet":
            actions += element["actions"]
    return actions


def click(stack: TeamsStack, action: Dict[str, Any]) -> Dict[str, Any]:
    """The message activity Teams sends when an Action.Submit with messageBack is clicked:
    text = msteams.text, value = msteams.value (a JSON string, decoded) merged with data."""
    msteams = action["data"]["msteams"]
    assert msteams["type"] == "messageBack"
    value = {k: v for k, v in action["data"].items() if k != "msteams"}
    value.update(json.loads(msteams["value"]))
    return message(stack.fake, msteams["text"], value=value)


def test_welcome_question_button_click_and_answer(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            fake = stack.fake
            # 1. The employee installs the app: one welcome, from the domain's greeting.
            assert (await stack.post(bot_added(fake)))[0] == 200
            [welcome] = await fake.wait_for(1)
            assert welcome.conversation_id == CONVERSATION_A
            assert welcome.authorization == f"Bearer {fake.issued_tokens[0]}"
            assert welcome.activity["from"]["id"] == BOT_ID
            card = card_of(welcome.activity)
            assert float(card["version"]) <= 1.4
            assert card["body"][0]["text"] == GREETING["text"]
            assert [a["title"] for a in actions_of(card)] == ["Book en samtale", "Stil et spørgsmål"]
            assert stack.agent.received[0].text == "/greet"

            # 2. A typed question gets an answer.
            await stack.post(message(fake, "Hvad er en snusepraktik?"))
            await fake.wait_for(2)
            assert fake.delivered[1].activity["text"] == "Du skrev: Hvad er en snusepraktik?"

            # 3. Clicking "Book en samtale" in the welcome card.
            book = actions_of(card)[0]
            assert book["data"]["msteams"]["displayText"] == "Book en samtale"  # shown as user text
            await stack.post(click(stack, book))
            await fake.wait_for(3)
            assert stack.agent.received[-1].text == "/book_session"
            slot_card = card_of(fake.delivered[2].activity)
            assert slot_card["body"][0]["text"] == "Hvornår passer det dig?"

            # 4. Picking a time: the answer keeps its link and offers the calendar file.
            await stack.post(click(stack, actions_of(slot_card)[0]))
            await fake.wait_for(5)
            assert stack.agent.received[-1].text == '/inform{"slot": "t10"}'
            answer, calendar = fake.delivered[3].activity, fake.delivered[4].activity
            assert "https://intra.example.dk/booking/ABC" in answer["text"]
            [open_file] = actions_of(card_of(calendar))
            assert open_file == {"type": "Action.OpenUrl", "title": "Hent kalenderfil",
                                 "url": "https://intra.example.dk/booking/ABC.ics"}
            assert {d.conversation_id for d in fake.delivered} == {CONVERSATION_A}
            assert len(fake.issued_tokens) == 1  # one outbound token for the whole conversation

    asyncio.run(scenario())


def test_the_welcome_is_sent_exactly_once_per_install(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            fake = stack.fake
            await stack.post(bot_added(fake))
            await stack.post(activity("installationUpdate", fake, action="add"))
            await stack.post(bot_added(fake))  # Teams repeats itself
            repeated = bot_added(fake)
            await stack.post(repeated)
            await stack.post(repeated)  # the very same activity delivered twice
            await stack.settle()
            assert [m.text for m in stack.agent.received] == ["/greet"]
            assert len(fake.delivered) == 1
        async with TeamsStack(db_url) as stack:  # after a restart too
            await stack.post(bot_added(stack.fake))
            await stack.settle()
            assert stack.agent.received == []
            # Removing the app and installing it again is a new install: welcomed again.
            await stack.post(activity("installationUpdate", stack.fake, action="remove"))
            await stack.post(bot_added(stack.fake))
            await stack.settle()
            assert [m.text for m in stack.agent.received] == ["/greet"]

    asyncio.run(scenario())


def test_in_a_team_only_the_bot_joining_is_welcomed_not_every_new_member(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            fake = stack.fake
            team = dict(conversation="19:general@thread.tacv2", conversation_type="channel")
            await stack.post(activity("conversationUpdate", fake,
                                      membersAdded=[{"id": "29:new-colleague"}], **team))
            await stack.post(bot_added(fake, **team))
            await stack.settle()
            assert [m.text for m in stack.agent.received] == ["/greet"]
            assert fake.delivered[0].conversation_id == "19:general@thread.tacv2"

    asyncio.run(scenario())


def test_adaptive_card_submits_are_mapped_to_rasa_payloads(db_url):
    submits = [
        ({"payload": "/book_session"}, "", "/book_session"),
        ({"intent": "book_session"}, "", "/book_session"),
        ({"intent": "inform", "entities": {"profession": "jordemoder"}}, "",
         '/inform{"profession": "jordemoder"}'),
        (json.dumps({"payload": "/help"}), "", "/help"),  # messageBack value as a JSON string
        ({"payload": "/delete_everything"}, "", "/nonsense"),  # intents the domain lacks
        ({"intent": "book_session; drop"}, "hej", "hej"),  # unusable value: the text counts
        ({"something": "else"}, "", "/nonsense"),
    ]

    async def scenario():
        async with TeamsStack(db_url) as stack:
            for value, text, _ in submits:
                await stack.post(message(stack.fake, text, value=value))
                await stack.settle()
            assert [m.text for m in stack.agent.received] == [expected for _, _, expected in submits]

    asyncio.run(scenario())


def test_mentions_of_the_bot_are_removed_and_text_passes_the_guard(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            fake = stack.fake
            channel = dict(conversation="19:general@thread.tacv2;messageid=1", conversation_type="channel")
            await stack.post(message(fake, "<at>Karriereassistenten</at> hvad er en snusepraktik?",
                                     **channel))
            await stack.post(message(fake, "hej\u202e med\x00 dig"))
            await stack.post(message(fake, "🙂🙂"))
            await stack.settle()
            assert [m.text for m in stack.agent.received] == [
                "hvad er en snusepraktik?", "hej med dig", "/nonsense"]
            assert all(m.input_channel == "teams" for m in stack.agent.received)
            assert stack.agent.received[0].metadata == {"conversation_type": "channel"}

    asyncio.run(scenario())


def test_reactions_typing_and_other_activity_types_are_ignored_politely(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            fake = stack.fake
            for kind, extra in [("messageReaction", {"reactionsAdded": [{"type": "like"}]}),
                                ("typing", {}), ("messageUpdate", {}), ("invoke", {"name": "x"}),
                                ("event", {"name": "y"})]:
                status, _ = await stack.post(activity(kind, fake, **extra))
                assert status == 200, kind
            await stack.settle()
            assert stack.agent.received == [] and fake.delivered == []

    asyncio.run(scenario())


def test_the_rasa_sender_id_is_a_pseudonym_never_the_teams_user(db_url):
    from tests.teams.harness import USER_A, USER_B

    async def scenario():
        async with TeamsStack(db_url) as stack:
            fake = stack.fake
            await stack.post(message(fake, "hej fra anne", user=USER_A))
            await stack.post(message(fake, "hej fra bo", user=USER_B,
                                     conversation="a:1personal-chat-of-bo"))
            # Same AAD object, other channel id (e.g. another client): same pseudonym.
            await stack.post(message(fake, "anne igen", user={**USER_A, "id": "29:other-id"}))
            await stack.settle()
            senders = {m.text: m.sender_id for m in stack.agent.received}
            anne, bo, anne_again = senders["hej fra anne"], senders["hej fra bo"], senders["anne igen"]
            assert anne == anne_again and anne != bo
            for sender in (anne, bo):
                assert sender.startswith("teams-") and len(sender) == len("teams-") + 32
            for secret_thing in (USER_A["aadObjectId"], USER_A["id"], USER_A["name"], APP_ID):
                assert secret_thing not in anne
            assert "Anne" not in json.dumps([m.metadata for m in stack.agent.received])

    asyncio.run(scenario())


def test_one_employees_quick_messages_reach_rasa_in_the_order_they_were_sent(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            texts = [f"besked nummer {n}" for n in range(12)]
            for text in texts:  # each answered 200 at once; the turns run afterwards
                assert (await stack.post(message(stack.fake, text)))[0] == 200
            await stack.settle()
            assert [m.text for m in stack.agent.received] == texts
            assert [d.activity["text"] for d in stack.fake.delivered] == [f"Du skrev: {t}" for t in texts]

    asyncio.run(scenario())
