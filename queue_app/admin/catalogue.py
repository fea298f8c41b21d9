"""The catalogue pages: /admin/agencies, /admin/services, /admin/life-events. Managers read them; admins
change them through the same services as /api/v1/admin (refusals shown next to the field they name)."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..domain.errors import DomainError
from ..i18n import direction, text
from ..manager import managers_only, refused
from ..refusals import http_status, refusal_text
from ..services import admin
from ..services.access import actor_of
from . import bp
from .catalogue_forms import (
    EVENT_SLOTS, ActionForm, WithdrawForm, agency_form, life_event_form, service_form, texts_of,
)
from .routes import languages


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@bp.context_processor
def catalogue_context():
    """The direction each language's inputs are written in."""
    return {"lang_direction": direction}


def _by():
    return actor_of(current_user._get_current_object())


def _admin() -> bool:
    return current_user.role == "admin"


def _only_admin():
    return None if _admin() else refused(_("Only an administrator changes the catalogue."), 403)


def _show_refusal(form, error: DomainError) -> str:
    """Put the refusal's per-field words on the fields it names; return the page's summary."""
    for name, message in (error.details.get("fields") or {}).items():
        field = form._fields.get(name.replace(".", "_"))
        if field is not None:
            field.errors = [*field.errors, message]
    return refusal_text(error.code) + " " + error.message


def _missing(texts: dict, langs) -> list[str]:
    return [lang.code for lang in langs if not (texts or {}).get(lang.code)]


def _fill_texts(form, row, langs, *, documents: bool = False) -> None:
    for lang in langs:
        form[f"name_{lang.code}"].data = row.name.get(lang.code, "")
        if documents:
            form[f"documents_{lang.code}"].data = "\n".join((row.documents or {}).get(lang.code) or [])


# ---- agencies -------------------------------------------------------------------------------------

@bp.get("/agencies")
@managers_only
def agencies():
    """Every agency with its names in each language (a missing one marked), and its services' count."""
    langs, rows = languages(), admin.agencies(_by())
    counts = {}
    for s in admin.services(_by()):
        counts[s.agency_id] = counts.get(s.agency_id, 0) + (1 if s.active else 0)
    return render_template("admin/agencies.html", rows=rows, langs=langs, counts=counts, missing=_missing,
                           editable=_admin(), action=ActionForm())


@bp.route("/agencies/new", methods=["GET", "POST"], endpoint="agency_new")
@bp.route("/agencies/<string(maxlength=40):code>", methods=["GET", "POST"], endpoint="agency_edit")
@managers_only
def agency_edit(code: str | None = None):
    """Add an agency, or rename one (admins)."""
    if (no := _only_admin()) is not None:
        return no
    langs = languages()
    row = next((a for a in admin.agencies(_by()) if a.code == code), None) if code else None
    if code and row is None:
        return refused(_("There is no such agency."), 404)
    form = agency_form(langs)
    if row is not None and not form.is_submitted():
        _fill_texts(form, row, langs)
    summary, status = None, 200
    if form.validate_on_submit():
        try:
            if row is None:
                admin.create_agency(_by(), code=form.code.data.strip(), name=texts_of(form, langs))
            else:
                admin.change_agency(_by(), code, name=texts_of(form, langs))
            flash(_("Saved."))
            return redirect(url_for("admin.agencies"))
        except DomainError as exc:
            summary, status = _show_refusal(form, exc), http_status(exc)
    elif form.is_submitted():
        summary, status = _("Correct the fields marked below."), 422
    return render_template("admin/texts_form.html", form=form, langs=langs, row=row, summary=summary,
                           kind="agency", back=url_for("admin.agencies")), status


