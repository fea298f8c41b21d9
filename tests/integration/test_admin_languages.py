"""The network's languages through /api/v1/admin/languages and /admin/languages (SPEC §12): admins add,
rename, reorder and remove them, each one audited transaction every face hears of; texts in a removed
language stay for its return; the network file round-trips with languages the database holds.

The test network: languages en, es, ru, ar; centres HQ and NYC; services birth, passport, tax, info.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from queue_app.extensions import db
from queue_app.models import AuditEvent, Language, Service, Setting
from queue_app.services.network_health import missing_translations
from tests.integration.test_admin_catalogue import NAME, NEW_SERVICE, audit_rows
from tests.integration.test_admin_people_pages import post
from tests.integration.test_catalogue import network_cli
from tests.integration.test_dashboard import sign_in

FRENCH = {"code": "fr", "name": "Français"}
URL = "/api/v1/admin/languages"


@pytest.fixture
def admin(api):
    return api.staff("ada", "admin", centres=())


def held() -> list[tuple[str, str]]:
    db.session.rollback()
    return [(lang.code, lang.name) for lang in db.session.scalars(select(Language).order_by(Language.position))]


def version() -> int:
    db.session.rollback()
    return db.session.get(Setting, "catalogue").value["version"] if db.session.get(Setting, "catalogue") else 0


def audit_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_an_admin_adds_french_last_and_every_text_then_lacks_it(api, admin):
    before = version()
    response = api.post(URL, admin, json=FRENCH)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["code"] == "fr" and body["position"] == 4 and body["interface"] is False and body["missing"] > 0
    assert held()[-1] == ("fr", "Français") and version() == before + 1
    (row,) = audit_rows("language")
    assert (row.action, row.entity_key, row.before) == ("create", "fr", None)
    assert row.after == {"code": "fr", "name": "Français", "position": 4, "order": ["en", "es", "ru", "ar", "fr"]}
    listed = {r["code"]: r for r in api.get(URL, admin).get_json()}
    assert [listed[c]["interface"] for c in ("en", "es", "ru", "ar")] == [True] * 4  # catalogues on disk
    assert listed["es"]["missing"] == 0
    # every active text lacks French: agencies, services, their documents, life events, centres
    lacking = {(t.kind, t.code) for t in missing_translations() if "fr" in t.languages}
    assert {("service", "birth"), ("agency", "registry"), ("centre", "HQ"), ("address", "NYC")} <= lacking
    assert listed["fr"]["missing"] == len(lacking)
    # saving a service now needs its French name too (a missing translation is shown, not hidden)
    refused = api.post("/api/v1/admin/services", admin, json=NEW_SERVICE)
    assert refused.status_code == 422 and "name.fr" in refused.get_json()["error"]["fields"]
    documents = {**NEW_SERVICE["documents"], "fr": ["Photo"]}
    added = api.post("/api/v1/admin/services", admin,
                     json={**NEW_SERVICE, "name": {**NAME, "fr": "Permis de conduire"}, "documents": documents})
    assert added.status_code == 201, added.get_json()
    # the public face offers it at once, and pages in French keep the interface in English
    assert "fr" in [lang["code"] for lang in api.get("/api/v1/languages").get_json()]


def test_rename_and_reorder_make_the_first_the_default(api, admin, client):
    assert api.post(URL, admin, json=FRENCH).status_code == 201
    renamed = api.call("PATCH", f"{URL}/fr", admin, json={"name": "français"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "français"
    moved = api.call("PATCH", f"{URL}/ar", admin, json={"position": 0})
    assert moved.status_code == 200 and moved.get_json()["position"] == 0
    assert [c for c, _ in held()] == ["ar", "en", "es", "ru", "fr"]
    change = audit_rows("language")[-1]
    assert (change.before["order"], change.after["order"]) == (["en", "es", "ru", "ar", "fr"], ["ar", "en", "es", "ru", "fr"])
    assert (change.before["position"], change.after["position"]) == (3, 0)
    # the default language of a page without a choice: the first, right to left
    page = client.get("/login", headers={"Accept-Language": "xx"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    rows = audit_count()
    assert api.call("PATCH", f"{URL}/ar", admin, json={"position": 0}).status_code == 200
    assert audit_count() == rows  # no change, no audit row


@pytest.mark.parametrize("method, url, body, field", [
    ("POST", URL, {"code": "Fr", "name": "Français"}, "code"),
    ("POST", URL, {"code": "zz", "name": "Zz"}, "code"),  # no such locale: every page in it would fail
    ("POST", URL, {"code": "es", "name": "Español"}, "code"),  # already there
    ("POST", URL, {"code": "fr", "name": "   "}, "name"),
    ("POST", URL, {"code": "fr", "name": "x" * 61}, "name"),
    ("POST", URL, {"code": "fr", "name": "Français", "position": 9}, "position"),
    ("POST", URL, {"code": "fr"}, "name"),
    ("PATCH", f"{URL}/es", {"position": 4}, "position"),
    ("PATCH", f"{URL}/es", {"name": ""}, "name"),
    ("PATCH", f"{URL}/es", {"position": "1"}, "position"),
    ("DELETE", f"{URL}/en", None, "code"),  # English stays
], ids=["upper-case", "unknown-locale", "taken", "blank-name", "long-name", "far-position", "no-name",
        "past-the-end", "empty-name", "string-position", "english"])
def test_refusals_name_the_field_and_change_nothing(api, admin, method, url, body, field):
    languages, rows, before = held(), audit_count(), version()
    response = api.call(method, url, admin, json=body) if body is not None else api.call(method, url, admin)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert (held(), audit_count(), version()) == (languages, rows, before)


def test_unknown_language_is_404(api, admin):
    assert api.call("PATCH", f"{URL}/fr", admin, json={"name": "Français"}).status_code == 404
    assert api.call("DELETE", f"{URL}/fr", admin).status_code == 404


def test_managers_clerks_and_devices_are_refused(api, client):
    manager = api.staff("mia", "manager", centres=("HQ",))
    kiosk = api.device("kiosk")
    for token in (manager, kiosk):
        assert api.get(URL, token).status_code == 403
        assert api.post(URL, token, json=FRENCH).status_code == 403
        assert api.call("PATCH", f"{URL}/es", token, json={"name": "Castellano"}).status_code == 403
        assert api.call("DELETE", f"{URL}/es", token).status_code == 403
    assert [c for c, _ in held()] == ["en", "es", "ru", "ar"]
    sign_in(client, "max", "manager")
    assert client.get("/admin/languages").status_code == 403
    assert "/admin/languages" not in client.get("/admin/").get_data(as_text=True)  # not in a manager's navigation


def test_removing_a_language_keeps_its_texts_for_its_return(api, admin):
    spanish = db.session.scalar(select(Service.name).where(Service.code == "birth"))["es"]
    removed = api.call("DELETE", f"{URL}/es", admin)
    assert removed.status_code == 200 and removed.get_json() == {"languages": ["en", "ru", "ar"]}
    (row,) = audit_rows("language")
    assert (row.action, row.before["code"], row.after) == ("remove", "es", None)
    assert db.session.scalar(select(Service.name).where(Service.code == "birth"))["es"] == spanish  # kept
    assert "es" not in [lang["code"] for lang in api.get("/api/v1/languages").get_json()]
    # a service saved meanwhile needs no Spanish, and may not have one
    name = {k: v for k, v in NAME.items() if k != "es"}
    documents = {k: v for k, v in NEW_SERVICE["documents"].items() if k != "es"}
    assert api.post("/api/v1/admin/services", admin,
                    json={**NEW_SERVICE, "name": name, "documents": documents}).status_code == 201
    back = api.post(URL, admin, json={"code": "es", "name": "Español", "position": 1})
    assert back.status_code == 201 and [c for c, _ in held()] == ["en", "es", "ru", "ar"]
    assert api.get("/api/v1/services?lang=es").status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(Service.name).where(Service.code == "birth"))["es"] == spanish
    lacking = [(t.kind, t.code) for t in missing_translations() if "es" in t.languages]
    assert lacking == [("service", "driving_licence"), ("documents", "driving_licence")]  # only what was made without it


def test_export_after_language_changes_imports_with_no_difference_and_init_keeps_them(api, admin, runner, tmp_path):
    assert api.post(URL, admin, json=FRENCH).status_code == 201
    assert api.call("PATCH", f"{URL}/ru", admin, json={"position": 1, "name": "Русский язык"}).status_code == 200
    assert api.call("DELETE", f"{URL}/ar", admin).status_code == 200
    exported = tmp_path / "exported.toml"
    network_cli(runner, "export", str(exported))
    text = exported.read_text()
    assert 'languages = ["en", "ru", "es", "fr"]' in text and 'fr = "Français"' in text
    assert "ar = " not in text  # the Arabic texts stay in the database, not in the network it describes
    assert network_cli(runner, "import", "--dry-run", str(exported)) == ["no changes"]
    result = runner.invoke(args=["init"])
    assert "changed none of its data" in result.output
    assert held() == [("en", "English"), ("ru", "Русский язык"), ("es", "Español"), ("fr", "Français")]
    # importing the file for real (a change beside) keeps the Arabic texts for Arabic's return
    exported.write_text(text.replace("duration_min = 10", "duration_min = 11", 1))
    assert network_cli(runner, "import", str(exported))[-1].endswith("applied")
    db.session.rollback()
    assert db.session.scalar(select(Service.name).where(Service.code == "birth"))["ar"]


def test_kiosks_and_displays_get_a_new_state_when_the_languages_change(api, admin, live_server):
    from tests.sockets import Screen

    display = Screen(live_server, "/display", "centre=HQ", api.device("display", "HQ"))
    try:
        version_before = display.next("state")["catalogue"]
        assert api.post(URL, admin, json=FRENCH).status_code == 201
        assert display.next("state", where=lambda s: s["catalogue"] != version_before)["catalogue"] == version_before + 1
    finally:
        display.close()
    kiosk = api.client.get(f"/kiosk?token={api.device('kiosk')}", follow_redirects=True)
    assert kiosk.status_code == 200 and 'data-lang="fr"' in kiosk.get_data(as_text=True)


# ---- the page ---------------------------------------------------------------------------------

def test_the_page_adds_renames_moves_and_removes_with_a_confirmation(client):
    sign_in(client, "ada", "admin", centres=())
    page = client.get("/admin/languages?lang=en").get_data(as_text=True)
    assert 'data-language="ar"' in page and "Español" in page and "العربية" in page  # interface catalogues listed
    assert "shown in English" in page
    answer = post(client, "/admin/languages", FRENCH, "/admin/languages")
    assert answer.status_code == 303
    page = client.get("/admin/languages?lang=en").get_data(as_text=True)
    row = page.split('data-language="fr"')[1].split("</tr>")[0]
    assert "Français" in row and "In English" in row and "/admin/#translations-title" in row
    refused = post(client, "/admin/languages?lang=en", {"code": "fr", "name": "Français"}, "/admin/languages")
    assert refused.status_code == 422 and 'id="code-error"' in refused.get_data(as_text=True)
    assert "already has language" in refused.get_data(as_text=True)
    assert post(client, "/admin/languages/fr", {"name": "Français (France)"}, "/admin/languages/fr").status_code == 303
    assert post(client, "/admin/languages/fr/move/up", {}, "/admin/languages").status_code == 303
    assert [c for c, _ in held()] == ["en", "es", "ru", "fr", "ar"]
    confirm = client.get("/admin/languages/fr/remove?lang=en").get_data(as_text=True)
    assert "if you add the language again later, they come back" in confirm
    assert post(client, "/admin/languages/fr/remove", {}, "/admin/languages/fr/remove").status_code == 303
    assert [c for c, _ in held()] == ["en", "es", "ru", "ar"]
    refused = post(client, "/admin/languages/en/remove?lang=en", {}, "/admin/languages/en/remove")
    assert refused.status_code == 422 and "English" in refused.get_data(as_text=True)
    assert [r.action for r in audit_rows("language")] == ["create", "change", "change", "remove"]


def test_a_right_to_left_language_added_gets_rtl_pages(api, admin, client):
    assert api.post(URL, admin, json={"code": "fa", "name": "فارسی"}).status_code == 201
    page = client.get("/login?lang=fa").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page and "Sign in" in page  # no Persian catalogue: English words


def test_pages_of_an_unknown_language_are_404(client):
    from tests.integration.test_dashboard import sign_in

    sign_in(client, "ada", "admin", centres=())
    for url in ("/admin/languages/xx", "/admin/languages/xx/remove"):
        answer = client.get(url + "?lang=en")
        assert answer.status_code == 404 and "no such language" in answer.get_data(as_text=True), url
