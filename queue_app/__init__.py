"""OneDoor central server: create_app() builds it; nothing is built at import."""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from .db import configure_sqlite, engine_options
from .extensions import csrf, db, limiter, login_manager, migrate
from .parsing import init_app as init_parsing
from .environment import instance_folder, settings

HERE = Path(__file__).resolve().parent
MIGRATIONS = str(HERE / "migrations")
FACES = ("queue_app", "counter", "display", "kiosk")
# Each face package (and the booking site and the notifications inside queue_app) keeps the
# catalogues of its own texts; Flask-Babel merges them. CATALOGUES lists them, relative to the
# repository; a catalogue covers the texts of its folder except those of a catalogue inside it.
CATALOGUES = ("queue_app", "queue_app/booking_site", "queue_app/notifications", "queue_app/manager",
              "queue_app/admin", "queue_app/open_data", "counter", "display", "kiosk")
TRANSLATIONS = ";".join(str(HERE.parent / root / "translations") for root in CATALOGUES)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from the environment, with `test_config` overriding any setting."""
    app = Flask(__name__, instance_path=instance_folder())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                                      app.config["ONEDOOR_DB_CONNECTIONS"]))
    init_parsing(app)  # first: its hook refuses broken input before any other hook reads it
    init_extensions(app)
    register_faces(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ONEDOOR_PROXIES reverse proxies (nginx, docs/deploy), take the client's address and
    scheme from the X-Forwarded-For and -Proto headers they add, so the rate limits count each
    visitor rather than the proxy. Without the setting those headers are ignored: anyone can
    forge them, so only the proxies' own additions are believed."""
    hops = app.config["ONEDOOR_PROXIES"]
    if hops:  # outermost, around Socket.IO's middleware too
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the tables with the metadata)
    from .auth import forget_login_cache
    from .i18n import babel, page_language

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    with app.app_context():
        configure_sqlite(db.engine)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    app.before_request(forget_login_cache)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=page_language, default_translation_directories=TRANSLATIONS)
    init_socketio(app)


def init_socketio(app: Flask) -> None:
    """The app's own Socket.IO server (app.extensions["socketio"]) and its notifier; each face
    has it serve the face's namespace when the face's blueprint is registered."""
    from flask_socketio import SocketIO

    from .catalogue_sync import init_app as init_catalogue_sync
    from .realtime import init_app as init_realtime

    from .realtime import BatchingRedisManager

    queue_url = app.config["ONEDOOR_MESSAGE_QUEUE"]
    options = {}
    if queue_url and queue_url.startswith(("redis://", "rediss://")):  # many emits in one message (realtime.py)
        options["client_manager"] = BatchingRedisManager(queue_url, channel=app.config["ONEDOOR_MESSAGE_CHANNEL"])
    SocketIO(
        app,
        async_mode=app.config["ONEDOOR_ASYNC_MODE"],  # explicit: never guessed from what is installed
        message_queue=queue_url,
        channel=app.config["ONEDOOR_MESSAGE_CHANNEL"],
        cors_allowed_origins=[],  # same origin only
        monitor_clients=False,  # realtime.ClientWatch checks every socket once a second instead
        **options,
    )
    init_realtime(app)
    init_catalogue_sync(app)


def register_faces(app: Flask) -> None:
    from flask_babel import get_locale

    from .api import init_api
    from .cli import register
    from .i18n import lang_url
    from .models import Language
    from .admin import bp as admin
    from .booking_site import bp as booking_site
    from .manager import bp as manager
    from .open_data import bp as open_data
    from .pages import bp as pages
    from .notifications import init_app as init_notifications
    from .vendor import bp as vendor

    init_api(app)
    for blueprint in list(app.blueprints.values()):
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)  # the API checks X-CSRFToken itself for session callers
    app.register_blueprint(pages)
    app.register_blueprint(booking_site)
    app.register_blueprint(manager)
    app.register_blueprint(admin)
    app.register_blueprint(open_data)
    app.register_blueprint(vendor)
    for face in FACES[1:]:  # the faces used inside a centre, each its own package
        app.register_blueprint(importlib.import_module(face).bp)
    init_notifications(app)

    @app.context_processor
    def page_context():
        languages = db.session.scalars(db.select(Language).order_by(Language.position)).all()
        return {"languages": languages, "get_locale": get_locale, "lang_url": lang_url}

    @app.get("/healthz")
    def healthz():
        db.session.execute(db.text("SELECT 1"))
        db.session.rollback()
        # Whether this process runs the scheduled jobs (a deployment has exactly one that does) and
        # prints the kiosks' tickets (else `queue-app print-worker` processes do).
        return jsonify(status="ok", scheduler=app.extensions.get("onedoor.scheduler") is not None,
                       printing=app.extensions.get("onedoor.print_worker") is not None)

    register(app)
