"""The network's languages, changed by an admin (SPEC §12): add, rename, reorder, remove.

The first language is the default of kiosks and pages. Removing a language takes it off every face
but leaves the catalogue's texts in it where they are, so adding it again brings them back; a
language added later lacks every text until an admin writes it (the admin home lists them).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ...domain.access import Actor
from ...domain.admin import language_name_problem, language_problem
from ...domain.errors import InvalidRequest, NotFound
from ...extensions import db
from ...models import Language
from ..network_health import missing_translations
from ..tx import atomic
from .common import admin_only, invalid, record

ENGLISH = "en"  # config.toml's rule: the network always has English


@dataclass(frozen=True)
class LanguageRow:
    """A configured language, how many catalogue texts lack it, and whether the interface speaks it."""

    code: str
    name: str
    position: int
    missing: int
    interface: bool


def interface_languages() -> list[str]:
    """The languages the pages' own words are translated into (a catalogue in the translations
    directories), English — the words as written — first."""
    found = {str(locale) for locale in current_app.extensions["babel"].instance.list_translations()}
    return [ENGLISH, *sorted(found - {ENGLISH})]


def _entry(lang: Language) -> dict:
    return {"code": lang.code, "name": lang.name, "position": lang.position}


def _ordered() -> list[Language]:
    return list(db.session.scalars(select(Language).order_by(Language.position, Language.code)))


def _language(code: str) -> Language:
    lang = db.session.get(Language, code)
    if lang is None:
        raise NotFound(f"no language with code {code!r}")
    return lang


def _name(name: str) -> str:
    if problem := language_name_problem(name):
        raise invalid("name", problem)
    return name.strip()


def languages(by: Actor) -> list[LanguageRow]:
    """The network's languages in order, the default first, each with the catalogue texts lacking it (admins)."""
    admin_only(by, "the network's languages")
    lacking: dict[str, int] = {}
    for item in missing_translations():
        for code in item.languages:
            lacking[code] = lacking.get(code, 0) + 1
    spoken = set(interface_languages())
    return [LanguageRow(lang.code, lang.name, lang.position, lacking.get(lang.code, 0), lang.code in spoken)
            for lang in _ordered()]


def _renumber(order: list[Language]) -> None:
    for i, lang in enumerate(order):
        lang.position = i


@atomic
def add_language(by: Actor, *, code: str, name: str, position: int | None = None) -> Language:
    """Add a language, at the end unless `position` (0: the default) says where."""
    admin_only(by, "the network's languages")
    if problem := language_problem(code):
        raise invalid("code", problem)
    name = _name(name)
    if db.session.get(Language, code) is not None:
        raise invalid("code", f"the network already has language {code!r}")
    order = _ordered()
    if position is not None and not 0 <= position <= len(order):
        raise invalid("position", f"a position is 0 (the default) to {len(order)} (the last)")
    lang = Language(code=code, name=name, position=len(order))
    db.session.add(lang)
    order.insert(len(order) if position is None else position, lang)
    _renumber(order)
    db.session.flush()
    record(by, "language", code, "create", None, {**_entry(lang), "order": [x.code for x in order]})
    return lang


@atomic
def change_language(by: Actor, code: str, *, name: str | None = None, position: int | None = None) -> Language:
    """Rename a language (in its own script) or move it to `position` (0: the default language)."""
    admin_only(by, "the network's languages")
    lang = _language(code)
    order = _ordered()
    before = {**_entry(lang), "order": [x.code for x in order]}
    if name is not None:
        lang.name = _name(name)
    if position is not None:
        if not 0 <= position < len(order):
            raise invalid("position", f"a position is 0 (the default) to {len(order) - 1} (the last)")
        order.remove(lang)
        order.insert(position, lang)
        _renumber(order)
    db.session.flush()
    after = {**_entry(lang), "order": [x.code for x in order]}
    if after != before:
        record(by, "language", code, "change", before, after)
    return lang


@atomic
def remove_language(by: Actor, code: str) -> list[str]:
    """Take a language off the network (never English, never the last); its texts stay in the
    catalogue, so adding it again restores them. Return the languages left, the default first."""
    admin_only(by, "the network's languages")
    lang = _language(code)
    if code == ENGLISH:
        raise InvalidRequest("English (en) is always one of the network's languages",
                             details={"fields": {"code": "English (en) cannot be removed"}})
    order = _ordered()
    if len(order) == 1:
        raise invalid("code", "the network keeps at least one language")
    before = {**_entry(lang), "order": [x.code for x in order]}
    order.remove(lang)
    db.session.delete(lang)
    _renumber(order)
    db.session.flush()
    record(by, "language", code, "remove", before, None)
    return [x.code for x in order]
