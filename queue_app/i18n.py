"""Languages of the pages: Flask-Babel, choosing among the network's configured languages."""
from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import g, request, session, url_for
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


def lang_url(code: str) -> str:
    """This page in another language, keeping the rest of its address (e.g. ?counter=)."""
    args = {**request.args.to_dict(), "lang": code}
    if request.endpoint is None:  # an error page for an address that matched nothing
        return f"?lang={code}"
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def direction(code: str) -> str:
    """"rtl" for a language written right to left (Arabic, Hebrew, Persian…), else "ltr"."""
    try:
        return Locale.parse(code).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"
