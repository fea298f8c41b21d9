"""The public board: /centres lists every centre's wait, sortable and "least busy near me" by district;
/centres/<code> shows a centre's day by hour and its usual busy hours; their .json twins are the
pages' polling fallback (cached per centre, like the Socket.IO pushes of board_live.py)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from ..domain.board import BY_WAIT, SORTS, board_order
from ..domain.errors import NotFound
from ..extensions import limiter
from ..i18n import text
from ..limits import PUBLIC_LIMIT
from ..services.board import board, board_json, centre_day, centre_row
from ..services.lookup import latest
from . import bp

WHEN = "EEE d MMM, HH:mm"  # a next opening or free booking time, on the centre's clock


def board_texts() -> dict:
    """The words the board's script fills in, in the page's language ({n}, {when}: its values)."""
    return {
        "open": _("Open now"), "closed": _("Closed now"), "opens": _("Opens %(when)s", when="{when}"),
        "no_wait": _("no wait"), "not_known": _("wait not known yet"),
        "minutes": _("about %(n)s min", n="{n}"), "share": _("%(n)s%%", n="{n}"), "none": "—",
        "range": _("%(low)s–%(high)s min", low="{low}", high="{high}"),
        "accuracy": _("Our estimates were within the range for %(n)s%% of visitors yesterday.", n="{n}"),
        "live": _("Updated live as tickets are issued and called."),
        "polling": _("Live updates are off: the figures refresh every 30 seconds."),
    }


def when(moment: str | None, zone: str) -> str | None:
    """An ISO moment on a centre's clock, in the page's language."""
    if moment is None:
        return None
    return format_datetime(datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)), WHEN, rebase=False)


def words(row: dict, t: dict | None = None) -> dict:
    """A board row's figures as the page says them (the script says them the same way when they change);
    `t`: board_texts(), when a page says many rows."""
    t = t or board_texts()
    if row["waiting"] == 0:
        wait = t["no_wait"]
    elif row["estimated_wait_min"] is None:
        wait = t["not_known"]
    elif row.get("estimated_wait_range_min"):
        low, high = row["estimated_wait_range_min"]
        wait = t["range"].replace("{low}", str(low)).replace("{high}", str(high))
    else:
        wait = t["minutes"].replace("{n}", str(round(row["estimated_wait_min"])))
    share = row["within_target_share"]
    inside = row.get("estimates_inside_yesterday")
    opens = when(row["opens_at"], row["timezone"])
    return {
        "state": t["open"] if row["open_now"] else (t["opens"].replace("{when}", opens) if opens else t["closed"]),
        "waiting": str(row["waiting"]), "wait": wait, "counters": str(row["counters_open"]),
        "share": t["none"] if share is None else t["share"].replace("{n}", str(round(share * 100))),
        "slot": when(row["next_slot"], row["timezone"]) or t["none"],
        "accuracy": "" if inside is None else t["accuracy"].replace("{n}", str(round(inside * 100))),
    }


def _live_data(rows: list[dict], **extra) -> dict:
    """What the board's script starts from: the rows, the words, where to poll."""
    return {"centres": rows, "texts": board_texts(), "lang": str(get_locale()), **extra}


@bp.get("/centres")
@limiter.limit(PUBLIC_LIMIT)
def centres_board():
    """Every active centre's live wait: least busy first (or by name), a chosen district's centres first."""
    sort = request.args.get("sort") or BY_WAIT
    district = request.args.get("district") or None
    if sort not in SORTS:
        abort(400)
    rows = board()
    districts = sorted({r["district"] for r in rows if r["district"]})
    if district is not None and district not in districts:
        district = None  # a district no centre is in any more (an old bookmark): the whole list

    def listing() -> Markup:
        names = {r["code"]: text(r["name"]) for r in rows}
        texts = board_texts()
        return Markup(render_template(
            "_board_list.html", rows=board_order(rows, sort, district, name=lambda r: names[r["code"]]), names=names,
            addresses={r["code"]: text(r["address"]) for r in rows}, words={r["code"]: words(r, texts) for r in rows}))
    return render_template(
        "board.html", listing=latest(f"board:list:{get_locale()}:{sort}:{district}", listing,
                                     seconds=current_app.config["ONEDOOR_PUBLIC_CACHE_SECONDS"]),
        districts=districts, district=district, sort=sort,
        data=_live_data(rows, sort=sort, district=district, poll=url_for("pages.centres_live")))


@bp.get("/centres.json")
@limiter.limit(PUBLIC_LIMIT)
def centres_live():
    """The board's figures as JSON: the pages' fallback while their socket is down."""
    return current_app.response_class(board_json(), mimetype="application/json")


@bp.get("/centres/<code>")
@limiter.limit(PUBLIC_LIMIT)
def centre_board(code: str):
    """One centre: its live figures, today's waits by hour and the usual busy hours by weekday."""
    try:
        day = centre_day(code)
    except NotFound:
        abort(404)
    usual = day["usual"]
    hours = sorted({h for by_hour in usual.values() for h in by_hour})
    return render_template(
        "board_centre.html", row=day, name=text(day["name"]), address=text(day["address"]), words=words(day),
        hourly=day["hourly"], usual=usual, hours=hours, weekdays=get_locale().days["format"]["wide"],
        busiest=max((n for by_hour in usual.values() for n in by_hour.values()), default=0),
        data=_live_data([centre_row(code)], poll=url_for("pages.centre_live", code=code),
                        hourly=day["hourly"], chart={"wait": _("Average wait (min)"), "arrivals": _("Visitors arrived")}))


@bp.get("/centres/<code>.json")
@limiter.limit(PUBLIC_LIMIT)
def centre_live(code: str):
    """One centre's board figures as JSON (404 JSON for a centre not on the board)."""
    try:
        return jsonify({"centres": [centre_row(code)]})
    except NotFound:
        return jsonify({"code": "not_found", "message": f"no centre {code!r} on the board"}), 404
