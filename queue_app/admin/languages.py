"""The network's languages at /admin/languages (admins): add, rename, move, remove — through the same
services as /api/v1/admin/languages, a refusal shown beside the field it names."""
from __future__ import annotations

import functools

from babel import Locale

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from ..domain.admin import LANGUAGE_NAME_MAX
from ..domain.errors import DomainError
from ..i18n import direction
from ..manager import managers_only, refused
from ..services import admin
from . import bp
from .catalogue_forms import ActionForm
from .once import by, refusal


class LanguageForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Length(max=35)],
                       description=_l("A BCP 47 code, such as fr, fa or uk."))
    name = StringField(_l("Name in the language itself"), validators=[Length(max=LANGUAGE_NAME_MAX)],
                       description=_l("As its speakers write it, such as Français or فارسی."))


class RenameForm(FlaskForm):
    name = StringField(_l("Name in the language itself"), validators=[Length(max=LANGUAGE_NAME_MAX)])


def admins_only(view):
    """Signed in as an administrator: the network's languages are the admin's (managers: 403)."""

    @functools.wraps(view)
    @managers_only
    def wrapper(*args, **kwargs):
        if current_user.role != "admin":
            return refused(_("Only an administrator changes the network's languages."), 403)
        return view(*args, **kwargs)

    return wrapper


def _own_name(code: str) -> str:
    """A language's name in its own script, as Babel knows it (Español, العربية)."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def _row(code: str):
    """The language of the URL; else the refusal page (404)."""
    row = next((row for row in admin.languages(by()) if row.code == code), None)
    if row is None:
        abort(make_response(refused(_("The network has no such language."), 404)))
    return row


def _page(form: LanguageForm, errors: dict | None = None, summary: dict | None = None, status: int = 200):
    interface = [(code, _own_name(code)) for code in admin.interface_languages()]
    return render_template("admin/languages.html", rows=admin.languages(by()), form=form, errors=errors or {},
                           summary=summary, interface=interface, action=ActionForm(), direction=direction), status


@bp.get("/languages")
@admins_only
def languages():
    """The network's languages in order (the first the default), the texts each lacks, the form to add one."""
    return _page(LanguageForm())


@bp.post("/languages")
@admins_only
def add_language():
    """Add a language at the end; a refusal beside its field (422)."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return _page(form, summary={"text": _("Please check the form.")}, status=422)
    try:
        lang = admin.add_language(by(), code=(form.code.data or "").strip(), name=form.name.data or "")
    except DomainError as exc:
        summary, errors, status = refusal(exc)
        return _page(form, errors, summary, status)
    flash(_("%(name)s was added. Every catalogue text lacks it until it is written.", name=lang.name))
    return redirect(url_for("admin.languages"), 303)


@bp.route("/languages/<string(maxlength=35):code>", methods=["GET", "POST"])
@admins_only
def rename_language(code: str):
    """Rename a language (its name in its own script)."""
    row = _row(code)
    form = RenameForm()
    errors, summary, status = {}, None, 200
    if not form.is_submitted():
        form.name.data = row.name
    elif not form.validate():
        summary, status = {"text": _("Please check the form.")}, 422
    else:
        try:
            admin.change_language(by(), code, name=form.name.data or "")
            flash(_("Saved."))
            return redirect(url_for("admin.languages"), 303)
        except DomainError as exc:
            summary, errors, status = refusal(exc)
    return render_template("admin/language.html", row=row, form=form, errors=errors, summary=summary,
                           direction=direction), status


@bp.post("/languages/<string(maxlength=35):code>/move/<any(up,down):way>")
@admins_only
def move_language(code: str, way: str):
    """Move a language one place up (towards the default) or down."""
    row = _row(code)
    if ActionForm().validate_on_submit():
        try:
            admin.change_language(by(), code, position=row.position + (-1 if way == "up" else 1))
            flash(_("Saved."))
        except DomainError as exc:
            flash(refusal(exc)[0]["text"] + " " + exc.message, "error")
    return redirect(url_for("admin.languages"), 303)


@bp.route("/languages/<string(maxlength=35):code>/remove", methods=["GET", "POST"])
@admins_only
def remove_language(code: str):
    """Ask, then take a language off the network; its texts stay in the catalogue for its return."""
    row = _row(code)
    form, summary, status = ActionForm(), None, 200
    if form.validate_on_submit():
        try:
            admin.remove_language(by(), code)
            flash(_("%(name)s was removed from the network.", name=row.name))
            return redirect(url_for("admin.languages"), 303)
        except DomainError as exc:
            summary, _fields, status = refusal(exc)
    return render_template("admin/language_remove.html", row=row, form=form, summary=summary,
                           direction=direction), status
