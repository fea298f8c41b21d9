"""The catalogue pages' forms (Flask-WTF, CSRF-protected): texts in every configured language side by side."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, FloatField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

EVENT_SLOTS = 8  # a life event lists up to this many services, in order


class ActionForm(FlaskForm):
    """A button that changes one thing (deactivate, reactivate): its CSRF token only."""


class WithdrawForm(FlaskForm):
    """What becomes of the visitors waiting for a service being withdrawn."""

    action = RadioField(_l("The visitors waiting for it"), choices=[
        SelectChoice("transfer", _l("Move them to another service, keeping their place")),
        SelectChoice("cancel", _l("Cancel their tickets"))], validators=[Optional()])
    to = SelectField(_l("Move them to"), validate_choice=False, validators=[Optional()])


def _with_texts(base: type, languages: list, *, documents: bool = False) -> type:
    """`base` with a name field (and a documents list, one per line) in each language."""
    fields = {f"name_{lang.code}": StringField(_l("Name"), validators=[Length(max=200)]) for lang in languages}
    if documents:
        fields |= {f"documents_{lang.code}": TextAreaField(_l("Documents to bring"), description=_l("One per line"))
                   for lang in languages}
    return type(base.__name__, (base,), fields)


class _AgencyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Length(max=40)])


class _ServiceForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Length(max=40)])
    agency = SelectField(_l("Agency"), validate_choice=False)
    prefix = StringField(_l("Line (ticket prefix)"), validators=[InputRequired(), Length(max=3)],
                         description=_l("1–3 letters; services of one agency may share a line."))
    duration_min = FloatField(_l("Usual duration (minutes)"), validators=[InputRequired()])
    weight = FloatField(_l("Weight in the queue"), default=1.0, validators=[InputRequired()])
    bookable = BooleanField(_l("Bookable online"), default=True)


class _LifeEventForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Length(max=40)])


def agency_form(languages: list, **kwargs) -> FlaskForm:
    return _with_texts(_AgencyForm, languages)(**kwargs)


def service_form(languages: list, agencies: list, **kwargs) -> FlaskForm:
    form = _with_texts(_ServiceForm, languages, documents=True)(**kwargs)
    form.agency.choices = [SelectChoice(a.code, a.label) for a in agencies]
    return form


def life_event_form(languages: list, services: list, **kwargs) -> FlaskForm:
    slots = {f"service_{i}": SelectField(_l("Service %(n)s", n=i + 1), validate_choice=False)
             for i in range(EVENT_SLOTS)}
    form = type("LifeEventForm", (_with_texts(_LifeEventForm, languages),), slots)(**kwargs)
    for i in range(EVENT_SLOTS):
        form[f"service_{i}"].choices = [SelectChoice("", "—"), *(SelectChoice(s.code, s.label) for s in services)]
    return form


def texts_of(form: FlaskForm, languages: list, prefix: str = "name") -> dict:
    """The per-language fields as the services take them ({lang: text}; documents as lists)."""
    if prefix == "documents":
        return {lang.code: [line.strip() for line in (form[f"documents_{lang.code}"].data or "").splitlines()
                            if line.strip()] for lang in languages}
    return {lang.code: (form[f"{prefix}_{lang.code}"].data or "") for lang in languages}
