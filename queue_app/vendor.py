"""Browser libraries from the npm registry (package.json + package-lock.json, installed by `make`
with `npm ci`), served under /vendor/ by name: nothing minified is committed to the repository."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

# The only files a page may load: a short name → the file inside node_modules.
FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",  # the managers' charts
}

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


def node_modules() -> Path:
    return Path(current_app.config["ONEDOOR_NODE_MODULES"])


@bp.get("/<name>")
def library(name: str):
    if name not in FILES:
        abort(404)
    folder = node_modules()
    if not (folder / FILES[name]).is_file():
        current_app.logger.error("browser library %s missing: run `make assets` (npm ci)", FILES[name])
        abort(503)
    return send_from_directory(folder, FILES[name], max_age=86400)
