"""The device pages (/admin/devices): the reader's kiosks and displays with when each was last seen (the
silent ones marked), printer state and fault history; registering one (its token shown once, with the
set-up address as a QR code for the technician), renaming it and setting a kiosk's printer, revoking it,
printing a test ticket (SPEC §12)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_datetime, format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from qrcode import QRCode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathImage
from wtforms import SelectField, StringField
from wtforms.validators import Length, ValidationError

from printers import open_printer

from ..api.admin_people import print_sample
from ..db import utcnow
from ..domain.errors import DomainError
from ..domain.health import SILENT_AFTER, is_silent
from ..extensions import db
from ..i18n import text
from ..manager import managers_only
from ..services import admin
from ..services.access import reachable_centres
from ..urls import device_setup_url
from . import bp
from .once import by, keep_secret, refusal, take_secret
from .staff import ActionForm


def _opens(_form, field) -> None:
    """A printer URI the printers package opens (no connection is made), as the API's schema checks."""
    if (field.data or "").strip():
        try:
            open_printer(field.data.strip())
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _printer_field(label) -> StringField:
    return StringField(label, validators=[Length(max=255), _opens],
                       description=_l("A network printer: tcp://host:9100. Leave empty for none."))


class AddDeviceForm(FlaskForm):
    """A new kiosk or display at one of the reader's centres."""

    kind = SelectField(_l("Kind"), validate_choice=False)
    centre = SelectField(_l("Centre"), validate_choice=False)
    name = StringField(_l("Name"), validators=[Length(max=80)])
    printer = _printer_field(_l("Printer (kiosks)"))


class EditDeviceForm(FlaskForm):
    """A device's name and, a kiosk's, its printer (empty: none)."""

    name = StringField(_l("Name"), validators=[Length(max=80)])
    printer = _printer_field(_l("Printer"))


def kind_names() -> dict[str, str]:
    return {"kiosk": _("Kiosk"), "display": _("Display")}


def _add_form() -> AddDeviceForm:
    form = AddDeviceForm()
    form.kind.choices = list(kind_names().items())
    form.centre.choices = [(c.code, f"{c.code} · {text(c.name)}") for c in reachable_centres(current_user)]
    return form


def seen(moment) -> dict:
    """When a device was last seen, as people say it ('2 minutes ago'), and whether it is silent."""
    now = utcnow()
    if moment is None:
        return {"text": _("Never"), "silent": True, "iso": ""}
    return {"text": _("%(ago)s ago", ago=format_timedelta(now - moment, threshold=1.0)),
            "silent": is_silent(moment, now), "iso": moment.isoformat()}


def setup_qr(url: str) -> str:
    """The set-up address as an inline SVG QR code (a phone or the kiosk's camera reads it)."""
    code = QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4, image_factory=SvgPathImage)
    code.add_data(url)
    return code.make_image().to_string(encoding="unicode")


