"""The one gate for input the parsers could choke on: every JSON body, query string, form and path.

JSON goes through a bounded, strict parser (UTF-8 only, no byte order mark, at most MAX_DEPTH
levels of nesting, no duplicate keys, no NaN or Infinity, numbers within ±MAX_NUMBER) and every
text that arrives — in JSON strings and keys, query strings, form fields, the path — must be valid
UTF-8 holding no lone surrogate, NUL or other control character (domain/text.py). A refusal is a
400 with a stable `error_code` (`malformed_json`, `invalid_text`), which the API turns into its
JSON error and the pages into a 400 page, before any view, form or service sees the input.
"""
from __future__ import annotations

import json
import re
from itertools import accumulate
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, UnsupportedMediaType
from werkzeug.routing import IntegerConverter

from .domain.text import is_text, text_problem

MAX_DEPTH = 20  # our deepest body nests 3 levels; JSON thousands deep would exhaust the recursion
MAX_NUMBER = 2**53 - 1  # the integers every JSON reader agrees on (RFC 8259 §6)
MAX_NUMBER_TEXT = 40  # digits: a longer literal names no quantity of ours, and int() of it is quadratic
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM = "application/x-www-form-urlencoded"
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)  # taken out first: brackets inside them don't nest
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class RefusedInput(BadRequest):
    """Input that is not well-formed text or JSON (400); `error_code` is its stable code."""

    def __init__(self, error_code: str, description: str):
        super().__init__(description)
        self.error_code = error_code


class JSONRefused(ValueError):
    """Why the strict parser refused a JSON document."""

    def __init__(self, message: str, error_code: str = "malformed_json"):
        super().__init__(message)
        self.error_code = error_code


# ---- strict JSON --------------------------------------------------------------------------

def _depth(document: str) -> int:
    """The deepest nesting of arrays and objects in the document, counted without parsing it (in C loops)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", document))
    if len(brackets) <= MAX_DEPTH:
        return len(brackets)  # an upper bound, enough to let it through
    return max(accumulate(map(_STEP.__getitem__, brackets)))


def _out_of_range(literal: str) -> JSONRefused:
    shown = literal if len(literal) <= 20 else f"{literal[:20]}…"
    return JSONRefused(f"the number {shown} is beyond any range we take (at most ±{MAX_NUMBER})")


def _integer(literal: str) -> int:
    value = int(literal) if len(literal) <= MAX_NUMBER_TEXT else None
    if value is None or abs(value) > MAX_NUMBER:
        raise _out_of_range(literal)
    return value


def _decimal(literal: str) -> float:
    value = float(literal) if len(literal) <= MAX_NUMBER_TEXT else float("inf")
    if not abs(value) <= MAX_NUMBER:  # also refuses inf, which 1e400 becomes
        raise _out_of_range(literal)
    return value


def _constant(name: str):
    raise JSONRefused(f"{name} is not JSON: numbers must be finite")


def _object(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise JSONRefused(f"the key {twice!r} appears twice in one object")
    return result


def _check_strings(value) -> None:
    """Refuse a string or key that is not text; the depth is already bounded, so recursion is safe."""
    if isinstance(value, str):
        if not is_text(value):
            raise JSONRefused(f"a string is not text: {text_problem(value)}", "invalid_text")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def loads(data: bytes | str):
    """Parse a JSON document strictly (see the module's docstring), or raise JSONRefused."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONRefused(f"the body is not UTF-8 (byte {exc.start})", "invalid_text") from None
    if data.startswith("\ufeff"):
        raise JSONRefused("the body starts with a byte order mark: send plain UTF-8 JSON")
    if _depth(data) > MAX_DEPTH:
        raise JSONRefused(f"the JSON nests deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(data, parse_int=_integer, parse_float=_decimal, parse_constant=_constant,
                           object_pairs_hook=_object)
    except JSONRefused:
        raise
    except (ValueError, RecursionError) as exc:  # RecursionError: the count above missed a trick
        raise JSONRefused(f"the body is not valid JSON: {exc}") from None
    _check_strings(value)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, read with the strict parser: every request.get_json() goes through it."""

    def loads(self, s: str | bytes, **kwargs):
        return loads(s)


class OneDoorRequest(Request):
    """A request whose JSON refusals carry their stable code."""

    def on_json_loading_failed(self, e):
        if isinstance(e, JSONRefused):
            raise RefusedInput(e.error_code, str(e))
        if e is None:  # not sent as JSON at all
            raise UnsupportedMediaType("send the body as JSON (Content-Type: application/json)")
        raise RefusedInput("malformed_json", f"the body is not valid JSON: {e}")


# ---- text of addresses and forms ----------------------------------------------------------

def decode_text(raw: bytes, what: str) -> str:
    """The raw bytes as text, or RefusedInput when they are not UTF-8 or hold a control character."""
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RefusedInput("invalid_text", f"{what} is not valid UTF-8 (byte {exc.start})") from None
    if not is_text(value):
        raise RefusedInput("invalid_text", f"{what} is not text: {text_problem(value)}")
    return value


def check_encoded(raw: bytes, what: str) -> None:
    """Check every name and value of an application/x-www-form-urlencoded string (a query or a form)."""
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            decode_text(unquote_to_bytes(piece.replace(b"+", b" ")), what)


def refuse_broken_input() -> None:
    """Before anything reads the request: refuse a path, query, form or JSON body that is not text."""
    path = decode_text(request.environ.get("PATH_INFO", "").encode("latin-1", "replace"), "the address")
    if "\ufffd" in path:  # a client (Werkzeug's test client among them) replaced bytes that were not UTF-8
        raise RefusedInput("invalid_text", "the address is not valid UTF-8")
    check_encoded(request.query_string, "the query string")
    if request.method not in BODY_METHODS:
        return
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding") == "chunked"
    if not has_body:
        return
    if request.is_json:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"JSON is UTF-8; the charset {charset!r} is not taken")
        request.get_json(cache=True)  # the strict parser refuses here; the views get the cached value
    elif request.mimetype == FORM:
        check_encoded(request.get_data(cache=True), "a form field")
    elif request.mimetype == "multipart/form-data":
        # Werkzeug decodes multipart fields with replacement characters: a U+FFFD is the trace of bad bytes.
        for value in [*request.form.values(), *(f.filename or "" for f in request.files.values())]:
            if "\ufffd" in value or not is_text(value):
                raise RefusedInput("invalid_text", "a form field is not valid UTF-8 text")


class AsciiInteger(IntegerConverter):
    """Werkzeug's <int:…> in ASCII digits only: its \\d+ also takes "１" (fullwidth) or "٣" (Arabic-Indic)."""

    regex = r"[0-9]+"  # (its signed form, -?[0-9]+, follows from this one)


def init_app(app: Flask) -> None:
    """Put the gate in front of everything: the strict JSON reader, ASCII ids and the first before_request hook.

    Called before any blueprint is registered: the routes' converters are bound as they are added."""
    app.url_map.converters["int"] = AsciiInteger
    app.json = StrictJSONProvider(app)
    app.request_class = OneDoorRequest
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_broken_input)
