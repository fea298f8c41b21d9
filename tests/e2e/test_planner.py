"""The staffing planner in a real browser: a manager changes a planned count, saves, and sees the
chart and the short hour marked (tests/integration/test_planning.py computes the figures by hand)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import StaffingPlan
from queue_app.services import call_next, create_user, finish, issue_ticket, start
from tests.conftest import PASSWORD, open_desk
from tests.e2e.axe import axe_problems

NY = ZoneInfo("America/New_York")
URL = "/manager/NYC/plan?day=2026-11-23&share=0.9"
PHONE = {"width": 390, "height": 844}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


@pytest.fixture
def manager(page):
    """Two past Mondays at NYC: 09:00 five births an hour of 9.6 min (2 counters recommended),
    10:00 four tax visits of 4 min (1 counter); a manager of NYC, Mia Lopez."""
    open_desk("NYC-01", "clerk1", primary=["birth", "tax"], now=at(date(2026, 11, 9), 9))
    for day, births, minutes, taxes in ((date(2026, 11, 9), 4, 12, 5), (date(2026, 11, 16), 6, 8, 3)):
        arrivals = [("birth", at(day, 9) + i * minutes * timedelta(minutes=1), minutes) for i in range(births)]
        arrivals += [("tax", at(day, 10) + i * timedelta(minutes=5), 4) for i in range(taxes)]
        for service, when, length in arrivals:
            ticket = issue_ticket("NYC", service, now=when, by=SYSTEM).ticket
            call_next("NYC-01", now=when, by=SYSTEM)
            start(ticket.id, now=when, by=SYSTEM)
            finish(ticket.id, "resolved", now=when + timedelta(minutes=length), by=SYSTEM)
    create_user("mia2", "manager", password=PASSWORD, name="Mia Lopez", centres=["NYC"])
    return page


def sign_in(page, next_url: str) -> None:
    page.goto(f"/login?next={quote(next_url)}")
    page.get_by_label("Username").fill("mia2")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def row(page, hour: str):
    return page.locator("#plan-table tbody tr", has=page.get_by_role("rowheader", name=hour))


def wait_for_chart(page) -> None:
    """Until planner.js has drawn the chart (it runs after the server's page is shown: on a busy
    machine, after checks on that page have passed — CI, 2026-12-06)."""
    page.wait_for_function("typeof Chart !== 'undefined' && Chart.getChart('plan-chart') !== undefined")


def test_a_manager_plans_the_day_and_sees_the_shortfall(manager, shots):
    page = manager
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, URL)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Staffing plan")
    expect(page.get_by_text("History is thin")).to_be_visible()
    expect(row(page, "09:00").locator("td.recommended")).to_have_text("2")
    expect(row(page, "10:00").locator("td.recommended")).to_have_text("1")
    nine = page.get_by_label("Planned counters at 09:00")
    ten = page.get_by_label("Planned counters at 10:00")
    nine.fill("2")
    expect(row(page, "09:00")).not_to_have_class("short")
    nine.fill("1")  # the row is marked at once, before saving
    expect(row(page, "09:00")).to_have_class("short")
    ten.focus()
    page.keyboard.type("1")
    page.keyboard.press("Enter")  # saves by keyboard
    expect(page.get_by_text("The plan for 2026-11-23 is saved.")).to_be_visible()
    expect(row(page, "09:00")).to_have_class("short")
    expect(row(page, "09:00")).to_contain_text("Counters short: 1")
    expect(row(page, "09:00").locator("td.share")).to_contain_text("35%")  # Erlang C with 1 counter
    expect(row(page, "10:00")).not_to_have_class("short")
    expect(page.get_by_label("Planned counters at 09:00")).to_have_value("1")
    db.session.rollback()
    stored = {p.hour: p.counters for p in db.session.scalars(db.select(StaffingPlan))}
    assert stored == {9: 1, 10: 1}
    wait_for_chart(page)
    chart = page.evaluate("""() => {
      const chart = Chart.getChart("plan-chart");
      return chart && {labels: chart.data.labels.length, recommended: chart.data.datasets[0].data.slice(0, 3),
                       planned: chart.data.datasets[1].data.slice(0, 3)};
    }""")
    assert chart == {"labels": 8, "recommended": [2, 1, 0], "planned": [1, 1, None]}
    expect(page.locator("#plan-chart")).to_have_attribute("aria-describedby", "chart-text")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "planner-en.png", full_page=True)


def test_bad_count_is_shown_at_its_field_and_nothing_saved(manager, shots):
    page = manager
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, URL)
    page.get_by_label("Planned counters at 09:00").fill("9")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("alert")).to_contain_text("The plan was not saved")
    expect(page.get_by_label("Planned counters at 09:00")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#hour-9-error")).to_have_text("Enter a whole number from 0 to 4.")
    wait_for_chart(page)  # the page's script draws it once the refused form is back: after the checks above
    assert page.evaluate('Chart.getChart("plan-chart").data.datasets[1].data[0]') == 9  # as typed
    page.screenshot(path=shots / "planner-error-en.png", full_page=True)
    db.session.rollback()
    assert db.session.scalars(db.select(StaffingPlan)).all() == []


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_the_planner_on_a_phone_in_spanish_and_russian(manager, shots, lang):
    page = manager
    page.set_viewport_size(PHONE)
    page.emulate_media(reduced_motion="reduce")  # the chart drawn at once, as such users see it
    sign_in(page, URL + f"&lang={lang}")
    page.get_by_label({"es": "Ventanillas planificadas a las 09:00",
                       "ru": "Запланированные окна в 09:00"}[lang]).fill("1")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#plan-table")).to_be_visible()
    page.screenshot(path=shots / f"planner-phone-{lang}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the table scrolls inside
    assert axe_problems(page) == []


def test_a_manager_proposes_shifts_saves_a_draft_and_accepts_it(manager, shots):
    # 09:00 needs two counters, 10:00 one; nobody is rostered: both hours short, red and in words.
    page = manager
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, URL)
    need = page.locator("#roster-table tbody tr", has=page.get_by_role("rowheader", name="09:00"))
    expect(need).to_have_class("short")
    expect(need).to_contain_text("Short: 2.0")
    page.get_by_role("button", name="Propose shifts").click()
    proposal = page.locator("#proposal li")
    expect(proposal.first).to_be_visible()
    names = proposal.all_inner_texts()
    assert any("(clerk1)" in n for n in names) and all("(mia2)" not in n for n in names)  # clerks only, named
    page.screenshot(path=shots / "planner-proposal-en.png", full_page=True)
    page.get_by_role("button", name="Save as roster draft").click()
    expect(page.get_by_text("The proposed shifts are saved as a roster draft.")).to_be_visible()
    draft = page.locator("section.draft")
    expect(draft).to_have_count(1)
    expect(draft.locator("li").first).to_contain_text("clerk1")
    assert axe_problems(page) == []
    draft.get_by_role("button", name="Accept: replace the day's roster").focus()
    page.keyboard.press("Enter")  # by keyboard
    expect(page.get_by_text("The draft is accepted: the day's roster now holds its shifts.")).to_be_visible()
    expect(page.locator("section.draft")).to_have_count(0)
    expect(need).not_to_have_class("short")
    expect(need).to_contain_text("Covered")
    page.screenshot(path=shots / "planner-accepted-en.png", full_page=True)

    page.goto("/manager/NYC/roster?week=2026-11-23")
    shifts = page.locator("#day-2026-11-23 .shift")
    expect(shifts.first).to_be_visible()
    assert len(shifts.all_inner_texts()) == len(names)
    page.screenshot(path=shots / "roster-after-draft-en.png", full_page=True)


@pytest.mark.parametrize("lang", ["ar", "es"])
def test_the_proposed_shifts_in_arabic_and_spanish(manager, shots, lang):
    page = manager
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, URL + f"&lang={lang}&propose=1")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#proposal li").first).to_contain_text("clerk1")
    expect(page.get_by_role("button", name={"ar": "حفظ كمسودة جدول ورديات", "es": "Guardar como borrador de turnos"}[lang]))\
        .to_be_visible()
    expect(page.locator("#roster-table tr.short").first).to_contain_text({"ar": "النقص", "es": "Faltan"}[lang])
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"planner-proposal-{lang}.png", full_page=True)
