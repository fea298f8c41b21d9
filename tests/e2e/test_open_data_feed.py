"""The /open-data page's 15-minute feed in Chromium: its fields and the day's fields with their
descriptions in English and in Arabic (right to left, on a phone), the links to the feed and its
schema; how the wait estimates did each day; axe-core clean."""
from __future__ import annotations

from playwright.sync_api import expect

from queue_app.jobs import run_due
from tests.e2e.axe import axe_problems
from tests.integration.test_jobs import MONDAY, at
from tests.integration.test_live_feed import CLERK, PHONE, first_quarter


def test_the_feed_fields_in_english_with_links_that_answer(page, shots):
    first_quarter()
    run_due(at(MONDAY, 9, 16, ss=30))
    page.goto("/open-data?lang=en&from=2026-11-23&to=2026-11-23")
    feed = page.locator("section.feed")
    expect(feed.get_by_role("heading", level=2)).to_have_text("Every 15 minutes: the live feed")
    fields = feed.get_by_role("region", name="The fields of a 15-minute record").get_by_role("table")
    expect(fields.locator("tbody tr")).to_have_count(18)
    row = fields.locator("tbody tr", has_text="wait_p90_min")
    expect(row).to_contain_text("9 in 10 of those called had waited at most this long")
    expect(row).to_contain_text("minutes")
    expect(row).to_contain_text("null: fewer than 5 visitors")
    daily = feed.get_by_role("region", name="The fields of a day's record (the daily figures above)")
    expect(daily.locator("tbody tr", has_text="estimate_range_share")).to_contain_text(
        "share of those called and told a range (such as 12–18 min) whose real wait fell inside it")
    expect(feed.get_by_role("link", name="CC BY 4.0")).to_have_attribute(
        "href", "https://creativecommons.org/licenses/by/4.0/")
    schema = feed.get_by_role("link", name="The schema of every record (JSON Schema)")
    expect(schema).to_have_attribute("href", "/api/v1/open-data/schema")
    live = feed.get_by_role("link", name="15-minute records, JSON")
    expect(live).to_have_attribute("href", "/api/v1/open-data/live?centre=HQ&from=2026-11-23")
    assert page.request.get("/api/v1/open-data/live?centre=NYC&from=2026-11-23").json()[0]["arrivals"] == 8
    assert page.request.get("/api/v1/open-data/schema").ok
    assert CLERK not in page.content() and PHONE not in page.content()
    assert axe_problems(page) == []
    feed.scroll_into_view_if_needed()
    page.screenshot(path=shots / "open-data-feed-en.png", full_page=True)


def test_the_feed_fields_in_arabic_right_to_left_on_a_phone(page, shots):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/open-data?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    feed = page.locator("section.feed")
    expect(feed.get_by_role("heading", level=2)).to_have_text("كل 15 دقيقة: البيانات المباشرة")
    row = feed.get_by_role("table").first.locator("tbody tr", has_text="over_target_share")
    expect(row).to_contain_text("نسبة من نودوا وانتظروا أكثر من الوقت المستهدف")
    expect(row).to_contain_text("نسبة من 0 إلى 1")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "open-data-feed-ar-phone.png", full_page=True)


def test_how_the_estimates_did_each_day_in_english_and_arabic(page, shots):
    from tests.conftest import told_waits
    from tests.integration.test_estimate_accuracy import TEN, WAITS

    told_waits(TEN, WAITS, 10.0, (8, 14))  # mean error 3.5, bias −2.2, 3 of 6 inside 8–14
    page.goto("/open-data?lang=en&from=2026-11-23&to=2026-11-23")
    table = page.get_by_role("table", name="How the wait estimates did at Headquarters")
    expect(table.locator("tbody tr td")).to_have_text(["3.5", "-2.2", "50%"])
    assert axe_problems(page) == []
    table.scroll_into_view_if_needed()
    page.screenshot(path=shots / "open-data-estimates-en.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/open-data?lang=ar&from=2026-11-23&to=2026-11-23")
    expect(page.get_by_role("heading", name="مدى دقة تقديراتنا للانتظار")).to_be_visible()
    assert axe_problems(page) == []
    page.get_by_role("heading", name="مدى دقة تقديراتنا للانتظار").scroll_into_view_if_needed()
    page.screenshot(path=shots / "open-data-estimates-ar-phone.png")
