"""The booking pages (/book): every step in every language, booking through the forms, the PDF, the
calendar file and the QR code, managing by code (cancel, move), refusals and the booking limit."""
from __future__ import annotations

import base64
import re
import subprocess
from datetime import datetime, time, timedelta, timezone
from html import unescape

import pytest
from babel.dates import format_date, format_skeleton, format_time
from icalendar import Calendar
from sqlalchemy import func, select

from queue_app.db import utcnow
from queue_app.extensions import db, limiter
from queue_app.models import Appointment
from queue_app.services import appointment_by_code, book, slots
from queue_app.services.visit_booking import later_steps
from tests.conftest import MSK, add_clerk

STAMP = "%Y%m%dT%H%MZ"


@pytest.fixture
def site(ctx, monkeypatch):
    """HQ (open 24/7) with ana and 8 more clerks for births and passports: each of the 8 gives
    births half their minutes, ana a third (3 skills), so 4⅓ servers, half kept for walk-ins:
    2 places a slot online, 3 at :50 (domain/capacity.py; the booking limit is generous in tests;
    the limit test lowers it for itself)."""
    for i in range(8):
        add_clerk(f"hq{i}", "HQ", primary=["birth", "passport"])
    return ctx.test_client()


def tomorrow_at(hh: int, mm: int = 0) -> datetime:
    """A slot of HQ's next local day: always bookable, whatever the time the tests run."""
    day = (utcnow().astimezone(MSK) + timedelta(days=1)).date()
    return datetime.combine(day, time(hh, mm), MSK)


def stamp(start: datetime) -> str:
    return start.astimezone(timezone.utc).strftime(STAMP)


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def csrf(response) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert found, "the page has no CSRF token"
    return found.group(1)


def heading(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", html(response), re.S).group(1).strip()


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Appointment))


def details_url(start: datetime, service: str = "birth") -> str:
    return f"/book/{service}/HQ/{start.astimezone(MSK).date().isoformat()}/details"


def book_by_page(client, when: datetime, service: str = "birth", lang: str = "en", **fields):
    form = client.get(f"{details_url(when, service)}?at={stamp(when)}&lang={lang}")
    assert form.status_code == 200, html(form)
    data = {"csrf_token": csrf(form), "start": stamp(when), "name": "Ana Ruiz", "phone": "+34 612 345 678",
            "email": "", "language": lang, **fields}
    return client.post(details_url(when, service), data=data)


def booked_code(response) -> str:
    assert response.status_code == 303, html(response)
    found = re.fullmatch(r"/book/done/([A-Z0-9]{8})", response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)


# ---- each step, each language ---------------------------------------------------------------

