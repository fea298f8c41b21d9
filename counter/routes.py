"""The clerk's page at /counter: pick a counter, then open, call and serve it without reloading."""
from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from . import bp
from queue_app.services.access import acts_at

from .views import find_counter, held_counter, pick_view, work_data

STAFF = ("clerk", "manager", "admin")


def refused(message: str, status: int):
    return render_template("counter/refused.html", message=message), status


@bp.get("")
@login_required
def page():
    """Without ?counter=: choose one (or go back to the one this clerk holds); with it: work there."""
    if current_user.role not in STAFF:
        return refused(_("Only clerks, managers and administrators use the counter page."), 403)
    code = request.args.get("counter")
    if code is None:
        held = held_counter(current_user)
        if held is not None and not request.args.get("choose"):
            return redirect(url_for(".page", counter=held.code))
        view = pick_view(current_user, request.args.get("centre"), session.get("counter"))
        return render_template("counter/pick.html", **view)
    counter = find_counter(code)
    if counter is None:
        return refused(_("There is no counter %(code)s.", code=code), 404)
    if not acts_at(current_user, counter.centre_id):
        return refused(_("Counter %(code)s is in a centre where you do not work.", code=counter.code), 403)
    session["counter"] = counter.code  # step 1 marks it as the last one used
    return render_template("counter/work.html", data=work_data(counter, current_user), counter=counter)


@bp.get("/")
def slash():
    """People type /counter/ too."""
    return redirect(url_for(".page", **request.args))


@bp.get("/csrf-token")
def csrf():
    """A fresh X-CSRFToken for the page's API calls: the one it loaded with expires within a shift."""
    if not current_user.is_authenticated:
        return jsonify(error={"code": "unauthorized", "message": "sign in again"}), 401
    return jsonify(token=generate_csrf())
