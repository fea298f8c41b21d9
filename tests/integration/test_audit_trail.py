"""The audit trail through GET /api/v1/admin/audit: filters by who, what, when and centre, pages
newest first, the before → after diff, CSV, and who may read which rows (a manager: their centres).

Roster changes write the rows: max manages HQ, ned NYC; ada is an admin; kim and lee are HQ clerks,
nora an NYC clerk of the test network.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import update

from queue_app.extensions import db
from queue_app.models import AuditEvent
from tests.conftest import error_of

URL = "/api/v1/admin/audit"
KIM = {"staff": "kim", "start": "2026-12-07T09:00:00+03:00", "end": "2026-12-07T13:00:00+03:00"}
KIM_LATER = {**KIM, "end": "2026-12-07T15:00:00+03:00"}
LEE = {"staff": "lee", "start": "2026-12-07T07:00:00Z", "end": "2026-12-07T15:00:00Z", "skills": ["tax"]}
NORA = {"staff": "nora", "start": "2026-12-07T09:00:00-05:00", "end": "2026-12-07T17:00:00-05:00"}


@pytest.fixture
def people(api):
    return {
        "max": api.staff("max", "manager", centres=["HQ"]),
        "ned": api.staff("ned", "manager", centres=["NYC"]),
        "ada": api.staff("ada", "admin", centres=[]),
        "kim": api.staff("kim", "clerk", skills=["birth", "passport"]),
        "lee": api.staff("lee", "clerk", skills=["tax"]),
    }


def put(api, token, body, centre="HQ", day="2026-12-07"):
    response = api.call("PUT", f"/api/v1/centres/{centre}/roster?date={day}", token, json=body)
    assert response.status_code == 200, response.get_json()


def dated(event_id: int, when: datetime) -> None:
    db.session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(at=when))
    db.session.commit()


@pytest.fixture
def trail(api, people):
    """Four roster changes: max at HQ (two), ned at NYC, ada at HQ; the first dated 1 December."""
    put(api, people["max"], [KIM])
    put(api, people["max"], [KIM_LATER, LEE])
    put(api, people["ned"], [NORA], centre="NYC")
    put(api, people["ada"], [LEE])
    dated(1, datetime(2026, 12, 1, 10, tzinfo=timezone.utc))
    return people


def events(api, token, query=""):
    response = api.get(f"{URL}?{query}", token)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_admin_reads_every_row_newest_first_with_the_change_as_a_diff(api, trail):
    body = events(api, trail["ada"])
    assert body["total"] == 4 and body["pages"] == 1
    assert [(e["staff"], e["centre"], e["entity"], e["action"]) for e in body["events"]] == [
        ("ada", "HQ", "roster", "replace"), ("ned", "NYC", "roster", "replace"),
        ("max", "HQ", "roster", "replace"), ("max", "HQ", "roster", "replace")]
    second = body["events"][2]  # max: kim 09–13 became kim 09–15, and lee was added
    assert second["key"] == "HQ:2026-12-07" and second["who"] == "max"
    kinds = sorted((c["kind"], (c["before"] or c["after"])["staff"]) for c in second["changes"])
    assert kinds == [("added", "kim"), ("added", "lee"), ("removed", "kim")]
    assert second["before"][0]["end"].startswith("2026-12-07T10:00:00") and len(second["after"]) == 2


@pytest.mark.parametrize("query, expected", [
    ("staff=max", 2), ("staff=ned", 1), ("staff=nobody", 0), ("centre=NYC", 1), ("centre=HQ", 3),
    ("entity=roster", 4), ("entity=device", 0), ("action=replace", 4), ("action=copy_week", 0),
    ("from=2026-12-02", 3), ("to=2026-12-01", 1), ("from=2026-12-01&to=2026-12-01", 1),
    ("staff=max&from=2026-12-02&centre=HQ", 1), ("per_page=3", 4), ("per_page=3&page=2", 4),
])
def test_filters_narrow_the_rows(api, trail, query, expected):
    body = events(api, trail["ada"], query)
    assert body["total"] == expected
    assert len(body["events"]) == {"per_page=3": 3, "per_page=3&page=2": 1}.get(query, expected)


def test_pages_follow_each_other_newest_first(api, trail):
    first = events(api, trail["ada"], "per_page=2")
    second = events(api, trail["ada"], "per_page=2&page=2")
    ids = [e["id"] for e in first["events"] + second["events"]]
    assert ids == [4, 3, 2, 1] and first["pages"] == 2
    assert events(api, trail["ada"], "per_page=2&page=3")["events"] == []


def test_a_manager_reads_only_their_centres_rows(api, trail):
    mine = events(api, trail["max"])
    assert {e["centre"] for e in mine["events"]} == {"HQ"} and mine["total"] == 3
    assert events(api, trail["ned"])["total"] == 1
    assert events(api, trail["ned"], "staff=max")["total"] == 0  # max's HQ rows are not ned's
    response = api.get(f"{URL}?centre=HQ", trail["ned"])
    assert error_of(response) == (403, "forbidden")
    assert "does not act at centre HQ" in response.get_json()["error"]["message"]


def test_clerks_are_refused_and_anonymous_callers_asked_to_sign_in(api, trail):
    response = api.get(URL, trail["kim"])
    assert error_of(response) == (403, "forbidden")
    assert api.get(URL).status_code == 401
    assert api.get(URL, api.device("kiosk", "HQ")).status_code == 403


@pytest.mark.parametrize("query, field", [
    ("colour=red", "colour"), ("from=2026-13-01", "from"), ("from=2026-12-05&to=2026-12-01", "to"),
    ("page=0", "page"), ("per_page=201", "per_page"), ("format=xml", "format"), ("centre=" + "X" * 9, "centre"),
    ("staff=", "staff"),
])
def test_bad_queries_are_refused_per_field(api, trail, query, field):
    response = api.get(f"{URL}?{query}", trail["ada"])
    assert error_of(response) == (422, "invalid")
    assert field in response.get_json()["error"]["fields"]


def test_an_unknown_centre_is_404(api, trail):
    assert error_of(api.get(f"{URL}?centre=ZZ", trail["ada"])) == (404, "not_found")


def rows_of(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_holds_every_filtered_row_by_accept_header_or_format(api, trail):
    rows = rows_of(api.get(f"{URL}?centre=HQ&per_page=1", trail["ada"], headers={"Accept": "text/csv"}))
    assert [r["id"] for r in rows] == ["4", "2", "1"]  # every row, not one page
    assert rows[1]["who"] == "max" and rows[1]["action"] == "replace"
    assert rows[1]["changes"].splitlines()[0].startswith("removed: ") and "kim" in rows[1]["changes"]
    assert rows_of(api.get(f"{URL}?format=csv&staff=ned", trail["ned"]))[0]["centre"] == "NYC"
    assert rows_of(api.get(f"{URL}?format=csv", trail["ned"])) == rows_of(api.get(f"{URL}?format=csv&centre=NYC", trail["ada"]))


def test_csv_cells_never_start_a_formula(api, people):
    put(api, people["max"], [KIM])
    db.session.execute(update(AuditEvent).values(entity_key="=HYPERLINK(\"http://x\")"))
    db.session.commit()
    assert rows_of(api.get(f"{URL}?format=csv", people["ada"]))[0]["key"].startswith("'=")


def test_the_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/admin/audit"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"staff", "entity", "action", "from", "to", "centre", "format"}
    assert {"401", "403", "422"} <= set(operation["responses"])


def test_a_catalogue_change_reads_as_its_differences_for_admins_only(api, people):
    """The catalogue's rows name no centre: an admin reads them, a manager never does."""
    from queue_app.domain.access import Actor
    from queue_app.models import Staff
    from queue_app.services.access import actor_of
    from queue_app.services.admin.catalogue import change_agency

    ada: Actor = actor_of(db.session.scalar(db.select(Staff).where(Staff.username == "ada")))
    change_agency(ada, "registry", name={"en": "Civil registry office", "es": "Registro civil",
                                         "ru": "ЗАГС", "ar": "السجل المدني"})
    change = events(api, people["ada"], "entity=agency")["events"][0]
    assert change["centre"] is None and change["who"] == "ada"
    paths = {c["path"]: c["kind"] for c in change["changes"]}
    assert paths.get("name.en") == "changed" and set(paths) <= {"name.en", "name.es", "name.ru", "name.ar"}
    assert events(api, people["max"], "entity=agency")["total"] == 0