STEPS = {
    "en": ["Book an appointment", "Choose a centre", "Choose a day", "Choose a time", "Your details",
           "Your appointment is booked", "Your appointment", "Manage your appointment", "Cancel this appointment?",
           "Choose a new day", "Choose a new time"],
    "es": ["Reservar una cita", "Elija un centro", "Elija un día", "Elija una hora", "Sus datos",
           "Su cita está reservada", "Su cita", "Gestionar su cita", "¿Cancelar esta cita?",
           "Elija un nuevo día", "Elija una nueva hora"],
    "ru": ["Запись на приём", "Выберите центр", "Выберите день", "Выберите время", "Ваши данные",
           "Вы записаны", "Ваша запись", "Управление записью", "Отменить эту запись?",
           "Выберите новый день", "Выберите новое время"],
}
BIRTH = {"en": "Birth registration", "es": "Registro de nacimiento", "ru": "Регистрация рождения"}
NEWBORN = {"en": "Birth of a child", "es": "Nacimiento de un hijo", "ru": "Рождение ребёнка"}
HQ_NAME = {"en": "Headquarters", "es": "Sede central", "ru": "Главный офис"}
HQ_ADDRESS = {"en": "1 Main St", "es": "Calle Mayor 1", "ru": "ул. Главная, 1"}
DOCUMENT = {"en": "Medical birth certificate", "es": "Certificado médico de nacimiento",
            "ru": "Медицинское свидетельство о рождении"}


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
def test_every_step_renders_in_every_language(site, lang):
    start = tomorrow_at(10)
    day = start.date().isoformat()
    pages = []

    def visit(url: str, links_to: str | None = None):
        answer = site.get(url)
        assert answer.status_code == 200, (url, html(answer))
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html(answer)
        if links_to:
            assert f'href="{links_to}"' in html(answer), (url, links_to)
        pages.append(answer)
        return answer

    start_page = visit(f"/book/?lang={lang}", "/book/birth")  # the session keeps the language from here on
    assert NEWBORN[lang] in html(start_page) and BIRTH[lang] in html(start_page)
    assert "Tax question" not in html(start_page)  # not bookable
    assert HQ_ADDRESS[lang] in html(visit("/book/birth", "/book/birth/HQ"))
    visit("/book/birth/HQ", f"/book/birth/HQ/{day}")
    assert format_skeleton("MMMEd", start.date(), locale=lang) in html(pages[-1])
    visit(f"/book/birth/HQ/{day}", f"/book/birth/HQ/{day}/details?at={stamp(start)}")
    visit(f"{details_url(start)}?at={stamp(start)}")
    clock = format_time(start, "short", locale=lang)  # 10:00, or 10:00 AM in English
    assert f'<option selected value="{stamp(start)}">{clock}</option>' in html(pages[-1])
    assert f'<option selected value="{lang}">' in html(pages[-1])  # the page's language, preselected
    code = booked_code(book_by_page(site, start, lang=lang))
    confirmation = visit(f"/book/done/{code}")
    for text in (code, BIRTH[lang], HQ_NAME[lang], HQ_ADDRESS[lang], DOCUMENT[lang],
                 format_date(start.date(), "full", locale=lang),
                 f'{clock}–{format_time(start + timedelta(minutes=10), "short", locale=lang)}'):
        assert text in html(confirmation), text
    visit(f"/book/manage/{code}")
    visit("/book/manage")
    visit(f"/book/manage/{code}/cancel")
    visit(f"/book/manage/{code}/move", f"/book/manage/{code}/move/{day}")
    visit(f"/book/manage/{code}/move/{day}")
    assert [heading(p) for p in pages] == [STEPS[lang][i] for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]


# ---- booking ---------------------------------------------------------------------------------

def test_booking_through_the_pages_creates_the_appointment(site):
    start = tomorrow_at(10)
    answer = book_by_page(site, start, lang="es", name="  Ana Ruiz ", phone="+34 612 345 678",
                          email="ana@example.org")
    code = booked_code(answer)
    appointment = appointment_by_code(code)
    assert (appointment.centre.code, appointment.service.code, appointment.status) == ("HQ", "birth", "booked")
    assert appointment.start == start and appointment.end == start + timedelta(minutes=10)
    assert (appointment.name, appointment.phone, appointment.email, appointment.language) == (
        "Ana Ruiz", "+34612345678", "ana@example.org", "es")
    page = html(site.get(f"/book/done/{code}"))
    assert "Ruiz" not in page and "612" not in page and "ana@example.org" not in page  # no personal data shown
    assert {s.start: s.available for s in slots("HQ", "birth", start.date())}[start] == 1


@pytest.mark.parametrize("fields, message", [
    ({"name": "   "}, "Enter your name."),
    ({"phone": "", "email": ""}, "Give a phone number or an email address"),
    ({"phone": "12"}, "This is not a phone number"),
    ({"phone": "", "email": "ana@"}, "This is not an email address."),
    ({"start": "20200101T0000Z"}, "That time can no longer be booked."),
    ({"start": "not a time"}, "Not a valid choice"),
    ({"start": ""}, "Choose a time."),
    ({"csrf_token": "forged"}, "session"),
])
def test_bad_details_are_refused_with_a_message_and_nothing_is_booked(site, fields, message):
    answer = book_by_page(site, tomorrow_at(10), **fields)
    assert answer.status_code in (400, 422), answer.status_code
    assert message in html(answer)
    assert count() == 0


