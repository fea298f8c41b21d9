"""Forms of the booking pages (Flask-WTF: CSRF-protected). The services check the rules again."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import validate
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain.errors import InvalidRequest
from ..domain.text import e164, has_visible_letter, trim_invisible


class ContactForm(FlaskForm):
    """Who is coming, and how the centre can reach them: a phone number, an email address or both."""

    start = SelectField(_l("Time"), validators=[DataRequired(_l("Choose a time."))], validate_choice=True)
    name = StringField(_l("Your name"), filters=[lambda v: trim_invisible(v) if v else v],
                       validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=32)],
                        description=_l("In international form, e.g. +34 612 345 678"))
    email = StringField(_l("Email address"), validators=[Optional(), Length(max=254)])
    language = SelectField(_l("Language for messages"))

    def validate_name(self, field):
        if not has_visible_letter(field.data or ""):
            raise ValidationError(_l("Enter your name."))

    def validate_phone(self, field):
        try:
            field.data = e164(field.data)
        except InvalidRequest:
            raise ValidationError(_l("This is not a phone number: write it with the country code, "
                                     "e.g. +34 612 345 678.")) from None

    def validate_email(self, field):
        try:
            validate.Email()(field.data)
        except ma.ValidationError:
            raise ValidationError(_l("This is not an email address.")) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.phone.data or self.email.data) and not (self.phone.errors or self.email.errors):
            self.phone.errors = [*self.phone.errors,
                                 _l("Give a phone number or an email address, so the centre can reach you.")]
            return False
        return valid


class CodeForm(FlaskForm):
    code = StringField(_l("Appointment code"), validators=[DataRequired(_l("Enter your appointment code.")),
                                                             Length(max=32)],
                       description=_l("8 letters and digits, e.g. K7QW 3ZP2"))


class MoveForm(FlaskForm):
    start = RadioField(_l("New time"), validators=[DataRequired(_l("Choose a time."))], validate_choice=True)


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""
