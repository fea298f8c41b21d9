"""Refusals, the sign-in prompt and the error pages speak the page's language, never Werkzeug's English."""
import re
import unicodedata

import pytest

from queue_app.services import create_user
from tests.conftest import PASSWORD, error_of


def page(answer) -> str:
    return answer.get_data(as_text=True)


def sign_in(client, username: str, role: str, centres=("HQ",)):
    create_user(username, role, password=PASSWORD, centres=list(centres), primary=["birth"] if role == "clerk" else [])
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page(client.get("/login"))).group(1)
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302


def test_the_sign_in_prompt_is_in_the_page_language(client):
    away = client.get("/manager", headers={"Accept-Language": "ru"})
    assert away.status_code == 302 and "/login" in away.headers["Location"]
    shown = page(client.get(away.headers["Location"], headers={"Accept-Language": "ru"}))
    assert "Войдите, чтобы увидеть эту страницу." in shown
    assert "Please log in" not in shown


@pytest.mark.parametrize("lang, words", [("ru", "Такой страницы нет"), ("es", "Esta página no existe"),
                                         ("en", "This page does not exist")])
def test_a_missing_page_has_the_site_layout_in_the_page_language(client, lang, words):
    answer = client.get(f"/no/such/page?lang={lang}")
    assert answer.status_code == 404
    assert words in page(answer) and f'<html lang="{lang}" dir="ltr">' in page(answer)
    assert 'class="bar"' in page(answer)  # the site's own header, with its language switch


def test_a_forbidden_page_says_so_in_the_page_language(client):
    sign_in(client, "mia", "manager", centres=("HQ",))
    answer = client.get("/manager/NYC?lang=es")
    assert answer.status_code == 403
    assert "No tiene permiso para ver esta página" in page(answer)
    assert "Forbidden" not in page(answer)


def test_the_api_keeps_its_json_errors(client):
    assert error_of(client.get("/api/v1/no/such/thing")) == (404, "not_found")


# ---- Arabic: right to left on the page and in the confirmation PDF ----------------------------

from tests.integration.test_booking_site import book_by_page, booked_code, site, tomorrow_at  # noqa: E402,F401

PRESENTATION = range(0xFE70, 0xFF00)


def test_the_booking_site_in_arabic_is_right_to_left(site):  # noqa: F811
    answer = site.get("/book/?lang=ar")
    assert answer.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page(answer) and "احجز موعداً" in page(answer)


def test_a_refusal_of_the_booking_form_is_said_in_arabic(site, monkeypatch):  # noqa: F811
    from queue_app.domain.errors import InvalidRequest

    def refuse(*args, **kwargs):
        raise InvalidRequest("give a phone number or an email address", code="contact_required")

    monkeypatch.setattr("queue_app.services.book_visit", refuse)  # the booking site books every plan so
    answer = book_by_page(site, tomorrow_at(10), lang="ar")
    assert answer.status_code == 422
    assert "أدخل رقم هاتف أو عنوان بريد إلكتروني" in page(answer) and "give a phone" not in page(answer)


def test_the_arabic_confirmation_pdf_is_joined_and_right_to_left(site, tmp_path):  # noqa: F811
    import subprocess

    code = booked_code(book_by_page(site, tomorrow_at(10), lang="ar"))
    pdf = site.get(f"/book/manage/{code}/confirmation.pdf?lang=ar")
    assert pdf.status_code == 200
    (tmp_path / "confirmation.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "confirmation.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    letters = [ch for ch in text if unicodedata.bidirectional(ch) == "AL" and unicodedata.category(ch) == "Lo"]
    assert len(letters) > 50 and all(ord(ch) in PRESENTATION for ch in letters)  # every letter in its joined form
    assert code in text and "10:00" in text  # the code and the time keep their own order
