"""Pages served by the central server itself: staff sign-in and the visitor's ticket status."""
from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates")

from . import board, board_live, errors, events, routes  # noqa: E402,F401
