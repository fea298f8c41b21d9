"""The online booking site (SPEC §1): book an appointment without an account, then manage it by code."""
from flask import Blueprint

bp = Blueprint("booking_site", __name__, url_prefix="/book", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import manage, routes  # noqa: E402,F401