def test_a_slot_taken_meanwhile_shows_the_form_again_with_fresh_times(site):
    start = tomorrow_at(10)
    form = site.get(f"{details_url(start)}?at={stamp(start)}")
    for name in ("First", "Second"):  # others take both places while the visitor types
        book("HQ", "birth", start, name, phone="+34600000000")
    answer = site.post(details_url(start), data={"csrf_token": csrf(form), "start": stamp(start), "name": "Ana Ruiz",
                                                 "phone": "+34 612 345 678", "email": "", "language": "en"})
    assert answer.status_code == 409
    page = html(answer)
    assert "that time has just been taken" in page
    assert f'value="{stamp(start)}"' not in page  # the full slot is gone from the list…
    assert f'value="{stamp(start + timedelta(minutes=10))}"' in page  # …the next one is offered
    assert 'value="Ana Ruiz"' in page  # what the visitor typed is kept
    assert count() == 2
    again = site.get(f"{details_url(start)}?at={stamp(start)}")  # an old link to the full slot
    assert "That time is no longer free" in html(again)


def test_unknown_or_unbookable_steps_say_so(site):
    assert "There is no such service" in html(site.get("/book/nothing"))
    assert site.get("/book/tax").status_code == 404
    assert "cannot be booked online" in html(site.get("/book/tax"))
    assert "There is no such centre" in html(site.get("/book/birth/XX"))
    assert "That is not a date" in html(site.get("/book/birth/HQ/2026-13-45"))


# ---- what the visitor takes away -------------------------------------------------------------

