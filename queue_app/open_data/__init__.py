"""The public open-data page at /open-data: each centre's daily indicators, no personal data."""
from flask import Blueprint

bp = Blueprint("open_data", __name__, url_prefix="/open-data", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import routes  # noqa: E402,F401
