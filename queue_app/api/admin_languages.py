"""/api/v1/admin/languages: the network's languages, listed, added, renamed, reordered and removed by
admins (SPEC §12). The first is the default language of kiosks and pages."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.admin import LANGUAGE_NAME_MAX, LANGUAGE_PATTERN
from ..services import admin
from .access import actor, require
from .blueprint import Blueprint
from .schemas import Strict, Whole

blp = Blueprint("admin_languages", __name__, url_prefix="/api/v1/admin",
                description="Administration: the network's languages (SPEC §12). Every change is audited.")
LANGUAGE = "<string(maxlength=35):code>"
refusals = blp.refusals

LanguageName = lambda **kw: fields.String(validate=validate.Length(min=1, max=LANGUAGE_NAME_MAX), metadata={  # noqa: E731
    "description": "the language's name in its own script (Français, فارسی)"}, **kw)
Position = lambda **kw: Whole(validate=validate.Range(min=0, max=99), metadata={  # noqa: E731
    "description": "where it goes: 0 is the default language of kiosks and pages"}, **kw)


class AdminLanguageOut(Schema):
    code = fields.String()
    name = fields.String()
    position = fields.Integer(metadata={"description": "0: the default language"})
    missing = fields.Integer(metadata={"description": "active catalogue texts lacking this language"})
    interface = fields.Boolean(metadata={
        "description": "whether the pages' own words are translated into it (else they are shown in English)"})


class LanguageIn(Strict):
    code = fields.String(required=True, validate=validate.Regexp(LANGUAGE_PATTERN), metadata={
        "description": "a BCP 47 code such as fr, fa, uk"})
    name = LanguageName(required=True)
    position = Position()  # unset: last


class LanguageChange(Strict):
    name = LanguageName()
    position = Position()


class LanguagesLeftOut(Schema):
    languages = fields.List(fields.String(), metadata={"description": "the network's languages left, the default first"})


def _row(code: str):
    return next(row for row in admin.languages(actor()) if row.code == code)


@blp.get("/languages")
@require("admin")
@blp.response(200, AdminLanguageOut(many=True))
@refusals()
def list_languages():
    """The network's languages in order, the default first, with the catalogue texts each lacks."""
    return admin.languages(actor())


@blp.post("/languages")
@require("admin")
@blp.arguments(LanguageIn)
@blp.response(201, AdminLanguageOut)
@refusals(422)
def add_language(body):
    """Add a language (admins). Every catalogue text lacks it until written; the pages' own words stay
    in English unless `interface` says they are translated."""
    return _row(admin.add_language(actor(), **body).code)


@blp.patch(f"/languages/{LANGUAGE}")
@require("admin")
@blp.arguments(LanguageChange)
@blp.response(200, AdminLanguageOut)
@refusals(404, 422)
def change_language(body, code):
    """Rename a language or move it (position 0: the default)."""
    return _row(admin.change_language(actor(), code, **body).code)


@blp.delete(f"/languages/{LANGUAGE}")
@require("admin")
@blp.response(200, LanguagesLeftOut)
@refusals(404, 422)
def remove_language(code):
    """Take a language off the network (never English); the texts in it stay in the catalogue, so
    adding it again restores them."""
    return {"languages": admin.remove_language(actor(), code)}
