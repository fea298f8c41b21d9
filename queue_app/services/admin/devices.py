"""Kiosks and displays administered by admins and their centres' managers (SPEC §12, §7, §9).

A device's token is shown once, when it is created, and stored only as its hash; a revoked token
stops working at once. A test print (printed by the API face: services do not
talk to printers) has its outcome kept in the audit trail, and a failure joins the device's fault
history beside its tickets' failed print jobs.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import select

from ...domain.access import ADMIN, MANAGER, Actor
from ...domain.errors import DomainError, Forbidden, NotFound
from ...extensions import db
from ...models import AuditEvent, Device, PrintJob
from .. import people
from ..access import standing
from ..audit import audit
from ..lookup import centre_by_code, language_codes
from ..printing import PRINTED, device_printer_state
from ..tx import atomic
from .common import checked_name, invalid, manager_of, record

FAULTS_SHOWN = 5
TEST_PRINT = "test_print"


def _entry(d: Device) -> dict:
    """A device as the network file says it (centre, kind, name, printer), and whether it is revoked."""
    return {"centre": d.centre.code, "kind": d.kind, "name": d.name, "printer": d.printer_uri,
            "revoked": d.revoked_at is not None}


@dataclass(frozen=True)
class DeviceView:
    """A device as the administration shows it: its printer's state and recent faults beside it."""

    device: Device
    printer_state: str  # ok | failing | none (no printer)
    faults: list[dict]

    def __getattr__(self, name):
        return getattr(self.device, name)


def fault_history(device: Device, limit: int = FAULTS_SHOWN) -> list[dict]:
    """The device's latest printer faults, newest first: its tickets' print jobs that failed and
    have not printed since (with their last error and tries) and its failed test prints."""
    jobs = db.session.execute(
        select(PrintJob.created_at, PrintJob.last_error, PrintJob.attempts)
        .where(PrintJob.device_id == device.id, PrintJob.attempts > 0, PrintJob.status != PRINTED)
        .order_by(PrintJob.id.desc()).limit(limit)
    ).all()
    tests = db.session.execute(
        select(AuditEvent.at, AuditEvent.after).where(AuditEvent.entity == "device",
                                                      AuditEvent.entity_key == str(device.id),
                                                      AuditEvent.action == TEST_PRINT)
        .order_by(AuditEvent.id.desc()).limit(limit)
    ).all()
    faults = [{"at": j.created_at, "source": "ticket", "error": j.last_error, "attempts": j.attempts} for j in jobs]
    faults += [{"at": t.at, "source": "test", "error": t.after.get("error"), "attempts": 1}
               for t in tests if not t.after.get("confirmed")]
    return sorted(faults, key=lambda f: f["at"], reverse=True)[:limit]


def device_view(device: Device) -> DeviceView:
    """The device with its printer's state and fault history."""
    state = device_printer_state(device.id) if device.printer_uri else "none"
    return DeviceView(device, state, fault_history(device) if device.printer_uri else [])


def devices(by: Actor) -> list[DeviceView]:
    """Every device for an admin; a manager's centres' devices for a manager."""
    role, scope = (None, None) if by.is_device else standing(by)
    if role not in (ADMIN, MANAGER):
        raise Forbidden(f"{by.name} may not administer devices")
    query = select(Device).order_by(Device.centre_id, Device.kind, Device.id)
    if scope is not None:
        query = query.where(Device.centre_id.in_(scope))
    return [device_view(d) for d in db.session.scalars(query)]


def _device(by: Actor, device_id: int, *, lock: bool = True) -> Device:
    query = select(Device).where(Device.id == device_id)
    device = db.session.scalar(query.with_for_update() if lock else query)
    if device is None:
        raise NotFound(f"no device with id {device_id}")
    manager_of(by, device.centre)
    return device


NETWORK_PRINTER = "tcp://"


def _printer(kind: str, printer: str | None) -> str | None:
    """The printer URI (its form is checked by the faces: the API's schema, the pages' form); 422 unless
    the device is a kiosk and the printer a network printer."""
    if printer is not None and kind != "kiosk":
        raise invalid("printer", "only a kiosk has a printer")
    if printer is not None and not printer.startswith(NETWORK_PRINTER):
        # usb://, serial://, file:// and pdf:// name the server's own devices and files: set only on
        # the server itself (config.toml, `queue-app create-device`), never from a web page.
        raise invalid("printer", "a printer set here is a network printer, tcp://host:port; a printer on the "
                                 "server itself is set in its network file or with queue-app create-device")
    return printer


@atomic
def create_device(by: Actor, *, kind: str, centre: str, name: str | None = None,
                  printer: str | None = None) -> people.NewDevice:
    """Register a kiosk or display at a centre (an admin, or a manager of it); its token is
    returned this once."""
    manager_of(by, centre_by_code(centre))
    new = people.create_device(kind, centre, name=name, printer=_printer(kind, printer))
    record(by, "device", str(new.device.id), "create", None, _entry(new.device), centre_id=new.device.centre_id)
    return new


@atomic
def change_device(by: Actor, device_id: int, **fields) -> DeviceView:
    """Rename a device or change (or remove, with null) its kiosk's printer."""
    device = _device(by, device_id)
    before = _entry(device)
    if "name" in fields:
        device.name = checked_name(fields["name"], "name", 80)
    if "printer" in fields:
        device.printer_uri = _printer(device.kind, fields["printer"])
    after = _entry(device)
    if after != before:
        record(by, "device", str(device.id), "change", before, after, centre_id=device.centre_id)
    return device_view(device)


@atomic
def revoke_device(by: Actor, device_id: int) -> DeviceView:
    """Stop the device's token from working at once (a lost or replaced device)."""
    device = _device(by, device_id)
    before = _entry(device)
    people.revoke_device(device.id)
    if _entry(device) != before:
        record(by, "device", str(device.id), "revoke", before, _entry(device), centre_id=device.centre_id)
    return device_view(device)


@dataclass(frozen=True)
class PrintCheck:
    """What a test print came to: whether the printer confirmed it, else why not."""

    confirmed: bool
    printer: str
    error: str | None = None
    note: str | None = None  # the printer's warning, e.g. paper low


@dataclass(frozen=True)
class PrintTarget:
    """The kiosk a test print goes to, read before the printer works."""

    device_id: int
    centre_id: int
    printer: str
    centre_name: dict  # per language
    language: str  # the network's first: the sample ticket's


def test_print_target(by: Actor, device_id: int) -> PrintTarget:
    """The kiosk whose printer `by` may test (an admin, or a manager of its centre); 409 when it is
    revoked or has no printer. The read is ended: no transaction stays open while the printer works."""
    device = _device(by, device_id, lock=False)
    if device.revoked_at is not None:
        raise DomainError(f"device {device_id} is revoked")
    if device.kind != "kiosk" or not device.printer_uri:
        raise DomainError(f"device {device_id} has no printer: set its printer URI first")
    target = PrintTarget(device.id, device.centre_id, device.printer_uri, dict(device.centre.name), language_codes()[0])
    db.session.rollback()
    return target


@atomic
def record_test_print(by: Actor, target: PrintTarget, result: PrintCheck) -> PrintCheck:
    """Audit a test print's outcome; a failure is in the device's fault history from now on."""
    audit(by, "device", str(target.device_id), TEST_PRINT, after=dataclasses.asdict(result),
          centre_id=target.centre_id)
    return result
