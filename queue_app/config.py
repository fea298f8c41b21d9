"""Read a network file (config.toml) into one validated object; deployment settings come from
the environment (environment.py).

Every problem is reported as a ConfigError whose message names the entry, e.g.
`services[3] (passport_renewal): prefix "A" is the line of agency 'registry' (birth_registration); …`.
"""
from __future__ import annotations

import os
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator
from pydantic.functional_validators import PlainValidator

from .domain.admin import LANGUAGE_PATTERN, language_problem
from .domain.hours import ALWAYS, WEEKDAYS, OpeningHours, parse_span, timezone_problem, weekly_problems
from .domain.lines import prefix_problem
from .domain.text import is_text
from .environment import DEFAULT_CONFIG, config_file  # noqa: F401 (DEFAULT_CONFIG: where the demo network is)


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
CentreCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,7}$")]
LangCode = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]
Texts = dict[str, Annotated[str, Field(min_length=1, max_length=200)]]


M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """config.toml (or the environment) is wrong; the message says where and why."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkCfg(Strict):
    name: str = Field(min_length=1, max_length=120)
    languages: list[LangCode] = Field(min_length=1)
    language_names: dict[str, str]


class PolicyCfg(Strict):
    appointment_lead_min: float = Field(5, ge=0, le=120)
    primary_bonus: float = Field(0.5, ge=0, le=10)
    priority_first: bool = True
    escalate_past_target: bool = True
    route_by_pressure: bool = True  # rank a service's line by the wait it is heading for (domain/policy.py)
    appointment_grace_min: float | None = Field(None, ge=0, le=120)  # unset: appointments first at their slot
    defer_late_min: float | None = Field(None, ge=0, le=240)  # unset: a line past the target comes first at once
    first_come_first_served: bool = False  # true: strictly by arrival, none of the above


OPTIONAL_KNOBS = frozenset(n for n, f in PolicyCfg.model_fields.items() if f.default is None)  # unset: off


def knob_bounds(name: str) -> tuple[float, float] | None:
    """The least and greatest value of the [policy] knob `name`; None for a yes-or-no knob."""
    info = PolicyCfg.model_fields[name]
    if info.annotation is bool:
        return None
    return (next(m.ge for m in info.metadata if hasattr(m, "ge")), next(m.le for m in info.metadata if hasattr(m, "le")))


def checked_knob(name: str, value, *, off=None):
    """`value` as the [policy] knob `name` takes it, strictly (no 1 for true, no "5" for 5); else a
    ValueError saying what it takes. An optional knob may be `off`: None for the network (the line
    left out), false for a centre (whose leaving it out follows the network)."""
    bounds = knob_bounds(name)
    if bounds is None:
        if isinstance(value, bool):
            return value
        raise ValueError("true or false")
    if name in OPTIONAL_KNOBS and value is off:
        return value
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        unset = f", or {'false' if off is False else 'null'} (off)" if name in OPTIONAL_KNOBS else ""
        raise ValueError(f"a number from {low:g} to {high:g}{unset}")
    return float(value)


def _own_knob(name: str):
    return Annotated[Any, PlainValidator(lambda v: checked_knob(name, v, off=False))], None


# A centre's `policy = { … }`: the knobs it sets apart from [policy] (false turns an optional one
# off there); the knobs it leaves out follow the network.
CentrePolicyCfg = create_model("CentrePolicyCfg", __base__=Strict,
                               **{name: _own_knob(name) for name in PolicyCfg.model_fields})


class AppointmentsCfg(Strict):
    checkin_early_min: int = Field(30, ge=0, le=240)  # how long before the slot a visitor may check in
    checkin_late_min: int = Field(15, ge=0, le=120)  # how long after the slot starts check-in is still accepted
    walk_in_share: float = Field(0.5, ge=0, le=1)  # share of each slot's capacity kept for walk-ins
    horizon_days: int = Field(30, ge=1, le=366)  # the last bookable day is this many days after today
    min_notice_min: int = Field(30, ge=0, le=1440)  # a slot must start at least this long after booking


class RemoteCfg(Strict):
    enabled: bool = True  # visitors may join today's queue from home (POST …/remote-tickets, /join)
    per_phone_per_day: int = Field(1, ge=1, le=10)  # live remote tickets one phone may hold per centre day
    max_ahead_min: int = Field(90, ge=5, le=480)  # joining is refused while the service's wait is longer


class NotificationsCfg(Strict):
    near_ahead: int = Field(3, ge=0, le=50)  # "your turn is near" when this many or fewer are ahead (0: never)
    reminder_hour_local: int = Field(18, ge=0, le=23)  # from this local hour, tomorrow's visitors are reminded


class DefaultsCfg(Strict):
    target_wait_min: int = Field(15, ge=1, le=480)
    recall_limit: int = Field(2, ge=0, le=10)
    call_timeout_min: int = Field(5, ge=1, le=120)


class AgencyCfg(Strict):
    code: Code
    name: Texts


class ServiceCfg(Strict):
    code: Code
    agency: str
    prefix: str  # its line: shared only with services of the same agency (domain/lines.py)
    name: Texts
    duration_min: float = Field(gt=0, le=480)
    weight: float = Field(1.0, gt=0, le=10)
    bookable: bool = True
    documents: dict[str, list[Annotated[str, Field(min_length=1, max_length=200)]]] = {}

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        problem = prefix_problem(v, "", {})
        if problem:
            raise ValueError(problem)
        return v


class LifeEventCfg(Strict):
    code: Code
    name: Texts
    services: list[str] = Field(min_length=1)


class ExceptionDayCfg(Strict):
    date: date
    hours: str
    note: str | None = Field(None, min_length=1, max_length=200)  # e.g. the holiday's name (staff see it)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        if v is not None and not is_text(v):
            raise ValueError("a note is text, without control characters")
        return v


class DeviceCfg(Strict):
    name: str = Field(min_length=1, max_length=80)
    printer: str | None = None

    @field_validator("printer")
    @classmethod
    def _printer_uri(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^(tcp|usb|serial|file|pdf|dummy)://", v):
            raise ValueError(f'"{v}" is not a printer URI (tcp://, usb://, serial://, file://, pdf://, dummy://)')
        return v


class CentreCfg(Strict):
    code: CentreCode
    name: Texts
    address: Texts
    timezone: str
    district: str | None = Field(None, min_length=1, max_length=60)  # the public board's "least busy near me"
    counters: int = Field(ge=1, le=99)
    hours: str | dict[str, str]
    exceptions: list[ExceptionDayCfg] = []
    target_wait_min: int | None = Field(None, ge=1, le=480)
    recall_limit: int | None = Field(None, ge=0, le=10)
    call_timeout_min: int | None = Field(None, ge=1, le=120)
    policy: CentrePolicyCfg = CentrePolicyCfg()  # type: ignore[valid-type]  (the knobs it sets apart)
    kiosks: list[DeviceCfg] = []
    displays: list[DeviceCfg] = []

    def opening_hours(self) -> OpeningHours:
        exceptions = {e.date: parse_span(e.hours) for e in self.exceptions}
        if self.hours == ALWAYS:
            return OpeningHours(always_open=True, exceptions=exceptions)
        return OpeningHours(weekly={d: parse_span(self.hours[d]) for d in WEEKDAYS}, exceptions=exceptions)

    def hours_stored(self) -> dict:
        """The opening hours as a centre stores them, with the exception days' notes."""
        notes = {e.date.isoformat(): e.note for e in sorted(self.exceptions, key=lambda e: e.date) if e.note}
        return {**self.opening_hours().to_json(), **({"notes": notes} if notes else {})}


