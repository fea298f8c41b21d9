"""Forms of the pages (Flask-WTF: CSRF-protected)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, PasswordField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..domain.errors import InvalidRequest
from ..domain.feedback import COMMENT_MAX
from ..domain.remote import normalise_phone
from ..domain.visits import MAX_STEPS


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class LogoutForm(FlaskForm):
    pass


def international_phone(form, field) -> None:
    """Keep the number in E.164 form, or say how to write it."""
    try:
        field.data = normalise_phone(field.data)
    except InvalidRequest:
        raise ValidationError(_l("Write the number in international form, with its country code, "
                                 "e.g. +34 612 345 678.")) from None


class JoinForm(FlaskForm):
    """Join today's queue from home; the choices are filled in by the view."""

    centre = RadioField(_l("Centre"), validate_choice=False,
                        validators=[InputRequired(message=_l("Choose a centre."))])
    service = SelectField(_l("Service"), validate_choice=False,
                          validators=[InputRequired(message=_l("Choose a service."))])
    phone = TelField(_l("Mobile phone number"),
                     validators=[InputRequired(message=_l("A phone number is needed to join from home.")),
                                 Length(max=32), international_phone],
                     description=_l("With the country code, e.g. +34 612 345 678. One place per number "
                                    "and centre a day; it is never shown on the ticket's page."))

    # A visit of several services joined from home: the later steps, in order (blank: none)
    more = FieldList(SelectField(validate_choice=False), min_entries=MAX_STEPS - 1, max_entries=MAX_STEPS - 1)

    centre_names: dict[str, str] = {}  # code → name, set by the view (the radios are drawn by the page)

    @property
    def services(self) -> list[str]:
        """The visit's services in order: the first, then each later step chosen."""
        return [self.service.data, *(entry.data for entry in self.more if entry.data)]

    def validate_centre(self, field) -> None:
        if field.data not in self.centre_names:
            raise ValidationError(_l("Choose a centre."))

    def validate_service(self, field) -> None:
        known = {choice.value for choice in self.service.choices} - {""}
        if not field.data or not set(self.services) <= known:
            raise ValidationError(_l("Choose a service."))
        if len(set(self.services)) != len(self.services):
            raise ValidationError(_l("Choose each service once: a visit takes each service once."))


RATING_LABELS = {  # worst to best, the order of the radio group (arrow keys move along it)
    1: _l("Very poor"), 2: _l("Poor"), 3: _l("Fair"), 4: _l("Good"), 5: _l("Excellent"),
}


class FeedbackForm(FlaskForm):
    """How a finished visit went: 1–5 and an optional comment."""

    rating = RadioField(_l("How was your visit?"), coerce=int, validate_choice=False,  # the page draws the radios
                        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))])
    comment = TextAreaField(_l("Anything you would like to tell us? (optional)"),
                            validators=[Optional(), Length(max=COMMENT_MAX, message=_l(
                                "Please keep the comment under %(max)d characters."))])

    def validate_rating(self, field) -> None:
        if field.data not in RATING_LABELS:
            raise ValidationError(_l("Choose a rating from 1 to 5."))
