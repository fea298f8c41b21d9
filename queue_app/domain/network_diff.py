"""What importing a network file into a running network changes (SPEC §4).

Both sides are *documents* of config.toml's shape (plain dicts: the file as read, the database as
exported). Each is flattened into entities keyed by kind and code, whose fields are compared one by
one. Entities missing from the file are deactivated when their kind has an `active` flag; the
others (staff, devices, counters) are left as they are, and the diff says so.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .hours import ALWAYS, format_span, parse_span

SECTIONS = ("policy", "appointments", "remote", "notifications", "defaults")
DEACTIVATED = {"agency", "service", "life event", "centre"}  # kinds with an `active` flag
LEFT = {  # kinds import never removes, and why
    "staff": "import never disables an account (queue-app disable-user does)",
    "kiosk": "import never revokes a device (queue-app revoke-device does)",
    "display": "import never revokes a device (queue-app revoke-device does)",
}
Key = tuple[str, str]


@dataclass
class NetworkDiff:
    """The changes grouped as the command prints them; `left`: what import leaves, and why."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.deactivated)

    def lines(self) -> list[str]:
        out = []
        for title, items in (("added", self.added), ("changed", self.changed), ("deactivated", self.deactivated),
                             ("left as they are", self.left)):
            if items:
                out.append(f"{title}:")
                out.extend(f"  {item}" for item in items)
        return out if self else ["no changes", *out]


def show(value) -> str:
    """A value as the diff prints it: TOML-like, floats without a needless `.0`."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flat(prefix: str, mapping: dict) -> dict:
    return {f"{prefix}.{k}": v for k, v in sorted(mapping.items())}


def _span(text: str) -> str:
    return format_span(parse_span(text))


def _centre(c: dict, defaults: dict) -> dict:
    hours = c["hours"]
    fields = {**_flat("name", c["name"]), **_flat("address", c["address"]), "timezone": c["timezone"]}
    if hours == ALWAYS:
        fields["hours"] = ALWAYS
    else:
        fields.update(_flat("hours", {d: _span(s) for d, s in hours.items()}))
    exceptions = c.get("exceptions", [])
    fields.update(_flat("exceptions", {str(e["date"]): _span(e["hours"]) for e in exceptions}))
    fields.update(_flat("exceptions", {f'{e["date"]}.note': e["note"] for e in exceptions if e.get("note")}))
    for name in ("target_wait_min", "recall_limit", "call_timeout_min"):
        fields[name] = defaults[name] if c.get(name) is None else c[name]
    fields.update(_flat("policy", {k: v for k, v in (c.get("policy") or {}).items() if v is not None}))
    fields["counters"] = c["counters"]
    return fields


def entities(doc: dict) -> dict[Key, dict]:
    """Flatten a document into {(kind, code): {field: value}}, centre settings resolved."""
    out: dict[Key, dict] = {}
    if "network" in doc:
        net = doc["network"]
        out["network", ""] = {"name": net["name"], "languages": list(net["languages"]),
                              **_flat("language_names", net["language_names"])}
    for section in SECTIONS:
        if section in doc:
            out[section, ""] = dict(doc[section])
    for a in doc.get("agencies", []):
        out["agency", a["code"]] = _flat("name", a["name"])
    for s in doc.get("services", []):
        out["service", s["code"]] = {
            "agency": s["agency"], "prefix": s["prefix"], **_flat("name", s["name"]),
            "duration_min": s["duration_min"], "weight": s.get("weight", 1.0), "bookable": s.get("bookable", True),
            **_flat("documents", s.get("documents", {})),
        }
    for e in doc.get("life_events", []):
        out["life event", e["code"]] = {**_flat("name", e["name"]), "services": list(e["services"])}
    for c in doc.get("centres", []):
        out["centre", c["code"]] = _centre(c, doc["defaults"])
        for kind in ("kiosk", "display"):
            for d in c.get(f"{kind}s", []):
                out[kind, f'{c["code"]} "{d["name"]}"'] = {"printer": d.get("printer")}
    for p in doc.get("staff", []):
        out["staff", p["username"]] = {
            "name": p["name"], "role": p["role"],
            **{k: sorted(p.get(k, [])) for k in ("centres", "primary", "secondary")},
        }
    return out


def _fields(label: str, old: dict, new: dict) -> list[str]:
    return [f"{label}: {name}: {show(old.get(name))} → {show(new.get(name))}"
            for name in [*old, *(n for n in new if n not in old)] if old.get(name) != new.get(name)]


def _order(kind: str, before: list[str], after: list[str]) -> list[str]:
    """A change of the order the faces list things in, among the codes both sides hold."""
    kept_before = [c for c in before if c in after]
    kept_after = [c for c in after if c in before]
    if kept_before == kept_after:
        return []
    return [f"{kind}: order: {', '.join(kept_before)} → {', '.join(kept_after)}"]


def diff(database: dict, file: dict, dormant: dict | None = None) -> NetworkDiff:
    """Compare what the database holds with a file; `dormant` holds its inactive rows (a file
    naming one of them reactivates it)."""
    before, after, asleep = entities(database), entities(file), entities(dormant or {})
    result = NetworkDiff()
    for key, fields in after.items():
        kind, code = key
        label = f"{kind} {code}".rstrip()
        if key in before:
            old = before[key]
            if kind == "centre" and fields["counters"] < old["counters"]:
                result.left.append(f"{label}: {old['counters']} counters, the file has {fields['counters']}: "
                                   "a counter is never removed")
                fields = {**fields, "counters": old["counters"]}
            result.changed.extend(_fields(label, old, fields))
        elif key in asleep:  # a deactivated row, or a device of a deactivated centre
            if kind in DEACTIVATED:
                result.changed.append(f"{label}: active: false → true")
            result.changed.extend(_fields(label, asleep[key], fields))
        else:
            result.added.append(label)
    for key in before:
        if key not in after:
            kind, code = key
            if kind in DEACTIVATED:
                result.deactivated.append(f"{kind} {code}")
            elif kind == "staff" or ("centre", code.split()[0]) in after:  # not a device of a centre going
                result.left.append(f"{kind} {code}: not in the file; {LEFT[kind]}")
    for kind, plural in (("services", "services"), ("life events", "life_events")):
        result.changed.extend(_order(kind, [x["code"] for x in database.get(plural, [])],
                                     [x["code"] for x in file.get(plural, [])]))
    return result
