"""OneDoor central server: create_app() builds it; nothing is built at import."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, jsonify

from .config import DEFAULT_CONFIG, database_url
from .db import configure_sqlite, engine_options
from .extensions import db, migrate

MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from the environment, with `test_config` overriding any setting."""
    app = Flask(__name__, instance_path=os.environ.get("ONEDOOR_INSTANCE") or None)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = database_url(app.instance_path)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("ONEDOOR_SECRET_KEY") or secrets.token_hex(32),
        SQLALCHEMY_DATABASE_URI=url,
        ONEDOOR_CONFIG=os.environ.get("ONEDOOR_CONFIG") or str(DEFAULT_CONFIG),
        JSON_SORT_KEYS=False,
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

    @app.get("/healthz")
    def healthz():
        db.session.execute(db.text("SELECT 1"))
        db.session.rollback()
        return jsonify(status="ok")

    from .cli import register

    register(app)
    return app
