"""The /api/v1 contract of SPEC §5, through flask-smorest: validated requests, generated OpenAPI."""
from __future__ import annotations

from flask import Flask

from .errors import OneDoorApi

api = OneDoorApi()

API_CONFIG = {
    "API_TITLE": "OneDoor",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {"description": "Queues and appointments for a network of one-stop service centres."},
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "a staff token from POST /api/v1/auth/token, or a device token from `queue-app create-device`"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                               "description": "the login page's session; unsafe methods also need the X-CSRFToken header"},
            }
        },
    },
}


def init_api(app: Flask) -> None:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    from . import (admin_catalogue, admin_centres, admin_languages, admin_people, admin_policy, audit, auth, booking,
                   centres, conflicts, counters, open_data, public, remote, roster, roster_drafts, tickets)

    for module in (public, auth, tickets, counters, centres, booking, remote, open_data, roster, conflicts, roster_drafts,
                   admin_catalogue, admin_languages, admin_centres, admin_people, admin_policy, audit):
        api.register_blueprint(module.blp)
