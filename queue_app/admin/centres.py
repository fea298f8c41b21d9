"""The centre pages: /admin/centres (an admin every centre, a manager theirs) and /admin/centres/<code>
— details (an admin edits them, a manager reads them), weekly hours, exception days and holidays on a
month calendar, counters, and the bookings a change left without a place. Every change goes through
the services of queue_app/services/admin/centres.py; a refusal is shown next to its field."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import available_timezones

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import format_date, format_datetime, ngettext
from wtforms import SelectChoice

from ..db import utcnow
from ..domain.errors import DomainError, Forbidden
from ..manager import managed_centre, managers_only
from ..refusals import http_status, refusal_text
from ..services import admin
from ..services.admin.centres import document, to_move
from . import bp
from .centre_calendar import chosen_month, month_grid, neighbours
from .centre_forms import (
    CounterForm, CounterStateForm, DayForm, HoursForm, RemoveDayForm, details_form, hours_form, hours_value,
)
from .policy_forms import centre_section
from .once import by, is_admin
from .routes import languages

TIMEZONES = sorted(available_timezones())


@bp.get("/centres")
@managers_only
def centres():
    """The centres the reader may change, each linking to its page and its roster."""
    return render_template("admin/centres.html", centres=admin.centres(by()))


def _details(centre, doc: dict, form=None):
    if form is None:
        form = details_form(languages(), timezone=doc["timezone"], **{k: doc[k] for k in
                            ("target_wait_min", "recall_limit", "call_timeout_min")},
                            **{f"{f}_{lang}": v for f in ("name", "address") for lang, v in doc[f].items()})
    zones = TIMEZONES if doc["timezone"] in TIMEZONES else [doc["timezone"], *TIMEZONES]
    form.timezone.choices = [SelectChoice(z, z) for z in zones]
    return form


def centre_page(code: str, *, status: int = 200, refusal: DomainError | None = None, **forms):
    """The centre's page; `forms` replace the filled-in ones (a form sent back with its errors)."""
    centre = managed_centre(code)
    doc = document(centre)
    today = utcnow().astimezone(centre.tz).date()
    month = chosen_month(request.args.get("month"), today)
    chosen = _chosen_day(request.args.get("day"), today)
    exceptions = {e["date"]: e for e in doc["exceptions"]}
    day_form = forms.get("day") or _day_form(chosen, exceptions)
    return render_template(
        "admin/centre.html", centre=centre, doc=doc, is_admin=is_admin(), languages=languages(),
        details=_details(centre, doc, forms.get("details")) if is_admin() else None,
        hours=forms.get("hours") or hours_form(doc["hours"]), day_form=day_form,
        remove_form=RemoveDayForm(), counter_form=forms.get("counter") or CounterForm(),
        rename_forms=forms.get("rename", {}), state_form=CounterStateForm(),
        grid=month_grid(centre, month, today, exceptions), month=month, months=neighbours(month), today=today,
        format_date=format_date, iso=date.fromisoformat, local=_local, counter_posted="counter" in forms, chosen=chosen,
        exceptions=exceptions, to_move=to_move(centre), refusal=refusal,
        refusal_summary=refusal_text(refusal.code) if refusal else None,
        field_errors=(refusal.details or {}).get("fields", {}) if refusal else {},
        counters=centre.counters, **centre_section(centre, forms.get("policy"), is_admin()),
    ), status


def _local(stamp: str) -> str:
    """An ISO moment with its centre's offset, written short on that clock."""
    return format_datetime(datetime.fromisoformat(stamp), "short", rebase=False)


def _chosen_day(typed: str | None, today: date) -> date:
    try:
        return max(date.fromisoformat(typed), today) if typed else today
    except ValueError:
        return today


def _day_form(day: date, exceptions: dict) -> DayForm:
    found = exceptions.get(day.isoformat())
    form = DayForm(date=day.isoformat())
    if found:
        form.note.data = found.get("note") or ""
        if found["hours"] != "closed":
            form.kind.data = "hours"
            form.opens.data, form.closes.data = found["hours"].split("-")
    return form


@bp.get("/centres/<string(maxlength=8):code>")
@managers_only
def centre(code: str):
    """The centre's page (404 unknown, 403 not the manager's)."""
    return centre_page(code)


def _back(code: str, **args):
    return redirect(url_for(".centre", code=code, **{k: v for k, v in args.items() if v}), 303)


def saved(code: str, answer: dict | None = None, **args):
    """Say it is saved (and how many bookings lost their place), then back to the page."""
    moved = len((answer or {}).get("to_move") or [])
    flash(_("Saved.") if not moved else ngettext(
        "Saved. %(num)s booking has no place any more: move it (listed below).",
        "Saved. %(num)s bookings have no place any more: move them (listed below).", moved), "info" if not moved else "error")
    return _back(code, **args)


