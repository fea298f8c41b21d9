"""/api/v1/admin: staff and devices — admins everywhere, managers their own centres' clerks and devices."""
from __future__ import annotations

import dataclasses

from printers import open_printer, sample_paper

from .. import i18n
from ..services import admin
from ..services.printing import fault_text
from ..urls import device_setup_url
from .access import actor, require
from .admin_people_schemas import (
    DeviceChange, DeviceIn, DeviceOut, NewDeviceOut, NewStaffOut, PasswordOut, PrintCheckOut, StaffChange, StaffIn,
    StaffOut,
)
from .blueprint import Blueprint
from .schemas import ErrorSchema

blp = Blueprint("admin_people", __name__, url_prefix="/api/v1/admin",
                description="Administration: staff and devices (SPEC §12). Every change is audited.")
ADMINS = ("admin", "manager")
USERNAME = "<string(maxlength=40):username>"
DEVICE = "<int(max=2147483647):device_id>"


class Shown:
    """An object's attributes with a few more beside them, for an answer that shows a secret once."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._obj, name)


def refusals(*statuses: int):
    def decorate(view):
        for status in (401, 403, *statuses):
            view = blp.alt_response(status, schema=ErrorSchema)(view)
        return view
    return decorate


@blp.get("/staff")
@require(*ADMINS)
@blp.response(200, StaffOut(many=True))
@refusals()
def list_staff():
    """Every account for an admin; the people of their centres for a manager."""
    return admin.staff_list(actor())


@blp.post("/staff")
@require(*ADMINS)
@blp.arguments(StaffIn)
@blp.response(201, NewStaffOut)
@refusals(422)
def add_staff(body):
    """Add an account (managers: clerks of their own centres); its first password is in this answer only."""
    staff, password = admin.create_staff(actor(), **body)
    return Shown(staff, password=password)


@blp.patch(f"/staff/{USERNAME}")
@require(*ADMINS)
@blp.arguments(StaffChange)
@blp.response(200, StaffOut)
@refusals(404, 409, 422)
def change_staff(body, username):
    """Change an account (managers: the name, centres among theirs, skills and active of their clerks, never a
    role); 409 while the person holds a counter the change would leave without its clerk."""
    return admin.change_staff(actor(), username, **body)


@blp.post(f"/staff/{USERNAME}/password")
@require(*ADMINS)
@blp.response(200, PasswordOut)
@refusals(404, 409)
def reset_password(username):
    """Give the account a new random password, shown only in this answer; its API tokens stop working."""
    return {"username": username, "password": admin.reset_password(actor(), username), "tokens_revoked": True}


@blp.get("/devices")
@require(*ADMINS)
@blp.response(200, DeviceOut(many=True))
@refusals()
def list_devices():
    """Every kiosk and display (a manager's: their centres'), with last sighting and printer state."""
    return admin.devices(actor())


@blp.post("/devices")
@require(*ADMINS)
@blp.arguments(DeviceIn)
@blp.response(201, NewDeviceOut)
@refusals(404, 422)
def add_device(body):
    """Register a kiosk or display; its token and set-up address are in this answer only."""
    new = admin.create_device(actor(), **body)
    return Shown(admin.device_view(new.device), token=new.token, setup_url=device_setup_url(new.device.kind, new.token))


@blp.patch(f"/devices/{DEVICE}")
@require(*ADMINS)
@blp.arguments(DeviceChange)
@blp.response(200, DeviceOut)
@refusals(404, 422)
def change_device(body, device_id):
    """Rename a device, or change (null: remove) its kiosk's printer."""
    return admin.change_device(actor(), device_id, **body)


@blp.post(f"/devices/{DEVICE}/revoke")
@require(*ADMINS)
@blp.response(200, DeviceOut)
@refusals(404)
def revoke_device(device_id):
    """Stop the device's token from working, at once."""
    return admin.revoke_device(actor(), device_id)


@blp.post(f"/devices/{DEVICE}/test-print")
@require(*ADMINS)
@blp.response(200, PrintCheckOut)
@refusals(404, 409)
def test_print(device_id):
    """Print a sample ticket on the kiosk's printer; `confirmed` says whether the printer confirmed it
    (a failure, with why, joins the device's fault history)."""
    by = actor()
    target = admin.test_print_target(by, device_id)
    return admin.record_test_print(by, target, print_sample(target))


def print_sample(target: admin.PrintTarget) -> admin.PrintCheck:
    """Print a sample ticket with the centre's name, in the network's first language, as the print worker
    prints a ticket (printers/: confirmed when the printer answers after the job)."""
    paper = dataclasses.replace(sample_paper(target.language), centre=i18n.text(target.centre_name, target.language))
    try:
        note = open_printer(target.printer).print_ticket(paper)
    except Exception as exc:  # any fault: the operator needs the reason (as `queue-app print-test`)
        return admin.PrintCheck(False, target.printer, error=fault_text(exc))
    return admin.PrintCheck(True, target.printer, note=note if isinstance(note, str) else None)
