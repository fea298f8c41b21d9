"""/api/v1/admin: the catalogue (agencies, services, life events), read by managers, changed by admins."""
from __future__ import annotations

from ..services import admin
from .access import actor, require
from .admin_schemas import (
    AdminAgencyOut, AdminLifeEventOut, AdminServiceOut, AgencyChange, AgencyIn, LifeEventChange, LifeEventIn,
    ServiceChange, ServiceIn,
)
from .blueprint import Blueprint

blp = Blueprint("admin_catalogue", __name__, url_prefix="/api/v1/admin",
                description="Administration: the network's catalogue (SPEC §12). Every change is audited.")
READERS = ("admin", "manager")
refusals = blp.refusals


@blp.get("/agencies")
@require(*READERS)
@blp.response(200, AdminAgencyOut(many=True))
@refusals()
def list_agencies():
    """Every agency, deactivated ones too."""
    return admin.agencies(actor())


@blp.post("/agencies")
@require("admin")
@blp.arguments(AgencyIn)
@blp.response(201, AdminAgencyOut)
@refusals(422)
def add_agency(body):
    """Add an agency (admins)."""
    return admin.create_agency(actor(), **body)


@blp.patch("/agencies/<string(maxlength=40):code>")
@require("admin")
@blp.arguments(AgencyChange)
@blp.response(200, AdminAgencyOut)
@refusals(404, 409, 422)
def change_agency(body, code):
    """Rename, deactivate or reactivate an agency; 409 while it has active services."""
    return admin.change_agency(actor(), code, **body)


@blp.get("/services")
@require(*READERS)
@blp.response(200, AdminServiceOut(many=True))
@refusals()
def list_services():
    """Every service in menu order, deactivated ones last."""
    return admin.services(actor())


@blp.post("/services")
@require("admin")
@blp.arguments(ServiceIn)
@blp.response(201, AdminServiceOut)
@refusals(404, 422)
def add_service(body):
    """Add a service at the end of the menu (admins); every centre offers it once a clerk has the skill."""
    return admin.create_service(actor(), **body)


@blp.patch("/services/<string(maxlength=40):code>")
@require("admin")
@blp.arguments(ServiceChange)
@blp.response(200, AdminServiceOut)
@refusals(404, 409, 422)
def change_service(body, code):
    """Change a service. Deactivating one that visitors wait for needs `waiting` (transfer or cancel
    them, in the same transaction); one with booked appointments still to come is refused (409)."""
    waiting = body.pop("waiting", None)
    return admin.change_service(actor(), code, waiting=waiting, **body)


@blp.get("/life-events")
@require(*READERS)
@blp.response(200, AdminLifeEventOut(many=True))
@refusals()
def list_life_events():
    """Every life event, deactivated ones last."""
    return admin.life_events(actor())


@blp.post("/life-events")
@require("admin")
@blp.arguments(LifeEventIn)
@blp.response(201, AdminLifeEventOut)
@refusals(422)
def add_life_event(body):
    """Add a life event (admins): the services a visitor in that situation needs, in order."""
    return admin.create_life_event(actor(), **body)


@blp.patch("/life-events/<string(maxlength=40):code>")
@require("admin")
@blp.arguments(LifeEventChange)
@blp.response(200, AdminLifeEventOut)
@refusals(404, 422)
def change_life_event(body, code):
    """Rename a life event, change its services, deactivate or reactivate it."""
    return admin.change_life_event(actor(), code, **body)
