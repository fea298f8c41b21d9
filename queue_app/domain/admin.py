"""Rules of the network's administration that need no database: texts in every language, prefixes."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from babel import Locale, UnknownLocaleError

from .text import has_visible_letter, is_text

TEXT_MAX = 200
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"  # a BCP 47 tag, as config.toml's languages
LANGUAGE_NAME_MAX = 60


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


def language_problem(code: str) -> str | None:
    """Why `code` cannot be one of the network's languages (a BCP 47 tag the pages can be shown in), or None."""
    if not re.match(LANGUAGE_PATTERN, code):
        return "a language is a BCP 47 code such as fr, fa or uk (lower-case letters)"
    try:
        Locale.parse(code)  # Flask-Babel takes the page's language as a locale: one it does not know fails every page
    except (ValueError, UnknownLocaleError):
        return f"{code!r} is not a language the pages can be shown in (no such locale is known)"
    return None


def language_name_problem(name: str) -> str | None:
    """Why `name` cannot name a language in its own script, or None."""
    if not isinstance(name, str) or not name.strip():
        return "name the language in its own script (e.g. Français)"
    if len(name) > LANGUAGE_NAME_MAX or not is_text(name) or not has_visible_letter(name):
        return f"a language's name is up to {LANGUAGE_NAME_MAX} visible characters"
    return None
