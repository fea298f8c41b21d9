"""The booking site's day step at a centre with no free time points to the earliest free times at
other centres, in a real browser: the link works, the page is axe-clean (also in Arabic)."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Staff
from tests.e2e.axe import axe_problems


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_free_time_here_points_elsewhere(page, shots, lang):
    db.session.scalar(select(Staff).where(Staff.username == "nora")).active = False  # NYC: nobody
    db.session.commit()
    page.goto(f"/book/birth/NYC?lang={lang}")
    others = page.locator("ul.others li")
    expect(others).to_have_count(1)
    assert axe_problems(page) == []
    page.screenshot(path=shots / f"booking-elsewhere-{lang}.png", full_page=True)
    others.get_by_role("link").click()
    expect(page).to_have_url(f"{page.url.split('/book/')[0]}/book/birth/HQ")
    expect(page.locator("ul.days li").first).to_be_visible()
