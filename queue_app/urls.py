"""Addresses given to visitors (the printed QR code, a message's link, the kiosk's answer): the web
edge's knowledge of where the server is reached, kept out of the services."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """Where visitors reach the server: ONEDOOR_PUBLIC_URL, else SERVER_NAME, else the dev address."""
    config = current_app.config
    if config.get("ONEDOOR_PUBLIC_URL"):
        return config["ONEDOOR_PUBLIC_URL"]
    if config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config.get('PREFERRED_URL_SCHEME', 'http')}://{config['SERVER_NAME']}{root}"
    return DEFAULT_PUBLIC_URL


def status_url(token: str) -> str:
    """The visitor's status page for a ticket, built without a request (the QR code's content)."""
    return _public("pages.status_page", token=token)


def _public(endpoint: str, **values) -> str:
    """The address of `endpoint` under the public base URL, built without a request."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def booking_url(service: str, centre: str) -> str:
    """The booking site's page of a service at a centre (its days with free times): what a kiosk
    shows as a QR code and a short address. The configured public address, else as the current
    request reached the server (as `visitor_url`)."""
    if has_request_context() and not current_app.config.get("ONEDOOR_PUBLIC_URL"):
        return url_for("booking_site.day_step", service=service, centre=centre, _external=True)
    return _public("booking_site.day_step", service=service, centre=centre)


def visitor_url(token: str) -> str:
    """The status page's address to give a visitor: the configured public one (as on the printed
    QR), else as the current request reached the server (else the fallback base)."""
    if current_app.config.get("ONEDOOR_PUBLIC_URL") or not has_request_context():
        return status_url(token)
    return url_for("pages.status_page", token=token, _external=True)


DEVICE_PAGES = {"kiosk": "kiosk.page", "display": "display.screen"}


def device_setup_url(kind: str, token: str) -> str:
    """The address a technician opens once on a new kiosk or display: its page with the token,
    which the page moves into a cookie (devices.device_page). As the request reached the server,
    unless a public address is configured."""
    if has_request_context() and not current_app.config.get("ONEDOOR_PUBLIC_URL"):
        return url_for(DEVICE_PAGES[kind], token=token, _external=True)
    return _public(DEVICE_PAGES[kind], token=token)
