"""Rules of the network's administration that need no database: texts in every language, prefixes."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .text import has_visible_letter, is_text

TEXT_MAX = 200
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def texts_problems(value: Mapping, field: str, languages: Sequence[str]) -> dict[str, str]:
    """What is wrong with `value` as a text in each of `languages`, by field ("name.es"); {} if nothing."""
    problems = {}
    for lang in value:
        if lang not in languages:
            problems[f"{field}.{lang}"] = f"{lang!r} is not a configured language ({', '.join(languages)})"
    for lang in languages:
        text = value.get(lang)
        where = f"{field}.{lang}"
        if not isinstance(text, str) or not text.strip():
            problems[where] = f"the {lang!r} text is missing"
        elif len(text) > TEXT_MAX or not is_text(text) or not has_visible_letter(text):
            problems[where] = f"the {lang!r} text must be up to {TEXT_MAX} visible characters"
    return problems


def code_problem(code: str) -> str | None:
    """Why `code` cannot name a service, agency or life event (lower-case letters, digits, _), or None."""
    if not CODE.match(code):
        return "a code is 2–40 lower-case letters, digits or _, starting with a letter"
    return None
