"""How the next visitor is chosen, in Chromium: an admin sets knobs of a centre apart from the network
and gives one back, the page shows them; the centre's manager reads them with no form; the network's
page in English and Arabic (right to left); axe-core clean; screenshots."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Centre
from queue_app.services import create_user
from tests.conftest import PASSWORD
from tests.e2e.axe import axe_problems
from tests.e2e.test_reports import sign_in

FCFS = "Strictly first come, first served"
DEFER = "Late lines give way (minutes)"


def knob(page, name: str):
    return page.locator(f'#policy tr[data-knob="{name}"]')


def own_policy(code: str) -> dict:
    db.session.rollback()
    return db.session.scalar(select(Centre.policy).where(Centre.code == code))


def test_an_admin_sets_a_centres_knobs_and_its_manager_reads_them(page, browser, live_server, shots):
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    create_user("mia", "manager", password=PASSWORD, name="Mia Lopez", centres=["NYC"])
    sign_in(page, "/admin/centres/NYC?lang=en", "ada")
    section = page.locator("#policy")
    expect(section.get_by_role("heading", name="How the next visitor is chosen")).to_be_visible()
    expect(knob(page, "first_come_first_served")).to_contain_text("called strictly in the order they arrived")
    section.get_by_label(FCFS, exact=True).select_option(label="On")
    section.get_by_label(DEFER, exact=True).select_option(label="This many minutes")
    section.get_by_label(f"Minutes · {DEFER}").fill("20")
    section.get_by_role("button", name="Save how the next visitor is chosen").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    assert own_policy("NYC") == {"defer_late_min": 20, "first_come_first_served": True}
    expect(section.get_by_label(FCFS, exact=True)).to_have_value("on")
    expect(knob(page, "first_come_first_served")).to_have_class("own")
    expect(knob(page, "priority_first")).not_to_have_class("own")
    assert axe_problems(page) == []
    page.screenshot(path=shots / "admin-centre-policy-en.png", full_page=True)
    section.screenshot(path=shots / "admin-centre-policy-section-en.png")
    # Enter in a field saves the form (it does not give a knob back to the network)
    section.get_by_label(f"Minutes · {DEFER}").fill("25")
    section.get_by_label(f"Minutes · {DEFER}").press("Enter")
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    assert own_policy("NYC") == {"defer_late_min": 25, "first_come_first_served": True}
    # one knob back to the network's value, by its own button
    section.get_by_role("button", name=f"Use the network's · {DEFER}").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(section.get_by_label(DEFER, exact=True)).to_have_value("")
    assert own_policy("NYC") == {"first_come_first_served": True}

    # the manager of NYC reads the same, with nothing to change
    manager = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_in(manager, "/admin/centres/NYC?lang=en", "mia")
        row = knob(manager, "first_come_first_served")
        expect(row.locator("strong")).to_have_text("On")
        expect(knob(manager, "defer_late_min")).to_contain_text("As the network")
        expect(manager.locator("#policy select, #policy input[type=number]")).to_have_count(0)
        expect(manager.locator("#policy")).to_contain_text("Only an administrator changes how the next visitor is chosen.")
        assert axe_problems(manager) == []
        manager.screenshot(path=shots / "admin-centre-policy-manager-en.png", full_page=True)
        manager.locator("#policy").screenshot(path=shots / "admin-centre-policy-section-manager-en.png")
    finally:
        manager.context.close()


@pytest.mark.parametrize("lang, heading, direction", [
    ("en", "How the next visitor is chosen", "ltr"), ("ar", "كيف يُختار الزائر التالي", "rtl")])
def test_the_networks_policy_page(page, shots, lang, heading, direction):
    create_user("ada", "admin", password=PASSWORD, name="Ada King", centres=[])
    db.session.scalar(select(Centre).where(Centre.code == "HQ")).policy = {"appointment_grace_min": False}
    db.session.commit()
    sign_in(page, f"/admin/policy?lang={lang}", "ada")
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    assert page.evaluate("document.documentElement.dir") == direction
    expect(page.locator(".apart a[href='/admin/centres/HQ#policy']")).to_be_visible()
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"admin-policy-{lang}.png", full_page=True)
    page.goto(f"/admin/centres/HQ?lang={lang}#policy")
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"admin-centre-policy-{lang}-hq.png", full_page=True)
    page.locator("#policy").screenshot(path=shots / f"admin-centre-policy-section-{lang}-hq.png")
