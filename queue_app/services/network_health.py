"""The network's health at a glance (the admin home, SPEC §12): per centre the reader acts at, whether
it is open now, its silent devices, failing printers and roster gaps ahead; for an admin also the
catalogue texts missing a translation in some configured language."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..domain.health import SILENT_AFTER, is_silent, missing_languages
from ..extensions import db
from ..models import Agency, Centre, Device, Language, LifeEvent, PrintJob, Service, Staff, Ticket
from .access import reachable_centres
from .printing import printer_faults_at
from .roster import gaps_ahead_at

FAILED_WITHIN = timedelta(days=1)  # print jobs given up on this recently count against their printer


@dataclass
class CentreHealth:
    """One centre's health: open now, its silent devices, failing printers, and roster gaps ahead."""

    centre: Centre
    open_now: bool
    silent: list[Device]
    printers: list[dict]
    gaps: list[dict]  # gaps_ahead: today, then the next 7 days

    @property
    def gaps_today(self) -> int:
        return self.gaps[0]["gaps"] if self.gaps else 0

    @property
    def gaps_week(self) -> int:
        return sum(d["gaps"] for d in self.gaps[1:])

    @property
    def gaps_total(self) -> int:
        return self.gaps_today + self.gaps_week


@dataclass
class MissingText:
    """A catalogue text (its kind, the row's code and name) and the configured languages it lacks."""

    kind: str  # agency | service | life_event | documents | centre | address
    code: str
    name: dict
    languages: list[str]


@dataclass
class NetworkHealth:
    """The reader's centres' health at `now`, and the catalogue's missing translations (admins only)."""

    now: datetime
    centres: list[CentreHealth]
    translations: list[MissingText] | None  # None: not the reader's to see (the catalogue is the admin's)
    silent_after: timedelta = SILENT_AFTER
    days: list = field(default_factory=list)  # the 8 days ahead and the network's gaps on each

    @property
    def open_count(self) -> int:
        return sum(c.open_now for c in self.centres)


def _failed_recently(centre_ids: list[int], now: datetime) -> dict[int, dict[int | None, int]]:
    """Per centre and device, the print jobs given up on within FAILED_WITHIN."""
    found: dict[int, dict[int | None, int]] = {}
    for centre_id, device_id, count in db.session.execute(
            select(Ticket.centre_id, PrintJob.device_id, func.count()).join(Ticket, Ticket.id == PrintJob.ticket_id)
            .where(Ticket.centre_id.in_(centre_ids), PrintJob.status == "failed",
                   PrintJob.created_at >= now - FAILED_WITHIN)
            .group_by(Ticket.centre_id, PrintJob.device_id)):
        found.setdefault(centre_id, {})[device_id] = count
    return found


def _printers(faults: list[dict], failed: dict[int | None, int], devices: dict[int, Device]) -> list[dict]:
    """A centre's printers failing now, and those that gave up on a ticket in the last day."""
    found = {f["device_id"]: {**f, "failed": 0} for f in faults}
    for device_id, count in failed.items():
        device = devices.get(device_id)
        found.setdefault(device_id, {"device_id": device_id, "device": device.name if device else None,
                                     "pending": 0, "failing_for_s": None, "last_error": None})["failed"] = count
    return sorted(found.values(), key=lambda f: (f["device"] or "", f["device_id"] or 0))


def _centres_health(centres: list[Centre], now: datetime) -> list[CentreHealth]:
    """Each centre's health, read in a handful of queries whatever the number of centres (the admin
    home of a network of 150 centres is read on every load)."""
    ids = [c.id for c in centres]
    devices: dict[int, dict[int, Device]] = {}
    for d in db.session.scalars(select(Device).where(Device.centre_id.in_(ids), Device.revoked_at.is_(None))
                                .order_by(Device.name)):
        devices.setdefault(d.centre_id, {})[d.id] = d
    faults, failed, gaps = printer_faults_at(ids, now), _failed_recently(ids, now), gaps_ahead_at(centres, now)
    return [CentreHealth(
        centre=c, open_now=c.opening_hours.is_open(now.astimezone(c.tz)),
        silent=[d for d in devices.get(c.id, {}).values() if is_silent(d.last_seen_at, now)],
        printers=_printers(faults.get(c.id, []), failed.get(c.id, {}), devices.get(c.id, {})),
        gaps=gaps[c.id]) for c in centres]


def missing_translations() -> list[MissingText]:
    """The active catalogue's names (agencies, services, life events), service documents, and centres'
    names and addresses lacking a language."""
    languages = list(db.session.scalars(select(Language.code).order_by(Language.position)))
    found = []
    for kind, model in (("agency", Agency), ("service", Service), ("life_event", LifeEvent)):
        for row in db.session.scalars(select(model).where(model.active.is_(True)).order_by(model.code)):
            missing = missing_languages(row.name, languages)
            if missing:
                found.append(MissingText(kind, row.code, row.name, missing))
            documents = getattr(row, "documents", None)
            if documents and (missing := missing_languages(documents, languages)):
                found.append(MissingText("documents", row.code, row.name, missing))
    for centre in db.session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.code)):
        for kind, texts in (("centre", centre.name), ("address", centre.address)):
            if missing := missing_languages(texts, languages):
                found.append(MissingText(kind, centre.code, centre.name, missing))
    return found


def network_health(reader: Staff, now: datetime) -> NetworkHealth:
    """The health of the centres `reader` acts at (an admin: all, and the catalogue's translations)."""
    centres = _centres_health(reachable_centres(reader), now)
    days: dict = {}
    for c in centres:
        for d in c.gaps:
            days[d["day"]] = days.get(d["day"], 0) + d["gaps"]
    return NetworkHealth(now, centres, missing_translations() if reader.role == "admin" else None,
                         days=sorted(days.items()))