class StaffCfg(Strict):
    username: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{1,39}$")]
    name: str = Field(min_length=1, max_length=120)
    role: Literal["admin", "manager", "clerk"]
    centres: list[str] = []
    primary: list[str] = []
    secondary: list[str] = []


class NetworkConfig(Strict):
    """The whole of config.toml."""

    network: NetworkCfg
    policy: PolicyCfg = PolicyCfg()
    appointments: AppointmentsCfg = AppointmentsCfg()
    remote: RemoteCfg = RemoteCfg()
    notifications: NotificationsCfg = NotificationsCfg()
    defaults: DefaultsCfg = DefaultsCfg()
    agencies: list[AgencyCfg] = Field(min_length=1)
    services: list[ServiceCfg] = Field(min_length=1)
    life_events: list[LifeEventCfg] = []
    centres: list[CentreCfg] = Field(min_length=1)
    staff: list[StaffCfg] = []

    @property
    def default_language(self) -> str:
        return self.network.languages[0]


def _where(loc: tuple, data: dict) -> str:
    """Turn a pydantic location into `services[3] (passport_renewal).prefix`."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
            try:
                node = node[item]
                if isinstance(node, dict) and ("code" in node or "username" in node):
                    parts[-1] += f" ({node.get('code') or node.get('username')})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _label(kind: str, i: int, code: str) -> str:
    return f"{kind}[{i}] ({code})"


def check_references(cfg: NetworkConfig, *, untranslated: bool = False) -> list[str]:
    """Return every cross-reference problem: unknown codes, duplicates, missing translations
    (with `untranslated`, only English ones: a running network's texts may lack a language added
    since, which the admin home lists)."""
    errors: list[str] = []
    langs = cfg.network.languages
    if len(set(langs)) != len(langs):
        errors.append("network.languages: a language is listed twice")
    if "en" not in langs:
        errors.append("network.languages: English (en) must be one of the languages")
    for lang in langs:
        if problem := language_problem(lang):
            errors.append(f"network.languages: {problem}")
        if lang not in cfg.network.language_names:
            errors.append(f"network.language_names: no name for language {lang!r}")

    def texts(where: str, field: str, value: dict) -> None:
        for lang in langs if not untranslated else [lang for lang in langs if lang == "en"]:
            if not value.get(lang):
                errors.append(f"{where}: {field} has no {lang!r} text")
        for lang in value:
            if lang not in langs:
                errors.append(f"{where}: {field} has text in {lang!r}, which is not a configured language")

    def unique(kind: str, items: list, key: str) -> dict:
        seen: dict = {}
        for i, item in enumerate(items):
            value = getattr(item, key)
            if value in seen:
                errors.append(f"{_label(kind, i, getattr(item, 'code', value))}: {key} {value!r} is already used by {kind}[{seen[value]}]")
            else:
                seen[value] = i
        return seen

    agencies = unique("agencies", cfg.agencies, "code")
    services = unique("services", cfg.services, "code")
    lines: dict[str, tuple[str, str]] = {}  # prefix -> (agency, first service) of its line
    for i, a in enumerate(cfg.agencies):
        texts(_label("agencies", i, a.code), "name", a.name)
    for i, s in enumerate(cfg.services):
        where = _label("services", i, s.code)
        if s.agency not in agencies:
            errors.append(f"{where}: agency {s.agency!r} is not defined in [[agencies]]")
        problem = prefix_problem(s.prefix, s.agency, {p: agency for p, (agency, _) in lines.items()})
        if problem:
            errors.append(f"{where}: {problem} ({lines[s.prefix][1]})")
        lines.setdefault(s.prefix, (s.agency, s.code))
        texts(where, "name", s.name)
        if s.documents:
            texts(where, "documents", {k: " ".join(v) or "-" for k, v in s.documents.items()})
    unique("life_events", cfg.life_events, "code")
    for i, e in enumerate(cfg.life_events):
        where = _label("life_events", i, e.code)
        texts(where, "name", e.name)
        for code in e.services:
            if code not in services:
                errors.append(f"{where}: service {code!r} is not defined in [[services]]")
    centres = unique("centres", cfg.centres, "code")
    for i, c in enumerate(cfg.centres):
        where = _label("centres", i, c.code)
        texts(where, "name", c.name)
        texts(where, "address", c.address)
        if problem := timezone_problem(c.timezone):
            errors.append(f"{where}: {problem}")
        errors += [f"{where}: {problem}" for problem in weekly_problems(c.hours).values()]
        seen_days: dict = {}
        for j, e in enumerate(c.exceptions):
            if e.date in seen_days:
                errors.append(f"{where}: exceptions[{j}] ({e.date}): the same day is already in exceptions[{seen_days[e.date]}]")
            seen_days.setdefault(e.date, j)
            try:
                parse_span(e.hours)
            except ValueError as exc:
                errors.append(f"{where}: exceptions[{j}] ({e.date}): {exc}")
    usernames = unique("staff", cfg.staff, "username")
    del usernames
    for i, p in enumerate(cfg.staff):
        where = _label("staff", i, p.username)
        for code in p.centres:
            if code not in centres:
                errors.append(f"{where}: centre {code!r} is not defined in [[centres]]")
        for code in p.primary + p.secondary:
            if code not in services:
                errors.append(f"{where}: skill {code!r} is not a service defined in [[services]]")
        both = set(p.primary) & set(p.secondary)
        if both:
            errors.append(f"{where}: {', '.join(sorted(both))} listed as both primary and secondary")
        if p.role == "clerk" and len(p.centres) != 1:
            errors.append(f"{where}: a clerk works at exactly one centre")
        if p.role == "manager" and not p.centres:
            errors.append(f"{where}: a manager needs at least one centre")
        if p.role != "clerk" and (p.primary or p.secondary):
            errors.append(f"{where}: only clerks have skills")
    return errors


def read_validated(path: str | os.PathLike, model: type[M]) -> M:
    """Read a TOML file into `model`; raise ConfigError naming every wrong entry."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown setting"
            lines.append(f"{_where(err['loc'], data)}: {msg}")
        raise ConfigError(f"{path}:\n  " + "\n  ".join(lines)) from None


