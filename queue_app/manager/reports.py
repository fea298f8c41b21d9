"""Reports at /manager/reports: a centre's (or, for administrators, the network's) day or period,
as a page with charts, a PDF and a CSV (one line per centre-day)."""
from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..db import utcnow
from ..domain.errors import InvalidRequest
from ..domain.hours import service_day
from ..i18n import text
from ..models import Centre
from ..services.reports import CentreReport, build_report, centres_of, csv_text, period_of
from . import bp, managed_centre, managers_only
from .report_files import detail_tables, figure_rows, pdf_bytes, title_of


def choosable_centres() -> list[Centre]:
    return centres_of(None) if current_user.role == "admin" else list(current_user.centres)


class FormError(Exception):
    """What the report form must say instead of a report."""


def requested() -> tuple[dict, CentreReport | None]:
    """The form's values and, when it was sent, the report they ask for (FormError if they are wrong)."""
    centres = choosable_centres()
    args = request.args
    form = {"centre": args.get("centre", centres[0].code if centres else ""), "mode": args.get("mode", "day"),
            "date": args.get("date", ""), "from": args.get("from", ""), "to": args.get("to", "")}
    if form["mode"] not in ("day", "period"):
        form["mode"] = "day"
    if not (args.get("date") or args.get("from")):
        return form, None
    if not form["centre"] and current_user.role != "admin":
        raise FormError(_("Only administrators see the whole network."))
    if form["centre"]:
        managed_centre(form["centre"])  # 404 unknown, 403 not theirs
    try:
        if form["mode"] == "day":
            period = period_of(day=form["date"])
        else:
            period = period_of(start=form["from"], end=form["to"] or form["from"])
    except InvalidRequest:
        raise FormError(
            _("Choose a valid date, or a period whose end is not before its start (at most 366 days).")) from None
    return form, build_report(form["centre"] or None, period)


def default_day(centres: list[Centre]) -> str:
    tz = centres[0].tz if centres else None
    return service_day(utcnow(), tz).isoformat() if tz else ""


@bp.get("/reports")
@managers_only
def reports():
    """The form, and below it the chosen report's figures, charts and download links."""
    centres = choosable_centres()
    error, result, status = None, None, 200
    try:
        form, result = requested()
    except FormError as exc:
        form, error, status = {**request.args.to_dict()}, str(exc), 422
    form.setdefault("date", "")
    if not form.get("date"):
        form["date"] = default_day(centres)
    return render_template(
        "manager/reports.html", centres=centres, text=text, form=form, error=error, result=result,
        title=title_of(result) if result else None, figures=figure_rows(result) if result else [],
        tables=detail_tables(result) if result else [], downloads=request.args.to_dict() if result else None,
    ), status


def _download(render, mimetype: str, extension: str):
    try:
        _form, result = requested()
    except FormError as exc:
        return render_template("manager/refused.html", message=str(exc)), 422
    if result is None:
        return render_template("manager/refused.html", message=_("Choose a day or a period first.")), 422
    where = result.centre.code if result.centre else "network"
    name = f"onedoor-{where}-{result.period.start.isoformat()}"
    if result.period.end != result.period.start:
        name += f"-{result.period.end.isoformat()}"
    return Response(render(result), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@bp.get("/reports.pdf")
@managers_only
def report_pdf():
    return _download(pdf_bytes, "application/pdf", "pdf")


@bp.get("/reports.csv")
@managers_only
def report_csv():
    return _download(lambda result: csv_text(result.report.days), "text/csv; charset=utf-8", "csv")
