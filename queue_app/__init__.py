"""OneDoor central server: create_app() builds it; nothing is built at import."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, jsonify

from .config import DEFAULT_CONFIG, database_url
from .db import configure_sqlite, engine_options
from .extensions import csrf, db, limiter, login_manager, migrate

MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")
TRANSLATIONS = str(Path(__file__).resolve().parent / "translations")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from the environment, with `test_config` overriding any setting."""
    app = Flask(__name__, instance_path=os.environ.get("ONEDOOR_INSTANCE") or None)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = database_url(app.instance_path)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("ONEDOOR_SECRET_KEY") or secrets.token_hex(32),
        SQLALCHEMY_DATABASE_URI=url,
        ONEDOOR_CONFIG=os.environ.get("ONEDOOR_CONFIG") or str(DEFAULT_CONFIG),
        MAX_CONTENT_LENGTH=64 * 1024,  # no request of ours is larger; bigger ones get a 413
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("ONEDOOR_SECURE_COOKIES", "") == "1",
        ONEDOOR_TOKEN_HOURS=float(os.environ.get("ONEDOOR_TOKEN_HOURS", "12")),
        # A centre's visitors may share one address (its Wi-Fi): keep public limits generous.
        ONEDOOR_PUBLIC_RATE_LIMIT=os.environ.get("ONEDOOR_PUBLIC_RATE_LIMIT", "1200/minute"),
        ONEDOOR_PUBLIC_CACHE_SECONDS=float(os.environ.get("ONEDOOR_PUBLIC_CACHE_SECONDS", "5")),
        ONEDOOR_LOGIN_RATE_LIMIT=os.environ.get("ONEDOOR_LOGIN_RATE_LIMIT", "10/minute"),
        RATELIMIT_STORAGE_URI=os.environ.get("ONEDOOR_RATELIMIT_STORAGE", "memory://"),
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if test_config:
        app.config.update(test_config)
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )

    from . import models  # noqa: F401  (registers the tables with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    with app.app_context():
        configure_sqlite(db.engine)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    from .auth import forget_login_cache

    app.before_request(forget_login_cache)
    csrf.init_app(app)
    limiter.init_app(app)

    from .api import init_api

    init_api(app)
    for blueprint in list(app.blueprints.values()):
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)  # the API checks X-CSRFToken itself for session callers

    from .i18n import babel, page_language

    babel.init_app(app, locale_selector=page_language, default_translation_directories=TRANSLATIONS)

    @app.context_processor
    def page_context():
        from flask_babel import get_locale

        from .models import Language

        languages = db.session.scalars(db.select(Language).order_by(Language.position)).all()
        return {"languages": languages, "get_locale": get_locale}

    from .pages import bp as pages

    app.register_blueprint(pages)

    @app.get("/healthz")
    def healthz():
        db.session.execute(db.text("SELECT 1"))
        db.session.rollback()
        return jsonify(status="ok")

    from .cli import register

    register(app)
    return app
