"""The forms of the centre pages (Flask-WTF, CSRF-protected): each turns what was typed into the
arguments of a service in queue_app/services/admin/centres.py, which checks the rules again."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ..domain.hours import ALWAYS, CLOSED, WEEKDAYS

TIME = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Write a time as HH:MM."))


def span(opens: str, closes: str) -> str:
    """The span the network file writes for a day open from `opens` to `closes` (00:00 closes at midnight)."""
    return f"{opens}-{'24:00' if closes == '00:00' else closes}"


def split(text: str) -> tuple[str, str]:
    """The opening and closing times of a span as time fields show them (24:00 as 00:00)."""
    opens, closes = text.split("-")
    return opens, "00:00" if closes == "24:00" else closes


class DetailsForm(FlaskForm):
    """An admin's form for a centre's details; name_<lang> and address_<lang> fields are added per language."""

    timezone = SelectField(_l("Timezone"), validators=[DataRequired()])
    target_wait_min = IntegerField(_l("Target wait (minutes)"), validators=[InputRequired()])
    recall_limit = IntegerField(_l("Recall limit (calls before a no-show)"), validators=[InputRequired()])
    call_timeout_min = IntegerField(_l("Call timeout (minutes)"), validators=[InputRequired()])


def details_form(languages, **kwargs) -> DetailsForm:
    """The details form with a name and an address field for each configured language."""
    class Form(DetailsForm):
        pass
    for lang in languages:
        setattr(Form, f"name_{lang.code}", StringField(_l("Name"), validators=[Length(max=200)]))
        setattr(Form, f"address_{lang.code}", TextAreaField(_l("Address"), validators=[Length(max=400)]))
    return Form(**kwargs)


class HoursForm(FlaskForm):
    """The weekly hours: open round the clock, or per weekday closed or open from–to."""

    always = BooleanField(_l("Open 24/7"))


for _day in WEEKDAYS:
    setattr(HoursForm, f"open_{_day}", BooleanField(_l("Open")))
    setattr(HoursForm, f"from_{_day}", StringField(_l("Opens"), validators=[Optional(), TIME]))
    setattr(HoursForm, f"to_{_day}", StringField(_l("Closes"), validators=[Optional(), TIME]))


def hours_value(form: HoursForm) -> str | dict:
    """The weekly hours as change_centre takes them ("24/7" or a span or "closed" per weekday)."""
    if form.always.data:
        return ALWAYS
    return {d: span(form[f"from_{d}"].data or "", form[f"to_{d}"].data or "") if form[f"open_{d}"].data else CLOSED
            for d in WEEKDAYS}


def hours_form(weekly: str | dict) -> HoursForm:
    """The weekly hours form filled with the centre's hours."""
    form = HoursForm(always=weekly == ALWAYS)
    for d in WEEKDAYS:
        day = CLOSED if weekly == ALWAYS else weekly[d]
        form[f"open_{d}"].data = day != CLOSED
        form[f"from_{d}"].data, form[f"to_{d}"].data = ("09:00", "18:00") if day == CLOSED else split(day)
    return form


class DayForm(FlaskForm):
    """An exception day or public holiday: closed all day, or open other hours; with a note."""

    date = StringField(_l("Day"), validators=[DataRequired(_l("Choose a day.")),
                                              Regexp(r"^\d{4}-\d{2}-\d{2}$", message=_l("Write a day as YYYY-MM-DD."))])
    kind = RadioField(_l("That day"), choices=[SelectChoice("closed", _l("Closed (a holiday)")),
                                                SelectChoice("hours", _l("Open other hours"))],
                      default="closed")
    opens = StringField(_l("Opens"), validators=[Optional(), TIME])
    closes = StringField(_l("Closes"), validators=[Optional(), TIME])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)],
                       description=_l("Shown to staff, e.g. the holiday's name."))

    def hours(self) -> str:
        return CLOSED if self.kind.data == "closed" else span(self.opens.data or "", self.closes.data or "")


class RemoveDayForm(FlaskForm):
    """Give a day its weekly hours back."""

    date = StringField(validators=[DataRequired()])


class CounterForm(FlaskForm):
    """Add a counter (its name optional: its number by default), or rename one."""

    name = StringField(_l("Counter name"), validators=[Optional(), Length(max=60)])


class CounterStateForm(FlaskForm):
    """Retire a counter, or bring it back."""

    active = BooleanField()
