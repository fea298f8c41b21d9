"""The call-next policy's knobs as people read them (a label and what each does for visitors, in the
words of config.toml's comments) and the forms that change them: the network's, and a centre's own
(each knob as the network, or set apart). The service (services/admin/policy.py) checks them again."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..config import OPTIONAL_KNOBS, knob_bounds


@dataclass(frozen=True)
class Knob:
    name: str
    label: object
    hint: object
    minutes: bool = True  # a number of minutes (else a plain number), when not yes or no

    @property
    def yes_no(self) -> bool:
        return knob_bounds(self.name) is None

    @property
    def optional(self) -> bool:
        return self.name in OPTIONAL_KNOBS


KNOBS = (  # config.toml's order
    Knob("appointment_lead_min", _l("Appointments called ahead (minutes)"),
         _l("A checked-in visitor with an appointment is due this many minutes before the slot starts, "
            "and is then called first.")),
    Knob("primary_bonus", _l("Head start for a clerk's main services"),
         _l("A clerk calls visitors of their main services as if they had waited longer: 0.5 counts "
            "their wait one and a half times."), minutes=False),
    Knob("priority_first", _l("Priority visitors first"),
         _l("Elderly, disabled and pregnant visitors (the kiosk asks) are called before everyone but "
            "appointments that are due.")),
    Knob("escalate_past_target", _l("Visitors past the target wait first"),
         _l("A visitor who has waited longer than the centre's target wait is called first, the longest "
            "wait first.")),
    Knob("route_by_pressure", _l("Help the line about to miss the target"),
         _l("A line ranks by the wait it is heading for (its waits, its length and the counters serving "
            "it), so counters help a line few of them serve. Not used while late lines give way.")),
    Knob("appointment_grace_min", _l("Grace for appointments (minutes)"),
         _l("Off: a visitor with an appointment is called first at the slot's start. Set: at the latest "
            "this many minutes after it, and a walk-in about to miss the target goes first.")),
    Knob("defer_late_min", _l("Late lines give way (minutes)"),
         _l("Off: a line past the target comes first at once. Set: a line whose visitors have all missed "
            "the target lets lines that can still make it go first, until its first visitor is this "
            "many minutes past the target. A line always keeps its arrival order.")),
    Knob("first_come_first_served", _l("Strictly first come, first served"),
         _l("On: visitors are called strictly in the order they arrived, and none of the settings "
            "above apply.")),
)
FOLLOW, ON, OFF, SET = "", "on", "off", "set"


def shown(knob: Knob, value) -> str:
    """A knob's value as the page says it."""
    if value is None or value is False and not knob.yes_no:
        return _("Off")
    if knob.yes_no:
        return _("On") if value else _("Off")
    number = f"{value:g}"
    return _("%(num)s min", num=number) if knob.minutes else number


class Number(FloatField):
    """A number as people write it: 5, not 5.0."""

    def _value(self) -> str:
        return f"{self.data:g}" if isinstance(self.data, float) and not self.raw_data else super()._value()


def _number(knob: Knob, required: bool) -> FloatField:
    low, high = knob_bounds(knob.name)
    return Number(knob.label, description=knob.hint, validators=[
        InputRequired() if required else Optional(), NumberRange(low, high, message=_l("A number from %(min)s to %(max)s."))])


class NetworkPolicyForm(FlaskForm):
    """The network's knobs: yes or no, a number, or (an optional one) minutes or empty for off."""


class CentrePolicyForm(FlaskForm):
    """A centre's knobs: each as the network, or this centre's own (a yes-or-no one on or off, a
    number, an optional one off or so many minutes)."""


for _knob in KNOBS:
    if _knob.yes_no:
        setattr(NetworkPolicyForm, _knob.name, SelectField(
            _knob.label, description=_knob.hint, choices=[SelectChoice(ON, _l("On")), SelectChoice(OFF, _l("Off"))]))
        setattr(CentrePolicyForm, _knob.name, SelectField(_knob.label, description=_knob.hint, choices=[
            SelectChoice(FOLLOW, _l("As the network")), SelectChoice(ON, _l("On")), SelectChoice(OFF, _l("Off"))]))
        continue
    setattr(NetworkPolicyForm, _knob.name, _number(_knob, required=not _knob.optional))
    setattr(CentrePolicyForm, _knob.name, _number(_knob, required=False))
    if _knob.optional:
        setattr(CentrePolicyForm, f"{_knob.name}_mode", SelectField(_knob.label, description=_knob.hint, choices=[
            SelectChoice(FOLLOW, _l("As the network")), SelectChoice(OFF, _l("Off")),
            SelectChoice(SET, _l("This many minutes"))]))


def network_form(values: dict | None = None) -> NetworkPolicyForm:
    """The network's form, filled with its knobs (none given: as sent)."""
    if values is None:
        return NetworkPolicyForm()
    return NetworkPolicyForm(data={k.name: (ON if values[k.name] else OFF) if k.yes_no else values[k.name]
                                   for k in KNOBS})


def network_values(form: NetworkPolicyForm) -> dict:
    """The knobs as change_network_policy takes them (an optional one left empty: off)."""
    return {k.name: form[k.name].data == ON if k.yes_no else form[k.name].data for k in KNOBS}


def centre_form(own: dict | None = None) -> CentrePolicyForm:
    """A centre's form, filled with its own knobs (none given: as sent)."""
    if own is None:
        return CentrePolicyForm()
    data = {}
    for k in KNOBS:
        value = own.get(k.name)
        if k.yes_no:
            data[k.name] = FOLLOW if value is None else ON if value else OFF
        elif k.optional:
            data[f"{k.name}_mode"] = FOLLOW if value is None else OFF if value is False else SET
            data[k.name] = None if value is False else value
        else:
            data[k.name] = value
    return CentrePolicyForm(data=data)


def centre_values(form: CentrePolicyForm) -> dict:
    """The knobs as change_centre_policy takes them: None follows the network, False is off."""
    out = {}
    for k in KNOBS:
        if k.yes_no:
            out[k.name] = {FOLLOW: None, ON: True, OFF: False}[form[k.name].data]
        elif k.optional:
            mode = form[f"{k.name}_mode"].data
            out[k.name] = None if mode == FOLLOW else False if mode == OFF else form[k.name].data
        else:
            out[k.name] = form[k.name].data
    return out


def missing_minutes(form: CentrePolicyForm) -> bool:
    """Mark each optional knob set to "this many minutes" without them; whether any was."""
    missing = [k for k in KNOBS if k.optional and form[f"{k.name}_mode"].data == SET and form[k.name].data is None]
    for k in missing:
        form[k.name].errors = [*form[k.name].errors, _("Write the minutes, or choose another option.")]
    return bool(missing)


def centre_section(centre, form: CentrePolicyForm | None, editable: bool) -> dict:
    """What the centre page's section on choosing the next visitor shows: each knob's value at the
    network and at the centre, and (for an admin) the form, filled with the centre's own knobs."""
    from ..services.admin.policy import answer

    policy = answer(centre)
    return {"policy": policy, "knobs": KNOBS, "shown": shown,
            "policy_form": (form or centre_form(policy["own"])) if editable else None}
