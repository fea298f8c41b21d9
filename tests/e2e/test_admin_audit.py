"""The audit page in Chromium: an admin adds a shift on the roster page, then finds that change on the
audit page by who and what, reads its before → after, and downloads the filtered rows as CSV; a
manager sees only their centres' rows; by keyboard; every language, Arabic right to left; axe-core."""
from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from queue_app.domain.roster import ShiftPlan
from queue_app.services import actor_of, create_user
from queue_app.services.roster import replace_roster
from tests.conftest import PASSWORD, utc
from tests.e2e.axe import axe_problems
from tests.e2e.test_admin_home import in_language
from tests.e2e.test_reports import sign_in
from tests.e2e.test_roster_page import MONDAY, URL, add_shift, day


@pytest.fixture
def people(page):
    """ada (admin), mia (manager of NYC), carl (NYC clerk); and an older HQ change by hugo (manager of HQ)."""
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    create_user("mia", "manager", password=PASSWORD, name="Mia Lopez", centres=["NYC"])
    create_user("carl", "clerk", password=PASSWORD, name="Carl Diaz", centres=["NYC"], primary=["birth", "passport"])
    hugo = create_user("hugo", "manager", password=PASSWORD, name="Hugo Berg", centres=["HQ"])
    replace_roster("HQ", utc(2026, 12, 7).date(), [ShiftPlan("ana", utc(2026, 12, 7, 6), utc(2026, 12, 7, 10))],
                   by=actor_of(hugo))
    return page


def test_an_admin_finds_their_roster_change_and_downloads_it(people, shots):
    page = people
    sign_in(page, URL + "&lang=en", "ada")
    add_shift(page, MONDAY, "Carl Diaz (carl)", "09:00", "17:00")
    expect(day(page, MONDAY).locator(".shift")).to_contain_text("Carl Diaz 09:00–17:00")

    page.goto("/admin/audit?lang=en")
    expect(page.get_by_role("heading", level=2)).to_have_text("2 changes")
    page.get_by_label("Who").select_option("ada")
    page.get_by_label("What").select_option("roster")
    page.get_by_label("Centre").select_option("NYC")
    page.get_by_label("From").fill("2026-01-01")
    page.get_by_role("button", name="Show the changes").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("1 change")
    row = page.locator(".audit-rows tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Ada King (ada)")
    expect(row).to_contain_text("NYC:2026-12-07")
    expect(row.locator(".change-added")).to_contain_text('"staff": "carl"')
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-audit-en.png", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8"))))
    assert [(r["who"], r["centre"], r["key"], r["action"]) for r in rows] == [
        ("Ada King (ada)", "NYC", "NYC:2026-12-07", "replace")]
    assert "carl" in rows[0]["changes"] and rows[0]["changes"].startswith("added: ")


def test_a_manager_reads_their_centres_rows_by_keyboard(people, shots):
    page = people
    replace_roster("NYC", utc(2026, 12, 8).date(), [], by=actor_of(create_user("ned", "admin", password=PASSWORD, centres=[])))
    sign_in(page, "/admin/audit?lang=en", "mia")
    expect(page.get_by_role("heading", level=2)).to_have_text("1 change")  # NYC's, not hugo's at HQ
    expect(page.locator(".audit-rows")).not_to_contain_text("HQ:")
    page.get_by_label("Centre").focus()
    expect(page.get_by_label("Centre").locator("option")).to_have_count(2)  # all mine, NYC
    page.get_by_label("To").focus()
    page.keyboard.type("01012026")  # Chromium's date field, typed day-month-year (en-GB)
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("heading", level=2)).to_have_text("0 changes")
    expect(page.get_by_text("No change matches these filters.")).to_be_visible()


@pytest.mark.parametrize("lang, heading, direction", [
    ("es", "Registro de cambios", "ltr"), ("ru", "Журнал изменений", "ltr"), ("ar", "سجل التغييرات", "rtl")])
def test_the_audit_page_in_every_language(people, shots, lang, heading, direction):
    in_language(people, shots, "/admin/audit", lang, heading, direction, "admin-audit")
