"""Every API refusal is `{"error": {"code", "message"}}` with a 4xx status; a 5xx is a bug."""
from __future__ import annotations

import logging

from flask import jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from ..domain.errors import DomainError
from ..refusals import http_status
from .schemas import ErrorSchema

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "rate_limited", 500: "internal_error",
}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers=None,
                   details: dict | None = None):
    body = {"code": code, "message": message, **(details or {})}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _flatten(messages, prefix: str = "") -> dict[str, str]:
    """{"json": {"service": ["Missing data…"]}} -> {"service": "Missing data…"}."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "" if key in ("json", "query", "form", "view_args") and not prefix else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "body"] = " ".join(messages)
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            out.update(_flatten(m, f"{prefix}[{i}]"))
    else:
        out[prefix or "body"] = str(messages)
    return out


class OneDoorApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.register_error_handler(DomainError, handle_domain_error)
        app.before_request(refuse_non_json_bodies)

    def handle_http_exception(self, error: HTTPException):
        """JSON for /api/ paths; the usual page elsewhere."""
        if not is_api_request():
            return error
        data = getattr(error, "data", None) or {}
        headers = data.get("headers") or (dict(error.get_headers()) if error.code == 429 else None)
        if headers:
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        if error.code == 422 or "messages" in data:
            fields = _flatten(data.get("messages") or data.get("errors") or {})
            listing = "; ".join(f"{k}: {v}" for k, v in fields.items())
            status = error.code or 422
            message = ("malformed JSON body" if status == 400 else f"invalid request: {listing}") if fields else error.description
            return error_response(status, CODES.get(status, "invalid"), message, fields or None, headers)
        if error.code >= 500:
            log.error("server error on %s %s", request.method, request.path)
        message = data.get("message") or error.description or error.name
        code = getattr(error, "error_code", None) or CODES.get(error.code, error.name.lower().replace(" ", "_"))
        return error_response(error.code or 500, code, message, headers=headers)


def handle_domain_error(error: DomainError):
    return error_response(http_status(error), error.code, error.message, details=error.details)


def refuse_non_json_bodies():
    """An API body must be JSON: anything else is refused before a view sees it.

    (Whether the JSON and the address are well-formed text was checked before: queue_app/parsing.py.)
    """
    if not is_api_request() or request.method not in BODY_METHODS:
        return None
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding") == "chunked"
    if has_body and not request.is_json:
        raise UnsupportedMediaType(f"send the body as JSON (Content-Type: application/json), not {request.mimetype or 'untyped data'}")
    return None
