"""The site's own error pages (400, 403, 404, 405, 429, 500): in the page's language, with its layout.

The API keeps its JSON errors (its handler answers for /api/ paths); a face with pages of its own
(the booking site) keeps its own; everything else gets these instead of Werkzeug's bare English.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from ..api import api
from ..api.errors import is_api_request
from ..refusals import refusal_text
from . import bp

PAGES = {
    400: (_l("The request could not be read"),
          _l("Something in the address or the form could not be read. Go back, reload the page and try again.")),
    403: (_l("Not allowed"), _l("You are not allowed to see this page. Sign in with an account that may, or "
                                "ask a manager.")),
    404: (_l("Not found"), _l("This page does not exist. Check the address, or start again from the front page.")),
    405: (_l("Not available"), _l("This page cannot be used this way. Go back and try again.")),
    429: (_l("Too many requests"), _l("Too many requests came from this connection. Please wait a moment and "
                                      "try again.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side. Please try again in a moment, or ask "
                                         "a member of staff.")),
}


def error_page(error: HTTPException):
    """The page for `error`, or the API's JSON answer on an /api/ path."""
    if is_api_request():
        return api.handle_http_exception(error)
    if error.response is not None:  # the view made its own page (e.g. /join's form past its limit)
        return error.response
    code = error.code if error.code in PAGES else 500
    title, explanation = PAGES[code]
    refusal = getattr(error, "error_code", None)  # malformed input refused before any view (parsing.py)
    if refusal:
        explanation = refusal_text(refusal)
    headers = {k: v for k, v in error.get_headers() if k.lower() == "retry-after"} if code == 429 else {}
    return render_template("error.html", title=title, explanation=explanation, code=code), code, headers


def internal_error(error):
    """An unexpected exception: the 500 page (Flask has logged it); never a traceback."""
    return error_page(error if isinstance(error, HTTPException) else InternalServerError())


for status in PAGES:
    bp.app_errorhandler(status)(internal_error if status == 500 else error_page)
