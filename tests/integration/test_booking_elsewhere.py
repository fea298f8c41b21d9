"""The booking site's day step, when the chosen centre has no free time for the service: it says
which other centres have the earliest free times, linking to them (in the page's language)."""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from queue_app.extensions import db
from queue_app.models import Staff


@pytest.fixture
def site(ctx):
    """NYC's only clerk (nora) is away for good: NYC offers no births; HQ's ana still does."""
    db.session.scalar(select(Staff).where(Staff.username == "nora")).active = False
    db.session.commit()
    return ctx.test_client()


@pytest.mark.parametrize(("lang", "heading", "name"), [
    ("en", "Earliest free times at other centres", "Headquarters"),
    ("es", "Primeras horas libres en otros centros", "Sede central"),
])
def test_a_centre_without_free_times_points_to_the_earliest_elsewhere(site, lang, heading, name):
    page = unescape(site.get(f"/book/birth/NYC?lang={lang}").get_data(as_text=True))
    assert heading in page
    assert f'<a href="/book/birth/HQ">{name}</a>: ' in page


def test_a_centre_with_free_times_lists_its_days_only(site):
    page = unescape(site.get("/book/birth/HQ?lang=en").get_data(as_text=True))
    assert "Earliest free times at other centres" not in page and 'href="/book/birth/HQ/' in page
