"""The call-next policy (SPEC §3) changed through the administration (SPEC §12): the network's
[policy] knobs, and the ones a centre sets apart from them (its `policy`; the others follow the
network). Only an admin changes either; a manager reads their centres'. Each change is one audited
transaction, and call-next uses it once committed (common.record has the cached policy forgotten).
"""
from __future__ import annotations

from ...config import PolicyCfg, checked_knob
from ...domain.access import ADMIN, MANAGER, Actor
from ...domain.errors import Forbidden, InvalidRequest
from ...domain.policy import overridden
from ...extensions import db
from ...models import Centre, Setting
from ..access import authorise, standing
from ..lookup import any_centre
from ..snapshot import section
from ..tx import atomic
from .centres import document
from .common import admin_only, record

KNOBS = tuple(PolicyCfg.model_fields)  # in config.toml's order


def network_values() -> dict:
    """Every knob of the network's policy (a database older than a knob: its default)."""
    return section("policy", PolicyCfg)


def _reader(by: Actor, centre: Centre | None = None) -> None:
    """Raise Forbidden unless `by` is an admin, or a manager (of `centre`, if given)."""
    role = standing(by)[0] if centre is None or by.is_device else authorise(by, centre.id)
    if by.is_device or role not in (ADMIN, MANAGER):
        raise Forbidden(f"{by.name} may not read the call-next policy")


def _checked(values: dict, *, off, follow: bool = False) -> dict:
    """The knobs given, each checked by the network file's rule (`follow`: null kept, to follow the
    network); else 422 naming every wrong one."""
    problems, out = {}, {}
    for name, value in values.items():
        if name not in KNOBS:
            problems[name] = f"not a policy setting (the settings: {', '.join(KNOBS)})"
            continue
        try:
            out[name] = None if follow and value is None else checked_knob(name, value, off=off)
        except ValueError as exc:
            problems[name] = str(exc)
    if problems:
        raise InvalidRequest("; ".join(f"{k}: {v}" for k, v in problems.items()), details={"fields": problems})
    return out


def network_policy(by: Actor) -> dict:
    """The network's knobs (admins and managers read them)."""
    _reader(by)
    return network_values()


@atomic
def change_network_policy(by: Actor, **knobs) -> dict:
    """Change the network's knobs given (admins; an optional knob null: off); the others are kept."""
    admin_only(by, "the network's call-next policy")
    checked = _checked(knobs, off=None)
    row = db.session.get(Setting, "policy", with_for_update=True)
    before = network_values()
    after = {**before, **checked}
    if after != before:
        if row is None:
            db.session.add(Setting(key="policy", value=after))
        else:
            row.value = after
        record(by, "policy", "network", "change", before, after)
    return after


def answer(centre: Centre) -> dict:
    """The centre's policy: each knob's value there, the centre's own knobs, and the network's."""
    network, own = network_values(), dict(centre.policy or {})
    return {"centre": centre.code, "effective": overridden(network, own), "own": own, "network": network}


def centre_policy(by: Actor, code: str) -> dict:
    """A centre's policy (an admin any centre's, a manager their centres')."""
    centre = any_centre(code)
    _reader(by, centre)
    return answer(centre)


@atomic
def change_centre_policy(by: Actor, code: str, **knobs) -> dict:
    """Set the centre's own knobs given (admins): a value sets it apart from the network (false on an
    optional knob: off there), null has it follow the network again."""
    admin_only(by, f"the call-next policy of centre {code}")
    centre = any_centre(code, lock=True)
    own = {**(centre.policy or {}), **_checked(knobs, off=False, follow=True)}
    before = document(centre)
    centre.policy = {name: own[name] for name in KNOBS if own.get(name) is not None}
    db.session.flush()
    after = document(centre)
    if after != before:
        record(by, "centre", code, "policy", before, after, centre_id=centre.id)
    return answer(centre)