def _listing(form: AddDeviceForm, errors: dict | None = None, summary: dict | None = None, status: int = 200):
    return render_template("admin/devices.html", devices=admin.devices(by()), form=form, errors=errors or {},
                           summary=summary, kinds=kind_names(), seen=seen,
                           silent_minutes=int(SILENT_AFTER.total_seconds() // 60)), status


@bp.get("/devices")
@managers_only
def devices():
    """The reader's devices and the form to register one."""
    return _listing(_add_form())


@bp.post("/devices")
@managers_only
def add_device():
    """Register the device, then its page shows the token and set-up QR once; a refusal beside its field."""
    form = _add_form()
    if not form.validate_on_submit():
        return _listing(form, summary={"text": _("Please check the form.")}, status=422)
    try:
        new = admin.create_device(by(), kind=form.kind.data, centre=form.centre.data,
                                  name=(form.name.data or "").strip() or None,
                                  printer=(form.printer.data or "").strip() or None)
    except DomainError as exc:
        summary, errors, status = refusal(exc)
        return _listing(form, errors, summary, status)
    keep_secret("token", str(new.device.id), token=new.token, url=device_setup_url(new.device.kind, new.token))
    return redirect(url_for("admin.device", device_id=new.device.id), 303)


def _device(device_id: int):
    found = next((d for d in admin.devices(by()) if d.id == device_id), None)
    if found is None:
        abort(404)
    return found


def _device_page(device, summary: dict | None = None, status: int = 200, errors: dict | None = None,
                 edit: EditDeviceForm | None = None):
    secret = take_secret("token", str(device.id))
    edit = edit or EditDeviceForm(formdata=None, data={"name": device.name, "printer": device.printer_uri or ""})
    page = render_template("admin/device.html", device=device, kinds=kind_names(), seen=seen, form=ActionForm(),
                           secret=secret, qr=setup_qr(secret["url"]) if secret else None, summary=summary,
                           errors=errors or {}, edit=edit, when=lambda m: format_datetime(m, "short"))
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/devices/<int(max=2147483647):device_id>")
@managers_only
def device(device_id: int):
    """One device: last seen, printer state and faults, rename, printer, test print and revoke; its token
    once after creation."""
    return _device_page(_device(device_id))


def _act(device_id: int, act, form: FlaskForm | None = None):
    """A button or form of the device's page: the form checked, then `act(device, form)` returns the message
    and its kind to show after the redirect; a refusal is shown on the device's page (beside its field)."""
    device, form = _device(device_id), form or ActionForm()
    if not form.validate_on_submit():
        checked = isinstance(form, EditDeviceForm) and "csrf_token" not in form.errors  # a field too long
        summary = _("Please check the form.") if checked else _("The form expired. Please try again.")
        return _device_page(device, summary={"text": summary}, status=422 if checked else 400,
                            edit=form if checked else None)
    try:
        message, category = act(device, form)
    except DomainError as exc:
        db.session.rollback()
        summary, errors, status = refusal(exc)
        return _device_page(_device(device_id), summary, status, errors,
                            edit=form if isinstance(form, EditDeviceForm) else None)
    flash(message, category)
    return redirect(url_for("admin.device", device_id=device_id), 303)


@bp.post("/devices/<int(max=2147483647):device_id>/edit")
@managers_only
def device_edit(device_id: int):
    """Rename the device and set, change or (left empty) remove a kiosk's printer."""
    def save(device, form: EditDeviceForm):
        fields = {"name": form.name.data or ""}
        if device.kind == "kiosk":  # a display has no printer
            fields["printer"] = (form.printer.data or "").strip() or None
        admin.change_device(by(), device.id, **fields)
        return _("The device is saved."), "info"
    return _act(device_id, save, EditDeviceForm())


@bp.get("/devices/<int(max=2147483647):device_id>/revoke")
@managers_only
def confirm_revoke(device_id: int):
    """Ask before revoking: the device stops working at once."""
    return render_template("admin/revoke.html", device=_device(device_id), kinds=kind_names(), form=ActionForm())


@bp.post("/devices/<int(max=2147483647):device_id>/revoke")
@managers_only
def revoke(device_id: int):
    """Revoke the device's token (confirmed on the page before)."""
    def revoke_it(device, _form):
        admin.revoke_device(by(), device.id)
        return _("The device is revoked: its token no longer works."), "info"
    return _act(device_id, revoke_it)


@bp.post("/devices/<int(max=2147483647):device_id>/test-print")
@managers_only
def test_print(device_id: int):
    """Print a sample ticket now and show whether the printer confirmed it, or its error."""
    def print_it(device, _form):
        actor = by()
        target = admin.test_print_target(actor, device.id)
        check = admin.record_test_print(actor, target, print_sample(target))
        if check.confirmed:
            return _("The printer confirmed the test ticket.") + (f" {check.note}" if check.note else ""), "info"
        return _("The printer did not print the test ticket: %(error)s", error=check.error), "error"
    return _act(device_id, print_it)
