"""The assistant over the REST channel, with the real servers and model."""
import json

import pytest

from tests.rest_client import Conversation, post_raw

pytestmark = pytest.mark.e2e


def test_greeting_says_what_the_assistant_does_and_how_data_is_kept(stack):
    reply = Conversation(stack.rasa_url).texts("hej")
    assert "Karriereassistenten" in reply
    assert "anonymt" in reply and "gemmes" in reply


@pytest.mark.parametrize(
    "message",
    ["", "   \n\t ", "😀😀😀", "x" * 10_000, "<script>alert('x')</script>",
     "'; DROP TABLE events; --", "<img src=x onerror=alert(1)>", None, 42, ["hej"]],
    ids=["empty", "whitespace", "emoji", "10k", "script", "sql", "img", "null", "number", "list"],
)
def test_bad_input_gets_a_calm_danish_answer(stack, message):
    replies = Conversation(stack.rasa_url).say(message)
    assert replies, "the assistant must answer"
    text = " ".join(r.get("text", "") for r in replies)
    assert text.strip()
    assert "<script" not in text and "onerror" not in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[1,2,3]", b'{"message": "hej"}', b'{"sender": "", "message": "x"}',
     b'{"sender": {"a": 1}, "message": "x"}', "\udcff".encode("utf-8", "surrogatepass"),
     json.dumps({"sender": "a" * 500, "message": "hej"}).encode()],
)
def test_malformed_requests_get_400_not_500(stack, body):
    status, payload = post_raw(f"{stack.rasa_url}/webhooks/rest/webhook", body)
    assert status == 400
    assert "Beskeden kunne ikke læses" in payload["error"]


def test_unknown_intent_payload_is_not_trusted(stack):
    reply = Conversation(stack.rasa_url).texts("/drop_all_tables")
    assert "forstod jeg ikke" in reply


def test_http_api_requires_the_token(stack):
    status, _ = post_raw(f"{stack.rasa_url}/model/parse", b'{"text": "hej"}')
    assert status == 401
    status, parsed = post_raw(f"{stack.rasa_url}/model/parse?token={stack.token}", b'{"text": "hej"}')
    assert status == 200 and parsed["intent"]["name"] == "greet"


def test_out_of_scope_says_where_to_go_instead(stack):
    conversation = Conversation(stack.rasa_url)
    assert "IT-support" in conversation.texts("jeg har glemt mit password til computeren")
    assert "vagtplanlægger" in conversation.texts("kan du bytte min nattevagt på lørdag")


def test_two_stage_fallback_ends_with_the_offer_of_a_counsellor(stack):
    conversation = Conversation(stack.rasa_url)
    first = conversation.say("/nlu_fallback")
    assert "Mente du" in first[0]["text"]
    assert first[0]["buttons"][-1]["title"] == "Ingen af delene"
    rephrase = conversation.say("/out_of_scope")
    assert "skrive det på en anden måde" in rephrase[0]["text"]
    assert "/request_human" in [b["payload"] for b in rephrase[0]["buttons"]]
    # Still not understood after rephrasing: one more guess, then the counsellor offer.
    assert "Mente du" in conversation.texts("/nlu_fallback")
    assert "rådgivere" in conversation.texts("/out_of_scope")