@bp.post("/agencies/<string(maxlength=40):code>/active/<any(on,off):state>")
@managers_only
def agency_active(code: str, state: str):
    """Deactivate (when no active service is left in it) or reactivate an agency."""
    if (no := _only_admin()) is not None:
        return no
    if ActionForm().validate_on_submit():
        try:
            admin.change_agency(_by(), code, active=state == "on")
            flash(_("Saved."))
        except DomainError as exc:
            listed = ", ".join(exc.details.get("services", []))
            flash(refusal_text(exc.code) + " " + exc.message + (f" ({listed})" if listed else ""), "error")
    return redirect(url_for("admin.agencies"))


# ---- services -------------------------------------------------------------------------------------

def _agency_choices() -> list[Choice]:
    return [Choice(a.code, f"{text(a.name)} ({a.code})") for a in admin.agencies(_by()) if a.active]


@bp.get("/services")
@managers_only
def services():
    """Every service grouped by agency and line, deactivated ones too, a missing translation marked."""
    langs, rows = languages(), admin.services(_by())
    names = {a.id: a for a in admin.agencies(_by())}
    ordered = sorted(rows, key=lambda s: (s.agency_id, s.prefix, not s.active, s.position))
    groups = [(names[agency_id], [(prefix, list(line)) for prefix, line in groupby(items, key=lambda s: s.prefix)])
              for agency_id, items in groupby(ordered, key=lambda s: s.agency_id)]
    return render_template("admin/services.html", groups=groups, langs=langs, missing=_missing,
                           editable=_admin(), action=ActionForm())


@bp.route("/services/new", methods=["GET", "POST"], endpoint="service_new")
@bp.route("/services/<string(maxlength=40):code>", methods=["GET", "POST"], endpoint="service_edit")
@managers_only
def service_edit(code: str | None = None):
    """Add a service or change one: names and documents in every language, agency, line, duration,
    weight, bookable (admins)."""
    if (no := _only_admin()) is not None:
        return no
    langs = languages()
    row = next((s for s in admin.services(_by()) if s.code == code), None) if code else None
    if code and row is None:
        return refused(_("There is no such service."), 404)
    form = service_form(langs, _agency_choices())
    if row is not None and not form.is_submitted():
        _fill_texts(form, row, langs, documents=True)
        form.agency.data, form.prefix.data = row.agency.code, row.prefix
        form.duration_min.data, form.weight.data, form.bookable.data = row.duration_min, row.weight, row.bookable
    summary, status = None, 200
    if form.validate_on_submit():
        fields = dict(agency=form.agency.data, prefix=form.prefix.data.strip().upper(), name=texts_of(form, langs),
                      documents=texts_of(form, langs, "documents"), duration_min=form.duration_min.data,
                      weight=form.weight.data, bookable=form.bookable.data)
        try:
            if row is None:
                admin.create_service(_by(), code=form.code.data.strip(), **fields)
            else:
                admin.change_service(_by(), code, **fields)
            flash(_("Saved."))
            return redirect(url_for("admin.services"))
        except DomainError as exc:
            summary, status = _show_refusal(form, exc), http_status(exc)
    elif form.is_submitted():
        summary, status = _("Correct the fields marked below."), 422
    return render_template("admin/service_form.html", form=form, langs=langs, row=row, summary=summary), status


@bp.route("/services/<string(maxlength=40):code>/withdraw", methods=["GET", "POST"])
@managers_only
def service_withdraw(code: str):
    """Withdraw a service: when visitors wait for it, ask whether to move them (to which service) or
    cancel their tickets, then do it; bookings still to come are listed, and the withdrawal refused."""
    if (no := _only_admin()) is not None:
        return no
    row = next((s for s in admin.services(_by()) if s.code == code), None)
    if row is None:
        return refused(_("There is no such service."), 404)
    form = WithdrawForm()
    form.to.choices = [SelectChoice(s.code, f"{text(s.name)} ({s.code})") for s in admin.services(_by())
                       if s.active and s.code != code]
    waiting, booked, summary, status = None, None, None, 200
    if form.validate_on_submit():
        choice = {"action": form.action.data, "to": form.to.data} if form.action.data else None
        try:
            admin.change_service(_by(), code, active=False, waiting=choice)
            flash(_("The service is withdrawn."))
            return redirect(url_for("admin.services"))
        except DomainError as exc:
            waiting, booked = exc.details.get("waiting"), exc.details.get("appointments")
            summary, status = _show_refusal(form, exc), http_status(exc)
    return render_template("admin/withdraw.html", form=form, row=row, waiting=waiting, booked=booked,
                           summary=summary), status


