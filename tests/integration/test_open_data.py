"""Open data: each centre's daily indicators as JSON or CSV, and the public page, with no personal data."""
from __future__ import annotations

import csv
import io

import pytest

from queue_app.extensions import limiter
from tests.conftest import error_of
from tests.integration.test_reports import CLERK_NAME, COMMENT, PHONE, seed

URL = "/api/v1/open-data/daily"


def no_personal_data(body: str) -> None:
    for secret in (CLERK_NAME, "Anna", PHONE, "9991234567", COMMENT, "anna"):
        assert secret not in body


def test_json_gives_each_centre_day_with_hand_computed_figures(client):
    seed()
    response = client.get(f"{URL}?centre=HQ&from=2026-11-23&to=2026-11-24")
    assert response.status_code == 200 and response.mimetype == "application/json"
    first, second = response.get_json()
    assert first == {"centre": "HQ", "date": "2026-11-23", "arrivals": 5, "served": 3, "no_show": 1, "cancelled": 1,
                     "transferred": 1, "average_wait_min": pytest.approx(8.4), "p90_wait_min": 20.0,
                     "within_target_share": pytest.approx(0.8), "average_handling_min": pytest.approx(11.0),
                     "satisfaction_average": pytest.approx(11 / 3), "feedback_count": 3,
                     # visits served to their end: 16, 41 and 24 min (the transfer keeps its arrival);
                     # resolved first time: 2 of the 5 that are over; no repeat (and fewer than 5 are not published)
                     "door_to_door_mean_min": pytest.approx(27.0), "door_to_door_p90_min": 41.0,
                     "steps_per_visit": 1.0,  # the transfer's two rows are one step
                     "first_visit_resolution": pytest.approx(0.4), "repeat_visits": None, "repeat_share": None,
                     # 4 visitors called were told a wait at issue (the transfer's ticket was not), none a
                     # range: fewer than 5, not published (test_estimate_accuracy.py works them by hand)
                     "estimate_mae_min": None, "estimate_bias_min": None, "estimate_range_share": None}
    assert (second["date"], second["arrivals"], second["average_wait_min"]) == ("2026-11-24", 1, 20.0)
    no_personal_data(response.get_data(as_text=True))


def test_without_a_centre_every_centre_is_listed_and_a_quiet_day_is_empty(client):
    seed()
    rows = client.get(f"{URL}?from=2026-11-23").get_json()
    assert [(r["centre"], r["date"]) for r in rows] == [("HQ", "2026-11-23")]
    assert client.get(f"{URL}?centre=NYC&from=2026-11-23").get_json() == []


def test_csv_with_the_accept_header_or_a_link(client):
    seed()
    for response in (client.get(f"{URL}?centre=HQ&from=2026-11-23&to=2026-11-24", headers={"Accept": "text/csv"}),
                     client.get(f"{URL}?centre=HQ&from=2026-11-23&to=2026-11-24&format=csv")):
        assert response.status_code == 200 and response.mimetype == "text/csv"
        body = response.get_data(as_text=True)
        rows = list(csv.DictReader(io.StringIO(body)))
        assert [r["date"] for r in rows] == ["2026-11-23", "2026-11-24"]
        assert (rows[0]["served"], rows[0]["average_wait_min"], rows[0]["satisfaction_average"]) == ("3", "8.40", "3.67")
        no_personal_data(body)


@pytest.mark.parametrize("query", [
    "",  # from is required
    "?from=23-11-2026",
    "?from=2026-11-24&to=2026-11-23",
    "?from=2025-01-01&to=2026-01-02",  # 367 days
    "?from=2026-11-23&colour=red",
    "?from=2026-11-23&format=xml",
])
def test_a_bad_query_is_a_422_json_refusal(client, query):
    response = client.get(URL + query)
    assert error_of(response) == (422, "invalid")


def test_an_unknown_centre_is_a_404(client):
    assert error_of(client.get(f"{URL}?centre=XX&from=2026-11-23")) == (404, "not_found")


def test_the_public_limit_applies(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ONEDOOR_PUBLIC_RATE_LIMIT", "2/minute")
    limiter.reset()
    try:
        assert client.get(f"{URL}?from=2026-11-23").status_code == 200
        assert client.get(f"{URL}?from=2026-11-23").status_code == 200
        assert error_of(client.get(f"{URL}?from=2026-11-23")) == (429, "rate_limited")
    finally:
        limiter.reset()


def test_the_page_shows_a_table_per_centre_and_the_data_links(client):
    seed()
    page = client.get("/open-data?from=2026-11-23&to=2026-11-24&lang=es").get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in page and "Datos abiertos" in page
    assert "Sede central" in page and "8,4" in page and "80" in page
    assert "/api/v1/open-data/daily?from=2026-11-23&amp;to=2026-11-24" in page and "format=csv" in page
    no_personal_data(page)
    assert client.get("/open-data/").status_code == 200  # with or without the slash


def test_the_page_says_when_the_period_is_wrong(client):
    response = client.get("/open-data?from=2026-11-24&to=2026-11-01")
    assert response.status_code == 422 and 'role="alert"' in response.get_data(as_text=True)


def test_rolled_up_days_come_from_centre_days_and_the_rest_from_tickets(client):
    from datetime import date, datetime, timezone

    from queue_app.extensions import db
    from queue_app.models import Centre, CentreDay

    seed()
    hq = db.session.scalar(db.select(Centre).where(Centre.code == "HQ"))
    # stored before arrivals were counted: every ticket as issued, the 2 transfers' new tickets too
    figures = {"issued": 40, "served": 36, "no_show": 2, "cancelled": 0, "transferred": 2, "average_wait_min": 7.5,
               "p90_wait_min": 14.0, "within_target_share": 0.95, "average_handling_min": 9.0}
    db.session.add(CentreDay(centre_id=hq.id, day=date(2026, 11, 23), figures=figures,
                             rolled_up_at=datetime(2026, 11, 23, 22, tzinfo=timezone.utc)))
    db.session.commit()
    first, second = client.get(f"{URL}?centre=HQ&from=2026-11-23&to=2026-11-24").get_json()
    assert (first["arrivals"], first["average_wait_min"], first["feedback_count"]) == (38, 7.5, 3)
    assert (second["arrivals"], second["average_wait_min"]) == (1, 20.0)
