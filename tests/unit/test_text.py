"""What counts as text and as a name (queue_app/domain/text.py), and the strict JSON reader (queue_app/parsing.py)."""
from __future__ import annotations

import pytest

from queue_app.domain.errors import InvalidRequest
from queue_app.domain.text import has_visible_letter, is_text, text_problem, trim_invisible, visible_name
from queue_app.parsing import MAX_DEPTH, JSONRefused, loads

INVISIBLE = [
    "", " ", "\u00a0", "\u3000", "\u2003\u2009", "\t\n\r", "\u200b", "\u200c\u200d", "\u200e\u200f", "\u2060",
    "\ufeff", "\u0301", "\u0301\u0308\u20dd", "\u00ad", "\u180e", "\u2028\u2029", "\x01\x7f", "\u0085",
    "\u200b \u200b\ufeff", "\U000e0041",  # a tag character
]
NAMES = ["Ana", "李", "Ольга", "محمد", "श्री", "X Æ A-12", "O'Brien", "7", "e\u0301", "\u200bAna\u200b"]


@pytest.mark.parametrize("value", INVISIBLE)
def test_nothing_visible_is_no_name(value):
    assert not has_visible_letter(value)
    with pytest.raises(InvalidRequest) as refused:
        visible_name(value)
    assert refused.value.code == "bad_name"


@pytest.mark.parametrize("value", ["...", "-", "!!", "\u2764", "\U0001f600"])
def test_punctuation_and_symbols_alone_are_no_name(value):
    assert not has_visible_letter(value)


@pytest.mark.parametrize("value", NAMES)
def test_a_letter_or_digit_of_any_script_makes_a_name(value):
    assert has_visible_letter(value)
    assert visible_name(value) == value.strip("\u200b")


def test_names_are_trimmed_of_invisible_characters_around_them_only():
    assert trim_invisible("\ufeff\u200b Ana\u200dMaria \u2060\u3000") == "Ana\u200dMaria"
    assert trim_invisible("\u200b\u200b") == ""


def test_a_name_too_long_once_trimmed_is_refused():
    assert visible_name(" " + "a" * 40 + " ", "username", 40) == "a" * 40
    with pytest.raises(InvalidRequest):
        visible_name("a" * 41, "username", 40)


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x\udfffy", "\x1b[31m", "a\x7fb", "\x85"])
def test_controls_and_lone_surrogates_are_not_text(value):
    assert not is_text(value)
    assert text_problem(value)


@pytest.mark.parametrize("value", ["", "plain", "line\nbreak\ttab\r", "\u200b", "😀", "\U0010fffd", "\ufffd"])
def test_typed_text_is_text(value):
    assert is_text(value)
    assert text_problem(value) is None


# ---- the strict JSON reader -----------------------------------------------------------------

@pytest.mark.parametrize("document", [
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),
    "[" * 100_000,
    '{"a": 1, "a": 2}', "NaN", "[Infinity]", '{"x": -Infinity}', "1e400", "-1e400", "9007199254740992",
    "1" * 5000, "0." + "1" * 5000, '"\\ud800"', '{"\\udc00": 1}', '"a\\u0000b"', '"\x01"', "\ufeff{}", "",
    "{'a': 1}", "[1,]", '{"a" 1}', "[1] [2]", '"unterminated',
])
def test_the_strict_reader_refuses(document):
    with pytest.raises(JSONRefused):
        loads(document.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("raw", [b"\xff{}", b'{"a": "\xed\xa0\x80"}', b'"\xc0\xaf"', b'"\xe2\x82"',
                                 "{}".encode("utf-16"), "{}".encode("utf-32-le")])
def test_the_strict_reader_takes_utf8_only(raw):
    with pytest.raises(JSONRefused):
        loads(raw)


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"a": "' + "[{" * 1000 + '\\"]"}'
    assert loads(text) == {"a": "[{" * 1000 + '"]'}


def test_ordinary_documents_read_as_json_reads_them():
    assert loads(b'{"service": "birth", "priority": true, "n": [1, 2.5, -9007199254740991, null], "s": "\\u00e9"}') == {
        "service": "birth", "priority": True, "n": [1, 2.5, -9007199254740991, None], "s": "é"}
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads(nested) is not None
