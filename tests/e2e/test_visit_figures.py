"""The visits' figures in Chromium: the day's report (page and PDF) in English and Arabic, the live
dashboard, and the public open-data page, from hand-made step rows (tests/integration/test_visit_figures)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from queue_app.db import utcnow
from queue_app.domain.hours import service_day
from queue_app.services import create_user
from tests.conftest import MSK, PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_reports import sign_in
from tests.integration.test_visit_figures import seed


def figure(page, label: str):
    return page.locator(".report-figures div", has_text=label).locator("dd")


def test_the_days_report_shows_door_to_door_resolution_and_repeats(page, shots):
    seed()
    create_user("mira", "manager", password=PASSWORD, centres=["HQ"])
    sign_in(page, "/manager/reports?lang=en&centre=HQ&mode=day&date=2026-11-23", "mira")
    expect(figure(page, "Door to door: average")).to_have_text("40.0 min")
    expect(figure(page, "Door to door: 90% took at most")).to_have_text("40.0 min")
    expect(figure(page, "Steps per visit")).to_have_text("1.67")
    expect(figure(page, "Resolved at the first visit")).to_have_text("50%")
    expect(figure(page, "Repeat visits")).to_have_text("1")
    repeats = page.locator("table", has=page.get_by_text("Back within 30 days"))
    expect(repeats.locator("tbody tr", has_text="Passport")).to_contain_text("100%")
    unresolved = page.locator("table", has=page.get_by_role("columnheader", name="Steps"))
    expect(unresolved.locator("tbody tr")).to_have_text(re.compile(r"Tax.*Missing documents.*1"))
    assert "hash-one" not in page.content()  # no contact hash on the page
    page.screenshot(path=shots / "visit-figures-report-en.png", full_page=True)
    assert axe_problems(page) == []
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    with open(info.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    page.goto("/manager/reports?lang=ar&centre=HQ&mode=day&date=2026-11-23")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_text("حُلّت من الزيارة الأولى (كل الخطوات)")).to_be_visible()
    page.screenshot(path=shots / "visit-figures-report-ar.png", full_page=True)
    assert axe_problems(page) == []


def test_the_dashboard_shows_todays_visits(page, shots):
    seed(service_day(utcnow(), MSK))
    create_user("maria", "manager", password=PASSWORD, centres=["HQ"])
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, "/manager/HQ?lang=ru", "maria")
    expect(page.locator("#kpi-door")).to_have_text("40 мин")
    expect(page.locator("#kpi-door-note")).to_have_text("9 из 10 — не дольше 40 мин")
    expect(page.locator("#kpi-steps")).to_have_text("1,7")
    expect(page.locator("#kpi-resolved")).to_have_text(re.compile(r"50\s?%"))
    expect(page.locator("#kpi-resolved-note")).to_have_text("из 2 завершённых визитов")
    expect(page.locator("#kpi-repeat")).to_have_text("1")
    page.screenshot(path=shots / "visit-figures-dashboard-ru.png", full_page=True)
    assert axe_problems(page) == []


def test_the_open_data_page_shows_the_visits_and_hides_a_small_repeat_count(page, shots):
    seed()
    page.goto("/open-data?lang=es&from=2026-11-23&to=2026-11-23")
    table = page.get_by_role("table", name="Visitas entre organismos en Sede central")
    row = table.locator("tbody tr")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    cells = dict(zip(headers[1:], [c.strip() for c in row.locator("td").all_inner_texts()]))
    assert cells["De la entrada a la salida, media, min"] == "40,0"
    assert cells["Pasos por visita"] == "1,67"
    assert cells["Resuelto en la primera visita"].replace("\xa0", " ") in ("50 %", "50%")
    assert cells["Visitas repetidas en 30 días"] == "—"  # one repeat: fewer than five are not published
    page.screenshot(path=shots / "visit-figures-open-data-es.png", full_page=True)
    assert axe_problems(page) == []
