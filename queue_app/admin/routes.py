"""The admin home (/admin/): the network's health at a glance, each item linking to where to act;
and the frame every admin page shares (its navigation)."""
from __future__ import annotations

from flask import render_template
from flask_babel import format_date, format_datetime
from flask_login import current_user

from ..db import utcnow
from ..extensions import db
from ..i18n import text
from ..manager import managers_only
from ..models import Language
from ..services.access import reachable_centres
from ..services.network_health import network_health
from . import bp


@bp.context_processor
def frame():
    """What the navigation needs: the centres whose rosters and planners the reader may open."""
    if not current_user.is_authenticated or current_user.role not in ("admin", "manager"):
        return {}
    centres = [{"code": c.code, "name": text(c.name)} for c in reachable_centres(current_user)]
    return {"nav_centres": centres, "text": text}


def languages() -> list[Language]:
    return list(db.session.scalars(db.select(Language).order_by(Language.position)))


def local_time(moment, tz) -> str:
    """A moment on the centre's own clock, short."""
    return format_datetime(moment.astimezone(tz), "short", rebase=False)


@bp.get("/")
@managers_only
def home():
    """Centres open now, silent devices, failing printers, roster gaps ahead, texts missing a translation."""
    now = utcnow()
    health = network_health(current_user, now)
    chart = {"days": [format_date(d, "short") for d, _ in health.days], "gaps": [g for _, g in health.days]}
    return render_template("admin/home.html", health=health, local_time=local_time, chart=chart,
                           language_names={l.code: l.name for l in languages()}, format_date=format_date,
                           silent_minutes=int(health.silent_after.total_seconds() // 60))
