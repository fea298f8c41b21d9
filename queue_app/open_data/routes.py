"""The public /open-data page: a table per centre of its daily indicators, a chart, the data links,
and the 15-minute feed's fields with their descriptions, its schema and its licence."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _

from ..db import utcnow
from ..domain.errors import DomainError
from ..domain.hours import service_day
from ..domain.open_data_fields import DAILY, LIVE
from ..domain.report import MIN_PUBLISHED
from ..extensions import limiter
from ..i18n import text
from ..limits import PUBLIC_LIMIT
from ..services.reports import Period, centres_of, open_data, period_of
from . import bp

DEFAULT_DAYS = 7


def default_period(centres) -> Period:
    """The last week up to today, on the first centre's clock."""
    today = service_day(utcnow(), centres[0].tz) if centres else utcnow().date()
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


@bp.get("", strict_slashes=False)
@limiter.limit(PUBLIC_LIMIT)
def page():
    """Each centre's figures per day of the chosen period (the last week unless chosen)."""
    centres = centres_of(None)
    error, status = None, 200
    period = default_period(centres)
    if request.args.get("from"):
        try:
            period = period_of(start=request.args["from"], end=request.args.get("to") or request.args["from"])
        except DomainError:
            error, status = _("Choose a valid period: the end not before the start, at most 366 days."), 422
    rows = open_data(None, period)
    by_centre = {c.code: [r for r in rows if r.centre == c.code] for c in centres}
    links = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    feed = {"centre": centres[0].code, "from": period.end.isoformat()} if centres else None
    return render_template(
        "open_data/page.html", centres=centres, by_centre=by_centre, period=period, error=error, text=text,
        min_published=MIN_PUBLISHED,
        format_date=format_date, format_decimal=format_decimal, format_percent=format_percent,
        json_url=url_for("open_data_api.daily", **links),
        csv_url=url_for("open_data_api.daily", format="csv", **links),
        live_fields=LIVE, daily_fields=DAILY, schema_url=url_for("open_data_api.schema"),
        live_url=feed and url_for("open_data_api.live", **feed),
        live_csv_url=feed and url_for("open_data_api.live", format="csv", **feed),
        licence=current_app.config["ONEDOOR_OPEN_DATA_LICENCE"],
        licence_url=current_app.config["ONEDOOR_OPEN_DATA_LICENCE_URL"],
        chart={"days": sorted({r.day.isoformat() for r in rows}),
               "series": [{"label": f"{c.code} · {text(c.name)}",
                           "values": {r.day.isoformat(): r.average_wait_min for r in by_centre[c.code]}}
                          for c in centres if by_centre[c.code]],
               "title": _("Average wait (minutes)")},
    ), status
