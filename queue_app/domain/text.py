"""What counts as text a person typed, and what counts as a name: pure rules on strings."""
from __future__ import annotations

import unicodedata

import phonenumbers

from .errors import InvalidRequest

# Line breaks and tabs are typed text (a comment may hold them); every other control character,
# NUL above all, is not: PostgreSQL cannot even store a NUL, and none has a place in a name or a code.
TYPED_CONTROLS = frozenset("\t\n\r")


def text_problem(value: str) -> str | None:
    """Return why `value` is not text a person could have typed, or None when it is."""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            return f"it holds a lone surrogate (U+{ord(ch):04X}), which is not a character"
        if category == "Cc" and ch not in TYPED_CONTROLS:
            return f"it holds the control character U+{ord(ch):04X}"
    return None


def is_text(value: str) -> bool:
    """Whether `value` is text a person could have typed (see text_problem)."""
    # The fast path: almost every string is printable, and str.isprintable runs in C.
    return value.isprintable() or text_problem(value) is None


def has_visible_letter(value: str) -> bool:
    """Whether `value` holds a letter or a digit of some script (Unicode categories L* and N*).

    A name made only of spaces of any kind, zero-width or formatting characters (U+200B..U+200F,
    U+2060, U+FEFF), combining marks alone, punctuation or controls names nobody.
    """
    return any(unicodedata.category(ch)[0] in "LN" for ch in value)


def trim_invisible(value: str) -> str:
    """The text without the spaces and invisible characters around it (those inside are kept)."""
    start, end = 0, len(value)
    while start < end and not _shows(value[start]):
        start += 1
    while end > start and not _shows(value[end - 1]):
        end -= 1
    return value[start:end]


def _shows(ch: str) -> bool:
    """Whether the character shows: not a space, a control or a formatting (zero-width) character."""
    return unicodedata.category(ch)[0] not in "ZC"


def visible_name(value: str, what: str = "name", max_length: int = 120) -> str:
    """Return the name trimmed (trim_invisible), or raise InvalidRequest when it names nobody or is too long."""
    name = trim_invisible(value or "")
    if not is_text(name):
        raise InvalidRequest(f"the {what} is not text: {text_problem(name)}", code="bad_name")
    if not has_visible_letter(name):
        raise InvalidRequest(f"the {what} needs at least one visible letter or digit", code="bad_name")
    if len(name) > max_length:
        raise InvalidRequest(f"the {what} is longer than {max_length} characters", code="bad_name")
    return name


def e164(text: str) -> str:
    """Return a phone number typed in international form as E.164 ("+34 612-345 678" ->
    "+34612345678"), or raise InvalidRequest (`bad_phone`)."""
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidRequest("not a phone number; write it in international form, e.g. +34 612 345 678",
                             code="bad_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidRequest("not a valid phone number for its country", code="bad_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
