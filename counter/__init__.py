"""The clerk's counter page (SPEC §1): open a counter, call, serve, transfer, pause, close."""
from flask import Blueprint

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import events, routes  # noqa: E402,F401
