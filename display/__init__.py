"""The waiting-room screen (SPEC §1): who goes to which counter, and how long the wait is."""
from flask import Blueprint

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import events, routes  # noqa: E402,F401
