"""The network overview tells each centre's time on that centre's clock, naming the zone where the
centres' zones differ (HQ in Moscow, NYC in New York), never the server's UTC."""
from __future__ import annotations

import re

import pytest
from babel.dates import format_time

from queue_app.db import utcnow
from queue_app.manager.dashboard import common_zone
from queue_app.extensions import db
from queue_app.models import Centre
from tests.integration.test_reports import sign_in

ZONES = {"HQ": ("Europe/Moscow", {"en": "Moscow Time", "ru": "Москва"}),
         "NYC": ("America/New_York", {"en": "Eastern Time", "ru": "Восточная Америка"})}


def clocks(code: str, language: str, before, after) -> set[str]:
    """The centre's local time as the page may print it, read between `before` and `after`."""
    tz = db.session.scalar(db.select(Centre).where(Centre.code == code)).tz
    return {format_time(t.astimezone(tz), "short", locale=language) for t in (before, after)}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_each_centre_on_its_own_clock_with_its_zone_named(ctx, client, language):
    sign_in(client, "root", "admin", centres=())
    before = utcnow()
    page = client.get(f"/manager?lang={language}").get_data(as_text=True)
    rows = {r["code"]: r for r in client.get("/manager/network.json").get_json()["centres"]}
    after = utcnow()
    for code, (zone, names) in ZONES.items():
        row = page.split(f'data-centre="{code}"')[1].split("</tr>")[0]
        shown = re.search(r"<time>([^<]+)</time> <span class=\"zone\">([^<]+)</span>", row)
        assert shown, row
        assert shown.group(1) in clocks(code, language, before, after)
        assert shown.group(2) == names[language]
        assert rows[code]["timezone"] == zone and rows[code]["local_time"] in clocks(code, language, before, after)
    utc = {format_time(t, "short", tzinfo=None, locale=language) for t in (before, after)}
    hq = page.split('data-centre="HQ"')[1].split("</tr>")[0]
    assert not any(f"<time>{u}</time>" in hq for u in utc)  # Moscow is 3 hours from UTC


def test_one_zone_for_all_is_named_once_in_the_heading():
    rows = [{"timezone": "Europe/Moscow"}, {"timezone": "Europe/Moscow"}]
    assert common_zone(rows) == "Europe/Moscow"
    assert common_zone([*rows, {"timezone": "America/New_York"}]) is None
    assert common_zone([]) is None


def test_a_network_of_one_zone_names_it_in_the_heading(ctx, client):
    nyc = db.session.scalar(db.select(Centre).where(Centre.code == "NYC"))
    nyc.timezone = "Europe/Moscow"
    db.session.commit()
    sign_in(client, "root", "admin", centres=())
    page = client.get("/manager?lang=en").get_data(as_text=True)
    assert '<span class="zone">(Moscow Time)</span></th>' in page
    assert '<span class="zone">Moscow Time</span></td>' not in page  # not again on every row
