"""Booking codes are easy to read aloud and type, and hard to guess."""
import re

import pytest

from bot.booking import (
    CODE_PATTERN,
    InvalidBookingCode,
    find_code_in_text,
    format_code,
    normalize_code,
    wrong_code_delay,
)
from bot.booking.codes import ALPHABET, new_code


def test_codes_have_eight_characters_without_look_alikes():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8 and set(code) <= set(ALPHABET)
        assert any(c.isdigit() for c in code) and any(c.isalpha() for c in code)
    assert not set("01OIL") & set("".join(codes))


def test_codes_are_shown_with_a_dash_and_accepted_in_lower_case_without_it():
    assert format_code("K7MQ4XTR") == "K7MQ-4XTR"
    for typed in ("K7MQ-4XTR", "k7mq-4xtr", "k7mq4xtr", " K7MQ 4XTR ", "k7mq_4xtr"):
        assert normalize_code(typed) == "K7MQ4XTR"


@pytest.mark.parametrize("typed", ["", "K7MQ-4XT", "K7MQ-4XTRZ", "K7MQ-4XT0", "K1MQ-4XTR", "KOMQ-4XTR", "hej med dig"])
def test_text_that_is_not_code_shaped_is_an_invalid_code(typed):
    with pytest.raises(InvalidBookingCode):
        normalize_code(typed)


def test_a_code_is_found_in_a_sentence_but_words_and_numbers_are_not_codes():
    assert find_code_in_text("Min kode er k7mq-4xtr, tak") == "K7MQ4XTR"
    assert find_code_in_text("K7MQ 4XTR") == "K7MQ4XTR"
    assert find_code_in_text("jeg vil aflyse på torsdags") is None
    assert find_code_in_text("ring på 22334455") is None
    assert re.search(CODE_PATTERN, "kode: K7MQ-4XTR")
    # The NLU's regex feature uses the same pattern: ordinary 8-letter words
    # made of code symbols must not look like a code to it either.
    for sentence in ("samtalen i december", "jeg vil tale med et menneske", "ring 22334455"):
        assert re.search(CODE_PATTERN, sentence) is None, sentence
        assert find_code_in_text(sentence) is None
    assert find_code_in_text("aflys samtalen i december, koden er hj3p 9qwe") == "HJ3P9QWE"


def test_wrong_codes_are_free_three_times_then_slow_down_up_to_a_minute():
    assert [wrong_code_delay(n) for n in range(4)] == [0, 0, 0, 0]
    delays = [wrong_code_delay(n) for n in range(4, 12)]
    assert delays[0] > 0 and delays == sorted(delays)
    assert wrong_code_delay(100) == 60