def read_network_file(path: str | os.PathLike | None = None, *, untranslated: bool = False) -> NetworkConfig:
    """Read and validate a network file (default: ONEDOOR_CONFIG or config.toml); raise
    ConfigError naming every wrong entry. It seeds a new network (every text in every language)
    or is imported into one (`untranslated`: texts may lack languages but English, as the
    database's may): a running network's truth is its database (services/catalogue.py)."""
    path = Path(path or config_file())
    cfg = read_validated(path, NetworkConfig)
    problems = check_references(cfg, untranslated=untranslated)
    if problems:
        raise ConfigError(f"{path}:\n  " + "\n  ".join(problems))
    return cfg


def network_toml(document: dict, header: list[str] = ()) -> str:
    """Write a network document (config.toml's shape, as read back from a database) as TOML:
    sections as tables, entries as arrays of tables, texts per language as inline tables."""
    out = tomlkit.document()
    for line in header:
        out.add(tomlkit.comment(line))
    for key, value in document.items():
        if isinstance(value, dict):
            out.add(key, _toml_table(value))
        else:
            out.add(tomlkit.nl())
            out.add(key, tomlkit.aot())
            for item in value:
                out[key].append(_toml_table(item))
    return tomlkit.dumps(out).rstrip("\n") + "\n"


def _toml_table(entry: dict):
    table = tomlkit.table()
    for key, value in entry.items():
        if isinstance(value, list) and value and isinstance(value[0], dict) and key in ("kiosks", "displays"):
            table.add(tomlkit.nl())
            table.add(key, tomlkit.aot())
            for item in value:
                table[key].append(_toml_table(item))
        else:
            table.add(key, _toml_value(value))
    return table


def _toml_value(value):
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update({k: _toml_value(v) for k, v in value.items()})
        return inline
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_toml_value(v) for v in value)
        return array
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 20, as people write it, not 20.0
    return value