def refused_page(code: str, exc: DomainError, **forms):
    return centre_page(code, status=http_status(exc), refusal=exc, **forms)


@bp.post("/centres/<string(maxlength=8):code>/details")
@managers_only
def change_details(code: str):
    """An admin changes the centre's names, addresses, timezone and policy knobs (a manager: 403)."""
    centre = managed_centre(code)
    if not is_admin():
        return centre_page(code, status=403, refusal=_forbidden())
    form = _details(centre, document(centre), details_form(languages()))
    if not form.validate_on_submit():
        return centre_page(code, status=422, details=form)
    langs = [lang.code for lang in languages()]
    try:
        answer = admin.change_centre(
            by(), code, name={lang: form[f"name_{lang}"].data for lang in langs},
            address={lang: form[f"address_{lang}"].data for lang in langs}, timezone=form.timezone.data,
            target_wait_min=form.target_wait_min.data, recall_limit=form.recall_limit.data,
            call_timeout_min=form.call_timeout_min.data)
    except DomainError as exc:
        return refused_page(code, exc, details=form)
    return saved(code, answer)


def _forbidden() -> DomainError:
    return Forbidden(_("Only an administrator changes a centre's details."))


@bp.post("/centres/<string(maxlength=8):code>/hours")
@managers_only
def change_hours(code: str):
    """The centre's weekly hours (its managers and admins)."""
    managed_centre(code)
    form = HoursForm()
    if not form.validate_on_submit():
        return centre_page(code, status=422, hours=form)
    try:
        answer = admin.change_centre(by(), code, hours=hours_value(form))
    except DomainError as exc:
        return refused_page(code, exc, hours=form)
    return saved(code, answer)


@bp.post("/centres/<string(maxlength=8):code>/days")
@managers_only
def set_day(code: str):
    """Make a day an exception day or a holiday, with its note; the bookings it leaves without a place listed."""
    managed_centre(code)
    form = DayForm()
    if not form.validate_on_submit():
        return centre_page(code, status=422, day=form)
    try:
        answer = admin.set_exception(by(), code, form.date.data, hours=form.hours(), note=form.note.data or None)
    except DomainError as exc:
        return refused_page(code, exc, day=form)
    return saved(code, answer, month=form.date.data[:7], day=form.date.data)


@bp.post("/centres/<string(maxlength=8):code>/days/remove")
@managers_only
def remove_day(code: str):
    """Give an exception day its weekly hours back."""
    managed_centre(code)
    form = RemoveDayForm()
    if not form.validate_on_submit():
        return centre_page(code, status=422)
    try:
        answer = admin.remove_exception(by(), code, form.date.data)
    except DomainError as exc:
        return refused_page(code, exc)
    return saved(code, answer, month=form.date.data[:7], day=form.date.data)


@bp.post("/centres/<string(maxlength=8):code>/counters")
@managers_only
def add_counter(code: str):
    """Add a counter, numbered after the last one."""
    managed_centre(code)
    form = CounterForm()
    if not form.validate_on_submit():
        return centre_page(code, status=422, counter=form)
    try:
        admin.add_counter(by(), code, name=form.name.data or None)
    except DomainError as exc:
        return refused_page(code, exc, counter=form)
    return saved(code)


@bp.post("/centres/<string(maxlength=8):code>/counters/<string(maxlength=12):counter>/name")
@managers_only
def rename_counter(code: str, counter: str):
    """Rename one of the centre's counters."""
    _own_counter(code, counter)
    form = CounterForm()
    if not form.validate_on_submit():
        return centre_page(code, status=422, rename={counter: form})
    try:
        admin.change_counter(by(), counter, name=form.name.data or "")
    except DomainError as exc:
        return refused_page(code, exc, rename={counter: form})
    return saved(code)


@bp.post("/centres/<string(maxlength=8):code>/counters/<string(maxlength=12):counter>/active")
@managers_only
def counter_state(code: str, counter: str):
    """Retire a counter (refused while a clerk holds it: 409 with what to do), or bring it back."""
    _own_counter(code, counter)
    form = CounterStateForm()
    if not form.validate_on_submit():
        return centre_page(code, status=422)
    try:
        admin.change_counter(by(), counter, active=form.active.data)
    except DomainError as exc:
        return refused_page(code, exc)
    return saved(code)


def _own_counter(code: str, counter: str) -> None:
    """404 unless `counter` is a counter of the centre `code` (which the reader may change)."""
    if not any(c.code == counter for c in managed_centre(code).counters):
        abort(404)
