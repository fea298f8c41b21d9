"""The administration at /admin (SPEC §12): the network's health and the audit trail, for admins and managers."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static", static_url_path="/static")
from . import audit, catalogue, centres, devices, languages, policy, routes, staff  # noqa: E402,F401  (each adds its routes to bp)
