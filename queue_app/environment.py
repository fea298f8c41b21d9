"""The environment, read in one place (SPEC §4): deployment settings and secrets, never from files.

`settings()` builds an app's configuration from the ONEDOOR_* variables; the few values needed
before an app exists (its instance folder, the default network file) have their own functions.
Everything else reads `app.config`.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.toml"
NODE_MODULES = ROOT / "node_modules"


def instance_folder() -> str | None:
    """Where the SQLite file and generated files go (ONEDOOR_INSTANCE); None: Flask's `instance/`."""
    return os.environ.get("ONEDOOR_INSTANCE") or None


def config_file() -> Path:
    """The network file that seeds a new network (ONEDOOR_CONFIG, else config.toml here)."""
    return Path(os.environ.get("ONEDOOR_CONFIG") or DEFAULT_CONFIG)


def database_url(instance_path: str) -> str:
    """The database from ONEDOOR_DATABASE_URL, else SQLite under instance/."""
    url = os.environ.get("ONEDOOR_DATABASE_URL")
    if url:
        return sqlalchemy_url(url)
    return f"sqlite:///{Path(instance_path) / 'onedoor.sqlite3'}"


def sqlalchemy_url(url: str) -> str:
    """A database address as SQLAlchemy takes it: `postgresql://…` through psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def settings(instance_path: str) -> dict:
    """Deployment settings from the environment (SPEC §4); secrets never come from files here."""
    env = os.environ.get
    return {
        "SECRET_KEY": env("ONEDOOR_SECRET_KEY") or secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "ONEDOOR_CONFIG": str(config_file()),
        "MAX_CONTENT_LENGTH": 64 * 1024,  # no request of ours is larger; bigger ones get a 413
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # valid for the session: a clerk's page stays open a whole shift
        "SESSION_COOKIE_SECURE": env("ONEDOOR_SECURE_COOKIES", "") == "1",
        "ONEDOOR_TOKEN_HOURS": float(env("ONEDOOR_TOKEN_HOURS", "12")),
        # A centre's visitors may share one address (its Wi-Fi): keep public limits generous.
        "ONEDOOR_PUBLIC_RATE_LIMIT": env("ONEDOOR_PUBLIC_RATE_LIMIT", "1200/minute"),
        "ONEDOOR_PUBLIC_CACHE_SECONDS": float(env("ONEDOOR_PUBLIC_CACHE_SECONDS", "5")),
        "ONEDOOR_LOGIN_RATE_LIMIT": env("ONEDOOR_LOGIN_RATE_LIMIT", "10/minute"),
        "ONEDOOR_BOOKING_RATE_LIMIT": env("ONEDOOR_BOOKING_RATE_LIMIT", "10/hour;3/minute"),  # per client, pages + API
        "ONEDOOR_REMOTE_RATE_LIMIT": env("ONEDOOR_REMOTE_RATE_LIMIT", "5/hour;2/minute"),  # joins from home, per client
        # Open data's licence line (the schema at /api/v1/open-data/schema, the /open-data page).
        "ONEDOOR_OPEN_DATA_LICENCE": env("ONEDOOR_OPEN_DATA_LICENCE", "CC BY 4.0"),
        "ONEDOOR_OPEN_DATA_LICENCE_URL": env("ONEDOOR_OPEN_DATA_LICENCE_URL",
                                             "https://creativecommons.org/licenses/by/4.0/") or None,
        "RATELIMIT_STORAGE_URI": env("ONEDOOR_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Where visitors' phones reach the server: the base of the status URL in the tickets' QR codes.
        "ONEDOOR_PUBLIC_URL": env("ONEDOOR_PUBLIC_URL") or None,
        "ONEDOOR_KIOSK_IDLE_SECONDS": int(env("ONEDOOR_KIOSK_IDLE_SECONDS", "60")),  # back to the start after
        "ONEDOOR_MESSAGE_QUEUE": env("ONEDOOR_MESSAGE_QUEUE") or None,
        # Networks (or test runs) sharing one Redis keep their events apart by channel.
        "ONEDOOR_MESSAGE_CHANNEL": env("ONEDOOR_MESSAGE_CHANNEL", "onedoor"),
        "ONEDOOR_ASYNC_MODE": env("ONEDOOR_ASYNC_MODE", "threading"),
        # Scale-out (docs/deploy): web processes behind a proxy run no scheduler (ONEDOOR_SCHEDULER=0)
        # while one `queue-app scheduler` runs the jobs; ONEDOOR_PROXIES counts the proxies trusted.
        "ONEDOOR_SCHEDULER": env("ONEDOOR_SCHEDULER", "1") != "0",
        # Printing beside the requests (the default), or in `queue-app print-worker` processes apart
        # (ONEDOOR_PRINT_WORKER=0 on the web processes): rendering a ticket costs what an issue does.
        "ONEDOOR_PRINT_WORKER": env("ONEDOOR_PRINT_WORKER", "1") != "0",
        "ONEDOOR_PROXIES": int(env("ONEDOOR_PROXIES", "0")),
        # Each process's share of the database's connections (N processes × this < max_connections).
        "ONEDOOR_DB_CONNECTIONS": int(env("ONEDOOR_DB_CONNECTIONS", "60")),
        "ONEDOOR_NOTIFY": env("ONEDOOR_NOTIFY", "log://"),  # messages to visitors: log://, smtp://…, sms+https://…
        "ONEDOOR_NODE_MODULES": env("ONEDOOR_NODE_MODULES") or str(NODE_MODULES),  # the pages' browser libraries
        "ONEDOOR_DEMO_PASSWORD": env("ONEDOOR_DEMO_PASSWORD") or None,  # `queue-app demo`'s accounts
        # How passwords are hashed (Werkzeug's method string): scrypt, ~0.1 s a hash on purpose. The
        # test suite, which makes and signs in thousands of accounts, sets a cheap one for itself.
        "ONEDOOR_PASSWORD_HASH": env("ONEDOOR_PASSWORD_HASH", "scrypt"),
    }
