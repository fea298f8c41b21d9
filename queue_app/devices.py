"""Kiosks and displays open their page once with their token (`/display?token=…`); the browser then
keeps it in a cookie, so a screen that reboots comes back by itself (SPEC §1)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, redirect, render_template, request

from .auth import principal_for_token
from .models import Device

COOKIE_DAYS = 400  # browsers cap cookie lifetimes at about this


@dataclass
class DevicePage:
    """The device a face page is served to, and the token its scripts present to the API and sockets."""

    device: Device
    token: str


def cookie_name(kind: str) -> str:
    return f"onedoor_{kind}"


def _device(token: str | None, kind: str) -> Device | None:
    if not token or len(token) > 200 or "\x00" in token:
        return None
    principal = principal_for_token(token)
    if principal is None or principal.actor.device_id is None or principal.role != kind:
        return None
    return principal.device


def device_page(kind: str) -> DevicePage | Response | None:
    """The device of `kind` this browser belongs to.

    `?token=` (first opening) → a redirect to the clean address that stores the token in a cookie,
    so it leaves the address bar and history; a cookie → the device; nothing valid → None.
    """
    given = request.args.get("token")
    if given is not None:
        device = _device(given, kind)
        if device is None:
            return None
        response = redirect(request.path)
        response.set_cookie(
            cookie_name(kind), given, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Strict",
            secure=current_app.config["SESSION_COOKIE_SECURE"], path=request.path,
        )
        return response
    token = request.cookies.get(cookie_name(kind))
    device = _device(token, kind)
    return DevicePage(device, token) if device is not None else None


NO_STORE = {"Cache-Control": "no-store"}  # a device's page carries its token: never cached


def serve_device_page(kind: str, setup_template: str, render) -> Response | tuple:
    """A kiosk's or display's page: the first opening's redirect, the set-up page (401) without a
    valid token, else `render(DevicePage)`'s HTML; never cached."""
    found = device_page(kind)
    if isinstance(found, Response):
        return found
    if found is None:
        return render_template(setup_template), 401, NO_STORE
    return render(found), NO_STORE
