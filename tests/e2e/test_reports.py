"""Reports in Chromium: a manager picks a day, reads the figures, downloads the PDF; the public
open-data page in Spanish, on a desktop and a phone."""
from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import expect

from queue_app.services import create_user
from tests.conftest import PASSWORD
from tests.integration.test_reports import CLERK_NAME, PHONE, seed


def sign_in(page, next_url: str, username: str) -> None:
    page.goto(f"/login?next={quote(next_url)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_manager_picks_a_day_reads_the_figures_and_downloads_the_pdf(page, shots):
    seed()
    create_user("mira", "manager", password=PASSWORD, centres=["HQ"])
    sign_in(page, "/manager/reports?lang=en", "mira")
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    page.get_by_label("Centre").select_option("HQ")
    page.get_by_label("One day").check()
    page.get_by_label("Day", exact=True).fill("2026-11-23")
    page.get_by_role("button", name="Show the report").click()
    report = page.locator("section.report")
    expect(report.get_by_role("heading", level=2)).to_contain_text("Headquarters, 2026-11-23")
    figures = page.locator(".report-figures")
    expect(figures.locator("div", has_text="Arrivals").locator("dd")).to_have_text("5")
    expect(figures.locator("div", has_text="Average wait").locator("dd")).to_have_text("8.4 min")
    expect(figures.locator("div", has_text="Share within target").locator("dd")).to_have_text("80%")
    expect(report).to_contain_text(CLERK_NAME)
    expect(figures.locator("div", has_text="Wait estimates: visitors told one").locator("dd")).to_have_text("4")
    expect(figures.locator("div", has_text="Waits inside the range announced").locator("dd")).to_have_text("—")
    page.wait_for_function("document.getElementById('hours-chart').width > 0 && window.Chart !== undefined")
    page.screenshot(path=shots / "reports-day-en.png", full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == "onedoor-HQ-2026-11-23.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=shots / "reports-day-phone.png", full_page=True)


def test_the_open_data_page_in_spanish(page, shots):
    seed()
    page.goto("/open-data?lang=es&from=2026-11-23&to=2026-11-24")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Datos abiertos: cómo funcionan nuestros centros")
    table = page.get_by_role("table", name="Datos diarios de Sede central")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("8,4")
    expect(page.get_by_role("link", name="CSV", exact=True)).to_have_attribute("href", "/api/v1/open-data/daily?format=csv&from=2026-11-23&to=2026-11-24")
    assert CLERK_NAME not in page.content() and PHONE not in page.content()
    page.wait_for_function("document.getElementById('waits').width > 0 && window.Chart !== undefined")
    page.screenshot(path=shots / "open-data-es.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=shots / "open-data-es-phone.png", full_page=True)
