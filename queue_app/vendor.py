"""Browser libraries from the npm registry (package.json + package-lock.json, installed by `make`
with `npm ci`), served under /vendor/ by name: nothing minified is committed to the repository."""
from __future__ import annotations

from pathlib import Path

import hashlib

from flask import Blueprint, Response, abort, current_app, request

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
    loaded = current_app.extensions.setdefault("onedoor.vendor", {})
    if name not in loaded:
        path = node_modules() / FILES[name]
        if not path.is_file():
            current_app.logger.error("browser library %s missing: run `make assets` (npm ci)", FILES[name])
            abort(503)
        loaded[name] = path.read_bytes()
    # From memory: no file handle is left open when a page goes away while a library still loads.
    body = loaded[name]
    response = Response(body, mimetype="text/javascript")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)