def test_the_pdf_the_calendar_file_and_the_qr_code(site, tmp_path):
    start = tomorrow_at(10)
    code = booked_code(book_by_page(site, start, lang="ru"))

    pdf = site.get(f"/book/manage/{code}/confirmation.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    (tmp_path / "confirmation.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "confirmation.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in (code, BIRTH["ru"], HQ_ADDRESS["ru"], DOCUMENT["ru"], "10:00"):
        assert expected in text, expected  # the Cyrillic needs the embedded DejaVu font

    ics = site.get(f"/book/manage/{code}/appointment.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(event["UID"]) == f"{code}@onedoor"
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == start + timedelta(minutes=10)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(event["SUMMARY"]) == BIRTH["ru"] and str(event["LOCATION"]) == HQ_ADDRESS["ru"]
    assert code in str(event["DESCRIPTION"]) and DOCUMENT["ru"] in str(event["DESCRIPTION"])

    page = site.get(f"/book/done/{code}").get_data(as_text=True)
    png = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    (tmp_path / "qr.png").write_bytes(base64.b64decode(png))
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")], capture_output=True, text=True)
    assert scanned.stdout.strip() == code


# ---- managing by code ------------------------------------------------------------------------

def test_the_code_form_finds_the_appointment_however_it_is_typed(site):
    code = booked_code(book_by_page(site, tomorrow_at(10)))
    form = site.get("/book/manage")
    typed = f" {code[:4].lower()} {code[4:]} "
    answer = site.post("/book/manage", data={"csrf_token": csrf(form), "code": typed})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/book/manage/{code}"
    assert site.get(f"/book/manage/{code.lower()}").headers["Location"] == f"/book/manage/{code}"


def test_cancel_through_the_manage_page_asks_first(site):
    start = tomorrow_at(10)
    code = booked_code(book_by_page(site, start))
    page = html(site.get(f"/book/manage/{code}"))
    assert f'href="/book/manage/{code}/cancel"' in page and f'href="/book/manage/{code}/move"' in page
    ask = site.get(f"/book/manage/{code}/cancel")
    assert "Yes, cancel the appointment" in html(ask)
    assert appointment_by_code(code).status == "booked"  # asking changes nothing
    done = site.post(f"/book/manage/{code}/cancel", data={"csrf_token": csrf(ask)})
    assert done.status_code == 303 and done.headers["Location"] == f"/book/manage/{code}"
    db.session.rollback()
    assert appointment_by_code(code).status == "cancelled"
    assert {s.start: s.available for s in slots("HQ", "birth", start.date())}[start] == 2
    page = html(site.get(f"/book/manage/{code}"))
    assert "Your appointment is cancelled." in page and "This appointment was cancelled." in page
    assert f'/book/manage/{code}/cancel"' not in page and "data:image/png" not in page
    assert site.get(f"/book/manage/{code}/confirmation.pdf").status_code == 404
    again = site.post(f"/book/manage/{code}/cancel", data={"csrf_token": csrf(ask)})
    assert again.status_code == 303
    assert "can no longer be changed" in html(site.get(again.headers["Location"]))


def test_reschedule_through_the_manage_page_keeps_the_code(site):
    start, later = tomorrow_at(10), tomorrow_at(11, 30)
    code = booked_code(book_by_page(site, start))
    day = start.date().isoformat()
    assert f'href="/book/manage/{code}/move/{day}"' in html(site.get(f"/book/manage/{code}/move"))
    choose = site.get(f"/book/manage/{code}/move/{day}")
    assert f'value="{stamp(later)}"' in html(choose) and f'value="{stamp(start)}"' not in html(choose)
    moved = site.post(f"/book/manage/{code}/move/{day}", data={"csrf_token": csrf(choose), "start": stamp(later)})
    assert moved.status_code == 303 and moved.headers["Location"] == f"/book/manage/{code}"
    db.session.rollback()
    appointment = appointment_by_code(code)
    assert (appointment.start, appointment.status) == (later, "booked")
    free = {s.start: s.available for s in slots("HQ", "birth", start.date())}
    assert (free[start], free[later]) == (2, 1)
    assert "Your appointment is moved to" in html(site.get(f"/book/manage/{code}"))
    assert count() == 1


def test_moving_to_a_slot_taken_meanwhile_shows_the_fresh_times(site):
    start, wanted = tomorrow_at(10), tomorrow_at(12)
    code = booked_code(book_by_page(site, start))
    day = start.date().isoformat()
    choose = site.get(f"/book/manage/{code}/move/{day}")
    for name in ("First", "Second"):
        book("HQ", "birth", wanted, name, phone="+34600000000")
    answer = site.post(f"/book/manage/{code}/move/{day}", data={"csrf_token": csrf(choose), "start": stamp(wanted)})
    assert answer.status_code == 409 and "that time has just been taken" in html(answer)
    assert f'value="{stamp(wanted)}"' not in html(answer)
    db.session.rollback()
    assert appointment_by_code(code).start == start


def test_unknown_codes_say_so(site):
    form = site.get("/book/manage")
    answer = site.post("/book/manage", data={"csrf_token": csrf(form), "code": "zzzz zzzz"})
    assert answer.status_code == 404 and "No appointment has this code" in html(answer)
    assert 'value="zzzz zzzz"' in html(answer)  # shown again to correct
    empty = site.post("/book/manage", data={"csrf_token": csrf(form), "code": ""})
    assert empty.status_code == 422 and "Enter your appointment code." in html(empty)
    for url in ("/book/manage/ZZZZZZZZ", "/book/done/ZZZZZZZZ", "/book/manage/ZZZZZZZZ/confirmation.pdf",
                "/book/manage/ZZZZZZZZ/appointment.ics", "/book/manage/ZZZZZZZZ/cancel"):
        answer = site.get(url)
        assert answer.status_code == 404 and "No appointment has this code" in html(answer), url
    assert site.get("/book/manage/" + "Z" * 40).status_code == 404


def test_a_past_or_checked_in_appointment_cannot_be_changed(site):
    now = utcnow()
    past = (now - timedelta(hours=2)).astimezone(MSK).replace(second=0, microsecond=0)
    past = past.replace(minute=past.minute - past.minute % 10)  # on HQ's 10-minute grid
    code = book("HQ", "birth", past, "Old", phone="+34600000000", now=past - timedelta(hours=1)).code
    page = html(site.get(f"/book/manage/{code}"))
    assert "The time of this appointment has passed." in page and f"/book/manage/{code}/cancel" not in page
    refused = site.get(f"/book/manage/{code}/cancel")
    assert refused.status_code == 303
    assert "This appointment can no longer be changed." in html(site.get(refused.headers["Location"]))
    assert site.get(f"/book/manage/{code}/move").status_code == 303

    other = booked_code(book_by_page(site, tomorrow_at(10)))
    appointment_by_code(other).status = "checked_in"
    db.session.commit()
    assert "You have checked in for this appointment." in html(site.get(f"/book/manage/{other}"))
    assert site.get(f"/book/manage/{other}/move/{tomorrow_at(10).date()}").status_code == 303

    appointment_by_code(other).status = "missed"  # what the day's close marks an appointment nobody came to
    db.session.commit()
    assert "This appointment was missed." in html(site.get(f"/book/manage/{other}"))
    assert site.get(f"/book/manage/{other}/confirmation.pdf").status_code == 404


# ---- the booking limit -----------------------------------------------------------------------

def test_bookings_and_moves_share_one_limit_across_pages_and_api(site, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "ONEDOOR_BOOKING_RATE_LIMIT", "2/minute")
    limiter.reset()
    api = ctx.test_client(use_cookies=False)  # no session cookie: a plain API client from the same address
    assert book_by_page(site, tomorrow_at(10), name="").status_code == 422  # a refusal costs nothing
    code = booked_code(book_by_page(site, tomorrow_at(10)))
    body = {"centre": "HQ", "service": "birth", "start": tomorrow_at(11).isoformat(), "name": "Ana Ruiz",
            "phone": "+34 600 000 000"}
    assert api.post("/api/v1/appointments", json=body).status_code == 201

    blocked = book_by_page(site, tomorrow_at(12), lang="es")
    assert blocked.status_code == 429
    assert '<html lang="es" dir="ltr">' in html(blocked) and "Espere unos minutos" in html(blocked)
    assert "demasiadas reservas o cambios" in html(blocked)
    refused = api.post("/api/v1/appointments", json={**body, "start": tomorrow_at(13).isoformat()})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    moved = api.post(f"/api/v1/appointments/{code}/reschedule", json={"start": tomorrow_at(14).isoformat()})
    assert moved.status_code == 429 and moved.get_json()["error"]["code"] == "rate_limited"
    day = tomorrow_at(10).date().isoformat()
    choose = site.get(f"/book/manage/{code}/move/{day}")
    assert choose.status_code == 200  # looking is never limited
    assert site.post(f"/book/manage/{code}/move/{day}",
                     data={"csrf_token": csrf(choose), "start": stamp(tomorrow_at(15))}).status_code == 429
    assert count() == 2
    limiter.reset()


def test_the_manage_page_opens_in_the_bookings_language_unless_one_is_chosen(site, ctx):
    code = book("HQ", "birth", tomorrow_at(10), "Ana", phone="+34600000000", language="ru").code
    fresh = ctx.test_client()  # e.g. a link followed from a text message
    assert heading(fresh.get(f"/book/manage/{code}", headers={"Accept-Language": "en"})) == "Ваша запись"
    assert heading(fresh.get(f"/book/manage/{code}?lang=es")) == "Su cita"
    assert heading(fresh.get(f"/book/manage/{code}")) == "Su cita"  # the choice is kept


def test_looking_codes_up_is_limited_like_the_api(site, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "ONEDOOR_PUBLIC_RATE_LIMIT", "2/minute")
    answers = [site.get("/book/manage/ZZZZZZZZ?lang=ru") for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 429]
    assert "слишком много запросов" in html(answers[-1]) and "записей" not in html(answers[-1])
    assert site.get("/book/?lang=ru").status_code == 200  # choosing a service is not limited
    limiter.reset()


# ---- a visit of several services (SPEC §11) ------------------------------------------------------

def visit_details_url(start: datetime, plan: str = "birth+passport") -> str:
    return f"/book/{plan}/HQ/{start.astimezone(MSK).date().isoformat()}/details"


def book_visit_by_page(client, when: datetime, plan: str = "birth+passport", lang: str = "en"):
    form = client.get(f"{visit_details_url(when, plan)}?at={stamp(when)}&lang={lang}")
    assert form.status_code == 200, html(form)
    return client.post(visit_details_url(when, plan), data={
        "csrf_token": csrf(form), "start": stamp(when), "name": "Ana Ruiz", "phone": "+34 612 345 678",
        "email": "", "language": lang})


def clock(hh: int, mm: int = 0, lang: str = "en") -> str:
    """A time of tomorrow as the pages write it (10:00 AM, with a narrow space, in English)."""
    return format_time(tomorrow_at(hh, mm), "short", locale=lang)


def steps_of(code: str) -> list[Appointment]:
    db.session.rollback()
    first = appointment_by_code(code)
    return [first, *later_steps(first)]


def test_a_life_event_ticks_its_services_and_one_left_takes_the_one_service_path(site):
    page = html(site.get("/book/"))
    for code in ("birth", "passport"):
        assert re.search(rf'<input type="checkbox" name="service" value="{code}" id="event-newborn-{code}"\s+checked>', page)
    assert 'href="/book/visit"' in page  # from all services, a visit of several too
    both = site.get("/book/visit?service=birth&service=passport&go=1")
    assert both.status_code == 303 and both.headers["Location"] == "/book/birth+passport"
    one = site.get("/book/visit?service=birth&go=1")  # passport unticked
    assert one.status_code == 303 and one.headers["Location"] == "/book/birth"


def test_the_visit_page_adds_services_from_the_catalogue_and_refuses_none(site):
    page = site.get("/book/visit?service=birth&service=passport&add=info")
    assert page.status_code == 200
    for code in ("birth", "passport", "info"):
        assert f'name="service" value="{code}" id="visit-{code}" checked' in html(page)
    assert '<option value="info">' not in html(page) and '<option value="tax">' not in html(page)  # not bookable
    assert site.get("/book/visit?service=birth&service=passport&service=info&go=1").headers["Location"] == \
        "/book/birth+passport+info"
    empty = site.get("/book/visit?go=1")
    assert empty.status_code == 422 and "Choose at least one service." in html(empty)


@pytest.mark.parametrize("segment", ["birth+birth", "birth+tax", "birth+nothing", "birth++passport",
                                     "birth+passport+info+birth+passport+info"])
def test_a_visit_that_cannot_be_booked_says_so(site, segment):
    answer = site.get(f"/book/{segment}")
    assert answer.status_code == 404 and "Book a new appointment" in html(answer)


def test_a_visit_is_booked_as_consecutive_slots_with_each_steps_time_and_documents(site):
    start = tomorrow_at(10)
    day = start.date().isoformat()
    centres = html(site.get("/book/birth+passport"))
    assert 'href="/book/birth+passport/HQ"' in centres and "Birth registration" in centres and "Passport renewal" in centres
    assert f'href="/book/birth+passport/HQ/{day}"' in html(site.get("/book/birth+passport/HQ"))
    times = html(site.get(f"/book/birth+passport/HQ/{day}"))
    assert f'href="/book/birth+passport/HQ/{day}/details?at={stamp(start)}"' in times
    assert f"{clock(10)} Birth registration" in times and f"{clock(10, 20)} Passport renewal" in times
    code = booked_code(book_visit_by_page(site, start))
    first, second = steps_of(code)
    assert (first.service.code, second.service.code) == ("birth", "passport")
    assert (first.start, second.start, second.visit_id) == (start, tomorrow_at(10, 20), first.id)
    done = html(site.get(f"/book/done/{code}"))
    assert re.search(rf"{clock(10)}</span> Birth registration.*{clock(10, 20)}</span> Passport renewal", done, re.S)
    assert "Medical birth certificate" in done and "No documents are listed for this service." in done
    assert f"{clock(10)}–{clock(10, 40)}" in done  # the whole visit, to the end of its last step
    spanish = html(site.get(f"/book/done/{code}?lang=es"))
    assert "Registro de nacimiento" in spanish and "Renovación de pasaporte" in spanish and "Servicios" in spanish


def test_a_visit_whose_later_step_was_taken_meanwhile_shows_the_starts_still_free(site):
    start = tomorrow_at(10)
    form = site.get(f"{visit_details_url(start)}?at={stamp(start)}")
    for name in ("First", "Second"):  # the passport step's slot fills up
        book("HQ", "passport", tomorrow_at(10, 20), name, phone="+34600000000")
    answer = site.post(visit_details_url(start), data={
        "csrf_token": csrf(form), "start": stamp(start), "name": "Ana Ruiz", "phone": "+34 612 345 678",
        "email": "", "language": "en"})
    assert answer.status_code == 409 and "that time has just been taken" in html(answer)
    assert f'value="{stamp(start)}"' not in html(answer) and f'value="{stamp(tomorrow_at(10, 20))}"' in html(answer)
    assert count() == 2  # nothing of the visit was booked


def test_a_visit_is_moved_and_cancelled_whole_from_its_manage_page(site):
    start, later = tomorrow_at(10), tomorrow_at(11, 20)
    code = booked_code(book_visit_by_page(site, start))
    day = start.date().isoformat()
    page = html(site.get(f"/book/manage/{code}"))
    assert "Birth registration" in page and "Passport renewal" in page
    assert f'href="/book/manage/{code}/move/{day}"' in html(site.get(f"/book/manage/{code}/move"))
    choose = site.get(f"/book/manage/{code}/move/{day}")
    assert re.search(rf'value="{stamp(later)}">\s*<span>{clock(11, 20)}\s*<span class="steps"><span class="step-time">'
                     rf'{clock(11, 20)} Birth registration</span><span class="step-time">{clock(11, 40)} Passport renewal',
                     html(choose))
    moved = site.post(f"/book/manage/{code}/move/{day}", data={"csrf_token": csrf(choose), "start": stamp(later)})
    assert moved.status_code == 303 and moved.headers["Location"] == f"/book/manage/{code}"
    assert [a.start for a in steps_of(code)] == [later, tomorrow_at(11, 40)]
    assert {s.start: s.available for s in slots("HQ", "passport", start.date())}[tomorrow_at(10, 20)] == 2
    step_code = steps_of(code)[1].code  # a later step's own code stands for the whole visit
    assert site.get(f"/book/manage/{step_code}/cancel").headers["Location"] == f"/book/manage/{code}/cancel"
    ask = site.get(f"/book/manage/{code}/cancel")
    assert "Passport renewal" in html(ask)
    site.post(f"/book/manage/{code}/cancel", data={"csrf_token": csrf(ask)})
    assert [a.status for a in steps_of(code)] == ["cancelled", "cancelled"]
    assert "This appointment was cancelled." in html(site.get(f"/book/manage/{code}"))


def test_a_visits_pdf_and_calendar_file_list_every_step_and_what_to_bring_for_each(site, tmp_path):
    start = tomorrow_at(10)
    code = booked_code(book_visit_by_page(site, start, lang="es"))
    pdf = site.get(f"/book/manage/{code}/confirmation.pdf")
    (tmp_path / "visit.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "visit.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in (code, "Servicios", f"{clock(10, lang='es')} {BIRTH['es']}",
                     f"{clock(10, 20, lang='es')} Renovación de pasaporte", DOCUMENT["es"]):
        assert expected in text, expected
    (event,) = Calendar.from_ical(site.get(f"/book/manage/{code}/appointment.ics").data).walk("VEVENT")
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (start, tomorrow_at(10, 40))
    assert str(event["SUMMARY"]) == f"{BIRTH['es']} + Renovación de pasaporte"
    assert f"{clock(10, 20, lang='es')} Renovación de pasaporte" in str(event["DESCRIPTION"])
