"""/api/v1/admin: the call-next policy (SPEC §3, §12) — the network's knobs, and those a centre sets
apart from them. Admins change both; managers read their centres'."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ..config import OPTIONAL_KNOBS, PolicyCfg, knob_bounds
from ..services import admin
from .access import actor, require
from .admin_catalogue import READERS
from .blueprint import Blueprint
from .schemas import Strict

blp = Blueprint("admin_policy", __name__, url_prefix="/api/v1/admin",
                description="Administration: how the next visitor is chosen (SPEC §3, §12). Every change is audited.")
refusals = blp.refusals
KNOBS = tuple(PolicyCfg.model_fields)


def _knob(name: str, *, own: bool, nullable: bool) -> fields.Raw:
    """A knob's value, its type and bounds in the document; checked by the service (the network
    file's rule, one refusal per field). Off, for an optional knob: null for the network, false for
    a centre (whose null follows the network)."""
    bounds = knob_bounds(name)
    doc = {"type": "boolean"} if bounds is None else {"type": "number", "minimum": bounds[0], "maximum": bounds[1]}
    if name in OPTIONAL_KNOBS and own:
        doc = {"oneOf": [doc, {"type": "boolean", "enum": [False]}], "description": "false: off at this centre"}
    elif name in OPTIONAL_KNOBS:
        doc["description"] = "null: off"
    return fields.Raw(allow_none=nullable, metadata={**doc, **({"nullable": True} if nullable else {})})


def _schema(base, name: str, own: bool, nullable: bool):
    return base.from_dict({k: _knob(k, own=own, nullable=nullable or (not own and k in OPTIONAL_KNOBS))
                           for k in KNOBS}, name=name)


PolicyOut = _schema(ma.Schema, "PolicyOut", own=False, nullable=False)
OwnPolicyOut = _schema(ma.Schema, "OwnPolicyOut", own=True, nullable=False)
PolicyChange = _schema(Strict, "PolicyChange", own=False, nullable=False)  # the knobs given; the others kept
CentrePolicyChange = _schema(Strict, "CentrePolicyChange", own=True, nullable=True)  # null: as the network


class CentrePolicyOut(ma.Schema):
    centre = fields.String()
    effective = fields.Nested(PolicyOut, metadata={"description": "each knob's value at the centre"})
    own = fields.Nested(OwnPolicyOut, metadata={"description": "the knobs the centre sets apart (the others follow the network)"})
    network = fields.Nested(PolicyOut, metadata={"description": "the network's knobs"})


@blp.get("/policy")
@require(*READERS)
@blp.response(200, PolicyOut)
@refusals()
def network_policy():
    """The network's call-next policy: every knob (config.toml's [policy])."""
    return admin.network_policy(actor())


@blp.patch("/policy")
@require("admin")
@blp.arguments(PolicyChange)
@blp.response(200, PolicyOut)
@refusals(422)
def change_network_policy(body):
    """Change knobs of the network's policy (admins); each centre's own knobs stay as they are."""
    return admin.change_network_policy(actor(), **body)


@blp.get("/centres/<string(maxlength=8):code>/policy")
@require(*READERS)
@blp.response(200, CentrePolicyOut)
@refusals(404)
def centre_policy(code):
    """A centre's policy: each knob's value there, the ones the centre sets itself, and the network's."""
    return admin.centre_policy(actor(), code)


@blp.patch("/centres/<string(maxlength=8):code>/policy")
@require("admin")
@blp.arguments(CentrePolicyChange)
@blp.response(200, CentrePolicyOut)
@refusals(404, 422)
def change_centre_policy(body, code):
    """Set knobs of a centre apart from the network's, or (null) have them follow it again (admins)."""
    return admin.change_centre_policy(actor(), code, **body)
