"""The front page (/) and the site's icon (/favicon.ico), through the app's own client."""
from __future__ import annotations

import re

import pytest

from queue_app.domain.access import SYSTEM
from queue_app.services import issue_ticket
from tests.conftest import open_desk

WAYS_IN = ("/book/", "/join", "/book/manage", "/open-data", "/login", "/counter", "/manager")


def test_the_front_page_leads_everyone_in_and_shows_each_centres_wait(client):
    open_desk("HQ-07", "c7", primary=["birth"])
    for _ in range(3):
        issue_ticket("HQ", "birth", by=SYSTEM)
    response = client.get("/?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for href in WAYS_IN:
        assert f'href="{href}"' in page
    hq = page.split('id="centre-HQ"')[1].split("</li>")[0]
    assert "Open now" in hq and re.search(r"<dt>Waiting</dt><dd>3</dd>", hq)
    assert re.search(r"<dt>Estimated wait</dt>\s*<dd>about \d+ min</dd>", hq)
    assert 'href="/join?centre=HQ"' in hq
    assert 'id="centre-NYC"' in page and "Headquarters" in page and "New York" in page
    assert "c7" not in page  # no staff, no personal data


@pytest.mark.parametrize("lang, words", [("es", ("Reservar una cita", "Sede central", "En espera")),
                                         ("ru", ("Запись на приём", "Главный офис", "Для сотрудников"))])
def test_the_front_page_in_each_language(client, lang, words):
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert f'lang="{lang}"' in page
    for word in words:
        assert word in page


def test_every_link_of_the_front_page_answers(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    links = set(re.findall(r'href="(/[^"]*)"', page))
    assert set(WAYS_IN) <= {link.split("?")[0] for link in links}
    for link in links:
        with client.get(link.replace("&amp;", "&"), follow_redirects=True) as response:
            assert response.status_code == 200, link  # the staff's faces: by way of the sign-in page


def test_the_favicon_is_an_image(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype.startswith("image/")
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    with client.get("/static/favicon.svg") as svg:
        assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
