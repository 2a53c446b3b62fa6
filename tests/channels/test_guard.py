from bot.channels.guard import MAX_MESSAGE_CHARS, NONSENSE, clean_user_text, valid_sender_id
from bot.channels.webchat import sign_session, verify_session

INTENTS = {"greet", "book_session"}


def test_empty_and_letterless_messages_become_the_nonsense_intent():
    for raw in ["", "   ", "\n\t", "😀😀", "???", None, 17, ["hej"], {"a": 1}]:
        assert clean_user_text(raw, INTENTS) == NONSENSE


def test_ordinary_text_passes_unchanged():
    assert clean_user_text("  hvad er en snusepraktik? ", INTENTS) == "hvad er en snusepraktik?"


def test_very_long_messages_are_cut():
    assert len(clean_user_text("a" * 10_000, INTENTS)) == MAX_MESSAGE_CHARS


def test_control_and_direction_characters_are_removed():
    assert clean_user_text("he\x00j\u202e med dig", INTENTS) == "hej med dig"


def test_only_known_intent_payloads_pass():
    assert clean_user_text("/book_session", INTENTS) == "/book_session"
    assert clean_user_text("/restart_everything", INTENTS) == NONSENSE


def test_sender_ids_are_short_and_plain():
    assert valid_sender_id("abc-123_x")
    for bad in ["", "a" * 500, "a b", "<script>", None, 5]:
        assert not valid_sender_id(bad)


def test_a_session_token_is_only_accepted_when_we_signed_it():
    token = sign_session("a" * 32, "secret")
    assert verify_session(token, "secret") == "a" * 32
    assert verify_session(token, "other-secret") is None
    assert verify_session("b" * 32 + token[32:], "secret") is None
    for bad in [None, "", "x.y", 42, token + "."]:
        assert verify_session(bad, "secret") is None
