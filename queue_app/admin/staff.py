"""The staff pages (/admin/staff): the people of the reader's centres filtered by centre and role, adding
a person (a manager: a clerk of their centres), and per person their skills with levels grouped by
agency, disabling and enabling, and a new password shown once. Every rule is the services' (SPEC §12)."""
from __future__ import annotations

from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import text
from ..manager import managers_only
from ..models import Agency, Service
from ..services import admin
from ..services.access import reachable_centres
from . import bp
from .once import by, is_admin, keep_secret, refusal, take_secret

LEVELS = ("primary", "secondary")


class AddStaffForm(FlaskForm):
    """A new account; the choices are the reader's (a manager: clerk, their centres)."""

    username = StringField(_l("Username"), validators=[Length(max=40)],
                           description=_l("Letters, digits and . _ @ -; up to 40."))
    name = StringField(_l("Full name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), validate_choice=False)
    centres = SelectMultipleField(_l("Centres"), validate_choice=False,
                                  description=_l("A clerk works at one centre; a manager manages one or more."))


class EditStaffForm(FlaskForm):
    """A person's name, role (an admin's to change) and centres (among the reader's)."""

    name = StringField(_l("Full name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), validate_choice=False)
    centres = SelectMultipleField(_l("Centres"), validate_choice=False, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput(),
                                  description=_l("A clerk works at one centre; a manager manages one or more."))


class ActionForm(FlaskForm):
    """A button's form: its CSRF token."""


def role_names() -> dict[str, str]:
    return {"admin": _("Administrator"), "manager": _("Manager"), "clerk": _("Clerk")}


def _add_form() -> AddStaffForm:
    form = AddStaffForm()
    roles = role_names()
    form.role.choices = list(roles.items()) if is_admin() else [("clerk", roles["clerk"])]
    form.centres.choices = [(c.code, f"{c.code} · {text(c.name)}") for c in reachable_centres(current_user)]
    return form


def _listing(form: AddStaffForm, errors: dict | None = None, summary: dict | None = None, status: int = 200):
    centre, role = request.args.get("centre", ""), request.args.get("role", "")
    people = [p for p in admin.staff_list(by())
              if (not centre or centre in {c.code for c in p.centres}) and (not role or p.role == role)]
    return render_template("admin/staff.html", people=people, form=form, errors=errors or {}, summary=summary,
                           centres=reachable_centres(current_user), chosen={"centre": centre, "role": role},
                           roles=role_names(), everywhere=is_admin()), status


@bp.get("/staff")
@managers_only
def staff():
    """The people of the reader's centres (filtered by ?centre= and ?role=) and the form to add one."""
    form = _add_form()
    form.role.data = "clerk"  # the usual new account
    if len(form.centres.choices) == 1:  # a manager of one centre adds its clerks
        form.centres.data = [form.centres.choices[0][0]]
    return _listing(form)


@bp.post("/staff")
@managers_only
def add_staff():
    """Add the person, then their page shows the first password once; a refusal beside its field (422)."""
    form = _add_form()
    if not form.validate_on_submit():
        return _listing(form, summary={"text": _("Please check the form.")}, status=422)
    try:
        person, password = admin.create_staff(by(), username=(form.username.data or "").strip(), role=form.role.data,
                                              name=(form.name.data or "").strip() or None, centres=form.centres.data)
    except DomainError as exc:
        summary, errors, status = refusal(exc)
        return _listing(form, errors, summary, status)
    keep_secret("password", person.username, password=password, first=True)
    return redirect(url_for("admin.person", username=person.username), 303)


def _person(username: str):
    found = next((p for p in admin.staff_list(by()) if p.username == username), None)
    if found is None:
        abort(404)
    return found


def may_change(person) -> bool:
    """Whether the reader may change this person's skills, account and password (the services' rule)."""
    if person.id == current_user.id:
        return False
    mine = {c.id for c in reachable_centres(current_user)}
    return is_admin() or (person.role == "clerk" and bool(person.centres)
                           and all(c.id in mine for c in person.centres))


def skill_groups(person) -> list[dict]:
    """The active services grouped by agency, each with the person's level of it ('' for none)."""
    skills = person.skill_set()
    level = {**{c: "primary" for c in skills.primary}, **{c: "secondary" for c in skills.secondary}}
    rows = db.session.execute(select(Agency, Service).join(Service, Service.agency_id == Agency.id)
                              .where(Service.active.is_(True)).order_by(Agency.id, Service.position, Service.id)).all()
    groups = []
    for agency, pairs in groupby(rows, key=lambda r: r[0]):
        services = [{"code": s.code, "name": text(s.name), "level": level.get(s.code, "")} for _, s in pairs]
        groups.append({"code": agency.code, "name": text(agency.name), "services": services,
                       "chosen": sum(1 for s in services if s["level"])})
    return groups


def _edit_form(person, submitted: bool = False) -> EditStaffForm:
    """The form of the person's name, role and centres: as posted, or as the person is now."""
    form = EditStaffForm() if submitted else EditStaffForm(formdata=None, data={
        "name": person.name, "role": person.role, "centres": [c.code for c in person.centres]})
    form.role.choices = list(role_names().items())
    form.centres.choices = [(c.code, f"{c.code} · {text(c.name)}") for c in reachable_centres(current_user)]
    return form


def kept_centres(person, form: EditStaffForm) -> list:
    """The person's centres the reader cannot tick (not theirs, or closed): kept as they are."""
    offered = {code for code, _label in form.centres.choices}
    return [c for c in person.centres if c.code not in offered]


def _person_page(person, errors: dict | None = None, summary: dict | None = None, status: int = 200,
                 edit: EditStaffForm | None = None):
    secret = take_secret("password", person.username)
    edit = edit or _edit_form(person)
    page = render_template("admin/person.html", person=person, roles=role_names(), form=ActionForm(),
                           groups=skill_groups(person) if person.role == "clerk" else [], edit=edit,
                           kept=[f"{c.code} · {text(c.name)}" for c in kept_centres(person, edit)],
                           everywhere=is_admin(),
                           changeable=may_change(person), secret=secret, errors=errors or {}, summary=summary)
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/staff/<string(maxlength=40):username>")
@managers_only
def person(username: str):
    """One person: their centres, skills by agency with levels, account; a new password once."""
    return _person_page(_person(username))


def _change(username: str, act, done: str, edit: bool = False):
    person = _person(username)
    form = _edit_form(person, submitted=True) if edit else ActionForm()
    if not form.validate_on_submit():
        checked = edit and "csrf_token" not in form.errors  # a field too long, not an expired form
        summary = _("Please check the form.") if checked else _("The form expired. Please try again.")
        return _person_page(person, summary={"text": summary}, status=422 if checked else 400,
                            edit=form if edit else None)
    try:
        act(person, form)
    except DomainError as exc:
        db.session.rollback()
        summary, errors, status = refusal(exc)
        return _person_page(_person(username), errors, summary, status, edit=form if edit else None)
    flash(done, "info")
    return redirect(url_for("admin.person", username=username), 303)


@bp.post("/staff/<string(maxlength=40):username>/skills")
@managers_only
def person_skills(username: str):
    """Save the levels chosen per service (primary, secondary or none)."""
    chosen = {level: [k.removeprefix("skill-") for k, v in request.form.items() if k.startswith("skill-") and v == level]
              for level in LEVELS}
    return _change(username, lambda p, _f: admin.change_staff(by(), p.username, **chosen), _("The skills are saved."))


@bp.post("/staff/<string(maxlength=40):username>/active")
@managers_only
def person_active(username: str):
    """Disable the account (its sign-ins and tokens stop) or enable it again."""
    active = request.form.get("active") == "1"
    return _change(username, lambda p, _f: admin.change_staff(by(), p.username, active=active),
                   _("The account is enabled.") if active else _("The account is disabled."))


@bp.post("/staff/<string(maxlength=40):username>/password")
@managers_only
def person_password(username: str):
    """A new random password, shown once on the person's page; the old one and their tokens stop working."""
    def reset(p, _form):
        keep_secret("password", p.username, password=admin.reset_password(by(), p.username), first=False)
    return _change(username, reset, _("A new password is set."))


@bp.post("/staff/<string(maxlength=40):username>/edit")
@managers_only
def person_edit(username: str):
    """Save the name, the centres ticked (with the person's others kept) and, from an admin's form, the role."""
    def save(person, form: EditStaffForm):
        ticked = list(form.centres.data or [])
        fields = {"name": form.name.data or "", "centres": ticked + [c.code for c in kept_centres(person, form)
                                                                     if c.code not in ticked]}
        if "role" in request.form:  # only an admin's form has it; the service refuses it to a manager
            fields["role"] = form.role.data
        admin.change_staff(by(), person.username, **fields)
    return _change(username, save, _("The account is saved."), edit=True)
