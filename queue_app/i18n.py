"""Languages of the pages: Flask-Babel, choosing among the network's configured languages."""
from __future__ import annotations

from flask import g, request, session
from flask_babel import Babel

from .services.lookup import language_codes

babel = Babel()


def page_language() -> str:
    """The language of this page: one chosen for it (?lang=, a ticket's), kept in the session,
    or the browser's best match among the configured ones."""
    codes = language_codes() or ["en"]
    chosen = request.args.get("lang")
    if chosen in codes:
        session["lang"] = chosen
        return chosen
    if g.get("page_language") in codes:
        return g.page_language
    if session.get("lang") in codes:
        return session["lang"]
    return request.accept_languages.best_match(codes) or codes[0]


def text(texts: dict, language: str | None = None) -> str:
    """Pick a catalogue text (a {language: text} dict) in the page's language."""
    language = language or page_language()
    codes = language_codes() or ["en"]
    return texts.get(language) or texts.get(codes[0]) or next(iter(texts.values()), "")