@bp.post("/services/<string(maxlength=40):code>/restore")
@managers_only
def service_restore(code: str):
    """Offer a withdrawn service again."""
    if (no := _only_admin()) is not None:
        return no
    if ActionForm().validate_on_submit():
        try:
            admin.change_service(_by(), code, active=True)
            flash(_("Saved."))
        except DomainError as exc:
            flash(refusal_text(exc.code) + " " + exc.message, "error")
    return redirect(url_for("admin.services"))


# ---- life events ----------------------------------------------------------------------------------

@bp.get("/life-events")
@managers_only
def life_events():
    """Every life event: its names in each language and its services in order."""
    langs = languages()
    return render_template("admin/life_events.html", rows=admin.life_events(_by()), langs=langs, missing=_missing,
                           editable=_admin(), action=ActionForm())


@bp.route("/life-events/new", methods=["GET", "POST"], endpoint="life_event_new")
@bp.route("/life-events/<string(maxlength=40):code>", methods=["GET", "POST"], endpoint="life_event_edit")
@managers_only
def life_event_edit(code: str | None = None):
    """Add a life event or change one: names in every language and its services in order (admins)."""
    if (no := _only_admin()) is not None:
        return no
    langs = languages()
    row = next((e for e in admin.life_events(_by()) if e.code == code), None) if code else None
    if code and row is None:
        return refused(_("There is no such life event."), 404)
    offered = [Choice(s.code, f"{text(s.name)} ({s.code})") for s in admin.services(_by()) if s.active]
    form = life_event_form(langs, offered)
    if row is not None and not form.is_submitted():
        _fill_texts(form, row, langs)
        for i, s in enumerate(row.services[:EVENT_SLOTS]):
            form[f"service_{i}"].data = s.code
    summary, status = None, 200
    if form.validate_on_submit():
        chosen = [form[f"service_{i}"].data for i in range(EVENT_SLOTS) if form[f"service_{i}"].data]
        try:
            if row is None:
                admin.create_life_event(_by(), code=form.code.data.strip(), name=texts_of(form, langs), services=chosen)
            else:
                admin.change_life_event(_by(), code, name=texts_of(form, langs), services=chosen)
            flash(_("Saved."))
            return redirect(url_for("admin.life_events"))
        except DomainError as exc:
            summary, status = _show_refusal(form, exc), http_status(exc)
            if "services" in (exc.details.get("fields") or {}):
                form.service_0.errors = [*form.service_0.errors, exc.details["fields"]["services"]]
    elif form.is_submitted():
        summary, status = _("Correct the fields marked below."), 422
    return render_template("admin/texts_form.html", form=form, langs=langs, row=row, summary=summary,
                           kind="life_event", back=url_for("admin.life_events"),
                           slots=[form[f"service_{i}"] for i in range(EVENT_SLOTS)]), status


@bp.post("/life-events/<string(maxlength=40):code>/active/<any(on,off):state>")
@managers_only
def life_event_active(code: str, state: str):
    """Deactivate or reactivate a life event."""
    if (no := _only_admin()) is not None:
        return no
    if ActionForm().validate_on_submit():
        try:
            admin.change_life_event(_by(), code, active=state == "on")
            flash(_("Saved."))
        except DomainError as exc:
            flash(refusal_text(exc.code) + " " + exc.message, "error")
    return redirect(url_for("admin.life_events"))
