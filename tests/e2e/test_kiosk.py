"""The lobby kiosk on a portrait and a landscape touch screen: set-up, finding a service, priority,
phone, the ticket on screen with its QR, appointment check-in, inactivity, accessibility."""
from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from queue_app.domain.access import SYSTEM
from queue_app.db import utcnow
from queue_app.extensions import db
from queue_app.models import Appointment, Centre, PrintJob, Service, Ticket
from queue_app.services import create_device, issue_ticket
from tests.conftest import open_desk
from tests.e2e.axe import axe_problems

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}

# Every visible control: at least 64 px both ways, its text not cut, inside the screen.
LAYOUT = """() => [...document.querySelectorAll("button, input, label, h1, h2, p, li, dt, dd, img")]
  .filter(n => n.offsetParent !== null && !n.closest("[hidden]"))
  .flatMap(n => {
    const box = n.getBoundingClientRect();
    const name = `${n.tagName} ${n.id || n.className} "${(n.textContent || n.alt || "").trim().slice(0, 40)}"`;
    const problems = [];
    if ((n.tagName === "BUTTON" || n.tagName === "INPUT") && (box.width < 64 || box.height < 64))
      problems.push(`${name}: ${Math.round(box.width)}×${Math.round(box.height)} px`);
    if (n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflowX !== "auto")
      problems.push(`${name}: text cut (${n.scrollWidth} > ${n.clientWidth})`);
    if (box.right > innerWidth + 1 || box.left < -1) problems.push(`${name}: outside the screen`);
    const scroller = n.closest(".panel, .search-results, .service-bring, .visit-list, .ticket-bring");
    if (!scroller && box.bottom > innerHeight + 1) problems.push(`${name}: below the screen`);
    return problems;
  })"""


@pytest.fixture(params=["portrait", "landscape"])
def orientation(request):
    return request.param


def screen_context(browser, live_server, viewport):
    return browser.new_context(base_url=live_server, viewport=viewport, locale="en-GB", has_touch=True)


@pytest.fixture
def portrait(browser, ctx, live_server):
    context = screen_context(browser, live_server, PORTRAIT)
    yield context
    context.close()


@pytest.fixture
def landscape(browser, ctx, live_server):
    context = screen_context(browser, live_server, LANDSCAPE)
    yield context
    context.close()


@pytest.fixture
def kiosk(request, orientation):
    """A context of the given orientation (portrait or landscape)."""
    return request.getfixturevalue(orientation)


def open_kiosk(context, *, printer: str | None = "dummy://", clock: bool = False):
    """A kiosk of HQ opened once with its token, showing the language choice."""
    page = context.new_page()
    if clock:
        page.clock.install()
    token = create_device("kiosk", "HQ", printer=printer).token
    page.goto(f"/kiosk?token={token}")
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    return page


def tap(page, name: str, **kw):
    page.get_by_role("button", name=name, **kw).click()


def type_on_screen(page, keyboard: str, text: str) -> None:
    """Type `text` with the on-screen keyboard `keyboard` (its group's accessible name)."""
    keys = page.get_by_role("group", name=keyboard)
    for letter in text:
        keys.get_by_role("button", name=letter, exact=True).click()


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT)


def look(page, shots: Path, name: str) -> None:
    """Save a screenshot and check that every control is large, whole and on screen."""
    page.screenshot(path=shots / f"{name}.png")
    assert layout_problems(page) == []


def stored_ticket(number: str) -> Ticket:
    db.session.rollback()  # see what the server committed
    return db.session.scalar(select(Ticket).where(Ticket.number == number))


def ticket_on_screen(page) -> str:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    number = page.locator("#ticket-number")
    expect(number).to_have_text(re.compile(r"^[A-HJ-NP-Z]{1,3}\d{3}$"))  # domain/lines.py: 1–3 letters, no I or O
    return number.inner_text()


def take_information_ticket(page) -> str:
    """The shortest visit: English, by agency, Passports → information, no priority, no phone."""
    tap(page, "English", exact=True)
    page.get_by_role("tab", name="By agency").click()
    tap(page, "Passports")
    page.locator("#panel-agencies button[data-service=info]").click()
    tap(page, "Take a ticket")
    tap(page, "No", exact=True)
    tap(page, "Skip — no text message")
    return ticket_on_screen(page)


def qr_text(page, shots: Path, name: str) -> str:
    """What the QR code on screen says, read by zbarimg from a screenshot of it."""
    qr = page.locator("#ticket-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.getElementById('ticket-qr').complete "
                           "&& document.getElementById('ticket-qr').naturalWidth > 0")
    path = shots / f"{name}.png"
    qr.screenshot(path=path)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
    return result.stdout.strip()


# ---- setting a kiosk up ---------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "not-a-token", "display"])
def test_without_a_kiosk_token_the_page_says_how_to_set_it_up(portrait, token, shots):
    if token == "display":
        token = create_device("display", "HQ").token
    page = portrait.new_page()
    response = page.goto("/kiosk" if token is None else f"/kiosk?token={token}")
    assert response.status == 401
    assert response.headers["cache-control"] == "no-store"
    expect(page.get_by_role("heading", name="This kiosk is not set up yet")).to_be_visible()
    expect(page.get_by_text("queue-app create-device --kind kiosk --centre CENTRE --printer URI")).to_be_visible()
    expect(page.get_by_text(re.compile(r"/kiosk\?token=…"))).to_be_visible()
    assert portrait.cookies() == []
    page.screenshot(path=shots / "kiosk-setup.png")


def test_the_token_leaves_the_address_for_a_cookie_that_brings_the_kiosk_back(portrait, live_server):
    token = create_device("kiosk", "HQ", printer="dummy://").token
    page = portrait.new_page()
    response = page.goto(f"/kiosk?token={token}")
    assert response.url == f"{live_server}/kiosk" and response.status == 200
    assert response.request.redirected_from is not None
    assert response.headers["cache-control"] == "no-store"
    [cookie] = portrait.cookies()
    assert (cookie["value"], cookie["httpOnly"], cookie["path"]) == (token, True, "/kiosk")
    expect(page.get_by_role("heading", name="Headquarters")).to_be_visible()
    assert page.reload().status == 200
    expect(page.get_by_role("button", name="Русский")).to_be_visible()
    assert token not in page.url


# ---- the whole visit ------------------------------------------------------------------------------

def test_by_life_event_in_english_to_a_ticket_on_screen(kiosk, orientation, shots, live_server):
    open_desk("HQ-07", "c7", primary=["birth"])
    issue_ticket("HQ", "birth", by=SYSTEM)  # someone is already waiting for it
    page = open_kiosk(kiosk)
    languages = page.get_by_role("group", name="Choose your language").first
    for lang, name in (("en", "English"), ("es", "Español"), ("ru", "Русский")):  # each in its own name
        expect(languages.get_by_role("button", name=name, exact=True)).to_have_attribute("lang", lang)
    look(page, shots, f"kiosk-1-language-{orientation}")

    tap(page, "English", exact=True)
    expect(page.get_by_role("heading", name="How can we help you?")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("tab", name="By life event")).to_have_attribute("aria-selected", "true")
    tap(page, "Birth of a child")  # its services, ticked: one ticket for all of them (test_kiosk_visits.py)
    expect(page.get_by_role("heading", name="Birth of a child")).to_be_visible()
    birth = page.locator("#visit-list li[data-pick=birth]")
    expect(birth).to_contain_text("Birth registration")
    expect(page.get_by_role("checkbox", name="Birth registration")).to_be_checked()
    expect(birth.locator("[data-wait]")).to_have_text(re.compile(r"^~\d+ min$"))  # live, from the socket
    passport = page.locator("#visit-list li[data-pick=passport]")
    expect(passport.locator("[data-wait]")).to_have_text(re.compile(r"^—"))  # nobody serves it: unknown
    look(page, shots, f"kiosk-2-life-event-{orientation}")

    tap(page, "Back")  # one service, found by its agency
    page.get_by_role("tab", name="By agency").click()
    tap(page, "Civil Registry")
    page.locator("#panel-agencies button[data-service=birth]").click()
    expect(page.get_by_role("heading", name="Birth registration", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What to bring")).to_be_visible()
    expect(page.locator("#service-documents li")).to_have_text(["Medical birth certificate"])
    expect(page.locator("#service-wait")).to_have_text(re.compile(r"^~\d+ min$"))
    expect(page.locator("#service-waiting")).to_have_text("1")
    issue_ticket("HQ", "birth", by=SYSTEM)  # the wait follows the queue while the visitor reads
    expect(page.locator("#service-waiting")).to_have_text("2")
    look(page, shots, f"kiosk-3-service-{orientation}")

    tap(page, "Take a ticket")
    expect(page.get_by_role("heading", name="Do you need priority?")).to_be_visible()
    look(page, shots, f"kiosk-4-priority-{orientation}")
    tap(page, "Yes — elderly, disabled or pregnant")
    expect(page.get_by_role("heading", name="Get a text message when your turn is near?")).to_be_visible()
    expect(page.get_by_role("button", name="Send me a text message")).to_be_disabled()
    look(page, shots, f"kiosk-5-phone-{orientation}")
    tap(page, "Skip — no text message")

    number = ticket_on_screen(page)
    expect(page.get_by_role("heading", name="Your ticket")).to_be_visible()
    expect(page.locator("#ticket-service")).to_have_text("Birth registration")
    expect(page.locator("#ticket-ahead")).to_have_text("0")  # a priority ticket goes first
    expect(page.get_by_text("Your ticket is printing")).to_be_visible()
    size = page.locator("#ticket-number").evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
    assert size >= 160
    look(page, shots, f"kiosk-6-ticket-{orientation}")
    ticket = stored_ticket(number)
    assert (ticket.service.code, ticket.priority, ticket.language, ticket.phone, ticket.source) == (
        "birth", True, "en", None, "kiosk")
    assert db.session.scalar(select(PrintJob).where(PrintJob.ticket_id == ticket.id)) is not None
    assert qr_text(page, shots, f"kiosk-qr-{orientation}") == f"{live_server}/t/{ticket.token}"

    tap(page, "Done")
    expect(page.get_by_role("heading", name="Headquarters")).to_be_visible()
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()


def test_in_russian_by_search_with_the_on_screen_keyboard(kiosk, orientation, shots):
    page = open_kiosk(kiosk)
    tap(page, "Русский")
    expect(page.get_by_role("heading", name="Чем мы можем помочь?")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.get_by_role("tab", name="Поиск").click()
    keyboard = page.get_by_role("group", name="Экранная клавиатура")
    expect(keyboard.get_by_role("button", name="Ж", exact=True)).to_be_visible()  # Cyrillic letters
    expect(keyboard.get_by_role("button", name="Q", exact=True)).to_have_count(0)
    type_on_screen(page, "Экранная клавиатура", "СВИДЕТЕЛЬСТВО")  # a document, typed in capitals
    expect(page.get_by_label("Введите название услуги или документа")).to_have_value("СВИДЕТЕЛЬСТВО")
    results = page.locator("#search-results button")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Регистрация рождения")
    look(page, shots, f"kiosk-7-search-ru-{orientation}")
    keyboard.get_by_role("button", name="Очистить").click()
    type_on_screen(page, "Экранная клавиатура", "ЗАМЕНА")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Замена паспорта")
    keyboard.get_by_role("button", name="Стереть").click()
    expect(page.get_by_label("Введите название услуги или документа")).to_have_value("ЗАМЕН")
    type_on_screen(page, "Экранная клавиатура", "Ж")
    expect(page.get_by_text("Услуги по вашему запросу не найдены")).to_be_visible()
    keyboard.get_by_role("button", name="Очистить").click()
    type_on_screen(page, "Экранная клавиатура", "РОЖД")
    results.first.click()
    expect(page.get_by_role("heading", name="Регистрация рождения", level=1)).to_be_visible()
    expect(page.locator("#service-documents li")).to_have_text(["Медицинское свидетельство о рождении"])
    tap(page, "Взять талон")
    tap(page, "Нет", exact=True)
    tap(page, "Пропустить — без SMS")
    number = ticket_on_screen(page)
    expect(page.get_by_role("heading", name="Ваш талон")).to_be_visible()
    expect(page.get_by_text("Талон печатается")).to_be_visible()
    ticket = stored_ticket(number)
    assert (ticket.language, ticket.priority, ticket.service.code) == ("ru", False, "birth")


def test_search_ignores_case_and_accents(portrait):
    page = open_kiosk(portrait)
    tap(page, "Español")
    page.get_by_role("tab", name="Buscar").click()
    expect(page.get_by_role("group", name="Teclado en pantalla").get_by_role("button", name="Ñ")).to_be_visible()
    type_on_screen(page, "Teclado en pantalla", "INFORMACION")  # "Información", without its accent
    expect(page.locator("#search-results button")).to_have_count(1)
    expect(page.locator("#search-results button")).to_contain_text("Información")


def test_by_agency_without_priority(portrait, shots):
    page = open_kiosk(portrait)
    tap(page, "English", exact=True)
    page.get_by_role("tab", name="By agency").click()
    tap(page, "Passports")
    expect(page.get_by_role("heading", name="Passports")).to_be_visible()
    expect(page.locator("#panel-agencies button[data-service]")).to_have_count(2)  # passport, info
    tap(page, "All agencies")
    expect(page.get_by_role("button", name="Passports")).to_be_focused()  # back where the visitor was
    tap(page, "Passports")
    page.locator("#panel-agencies button[data-service=passport]").click()
    expect(page.get_by_text("No documents are listed for this service.")).to_be_visible()
    expect(page.locator("#service-wait")).to_have_text(re.compile(r"^—"))
    tap(page, "Take a ticket")
    tap(page, "No", exact=True)
    tap(page, "Skip — no text message")
    number = ticket_on_screen(page)
    assert number == "B001"
    ticket = stored_ticket(number)
    assert (ticket.service.code, ticket.priority, ticket.language) == ("passport", False, "en")


def test_back_and_language_switch_keep_the_visit(portrait):
    page = open_kiosk(portrait)
    tap(page, "English", exact=True)
    tap(page, "Birth of a child")
    page.get_by_role("checkbox", name="Passport renewal").uncheck()
    page.get_by_role("button", name="Español").click()  # changed mind about the language
    expect(page.get_by_role("heading", name="Nacimiento de un hijo", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("checkbox", name="Registro de nacimiento")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Renovación de pasaporte")).not_to_be_checked()  # still unticked
    tap(page, "Atrás")
    expect(page.get_by_role("heading", name="¿En qué podemos ayudarle?")).to_be_visible()
    tap(page, "Empezar de nuevo")
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


# ---- the phone number -----------------------------------------------------------------------------

@pytest.mark.parametrize("then", ["fix", "skip"])
def test_a_refused_phone_number_is_explained_and_can_be_fixed_or_skipped(portrait, then, shots):
    page = open_kiosk(portrait)
    tap(page, "English", exact=True)
    tap(page, "Birth of a child")
    page.get_by_role("checkbox", name="Passport renewal").uncheck()  # one service left: a ticket as before
    tap(page, "Take my ticket")
    tap(page, "No", exact=True)
    type_on_screen(page, "Number pad", "12")
    phone = page.get_by_label("Your mobile number, with the country code (optional)")
    expect(phone).to_have_value("12")
    tap(page, "Send me a text message")
    expect(page.get_by_role("alert")).to_have_text(  # bad_phone's text, not the server's English message
        "This is not a phone number we can use. Type it with the country code, e.g. +34 612 345 678.")
    page.screenshot(path=shots / "kiosk-5-phone-refused.png")
    db.session.rollback()
    assert db.session.scalar(select(Ticket.id)) is None  # nothing issued
    if then == "fix":
        for _ in range(2):
            page.get_by_role("button", name="Delete").click()
        type_on_screen(page, "Number pad", "+34612345678")
        expect(page.get_by_role("alert")).to_be_hidden()
        tap(page, "Send me a text message")
    else:
        tap(page, "Skip — no text message")
    ticket = stored_ticket(ticket_on_screen(page))
    assert ticket.phone == ("+34612345678" if then == "fix" else None)


# ---- printing ---------------------------------------------------------------------------------------

def test_without_a_printer_the_screen_is_the_ticket(portrait, shots, live_server):
    page = open_kiosk(portrait, printer=None)
    number = take_information_ticket(page)
    expect(page.get_by_text("Printing is not available — please photograph this screen or scan the QR code.")).to_be_visible()
    page.screenshot(path=shots / "kiosk-6-ticket-no-printer.png")
    ticket = stored_ticket(number)
    assert db.session.scalar(select(PrintJob).where(PrintJob.ticket_id == ticket.id)) is None
    assert qr_text(page, shots, "kiosk-qr-no-printer") == f"{live_server}/t/{ticket.token}"


def test_when_the_printer_fails_the_screen_says_to_keep_the_number(portrait):
    import socket

    from queue_app.db import utcnow
    from queue_app.print_worker import print_due

    with socket.socket() as s:  # nothing listens here: the printer is off
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    page = open_kiosk(portrait, printer=f"tcp://127.0.0.1:{port}?timeout=0.5")
    number = take_information_ticket(page)
    expect(page.get_by_text("Your ticket is printing — please take it from the printer.")).to_be_visible()
    assert print_due(utcnow()).failed  # the server's print worker tries, and the printer is off
    expect(page.get_by_text("Printing is not available — please photograph this screen or scan the QR code.")
           ).to_be_visible(timeout=10_000)
    assert stored_ticket(number).status == "waiting"  # the ticket stands, paper or not


def test_the_qr_is_served_only_to_a_kiosk_of_the_tickets_centre(portrait, browser, live_server):
    page = open_kiosk(portrait)
    here = issue_ticket("HQ", "birth", by=SYSTEM).ticket.token
    assert page.request.get(f"/kiosk/qr.svg?ticket={here}").headers["content-type"].startswith("image/svg+xml")
    # New York may be closed now: its ticket is put there by hand
    nyc = db.session.scalar(select(Centre).where(Centre.code == "NYC"))
    birth = db.session.scalar(select(Service).where(Service.code == "birth"))
    far = Ticket(centre_id=nyc.id, service_id=birth.id, service_day=utcnow().date(), seq=1, number="A001",
                 token="x" * 43, status="waiting", arrived_at=utcnow(), issued_at=utcnow())
    db.session.add(far)
    db.session.commit()
    assert page.request.get(f"/kiosk/qr.svg?ticket={far.token}").status == 404
    assert page.request.get("/kiosk/qr.svg?ticket=unknown").status == 404
    stranger = browser.new_context(base_url=live_server)
    try:
        assert stranger.request.get(f"/kiosk/qr.svg?ticket={here}").status == 401
    finally:
        stranger.close()


# ---- inactivity -------------------------------------------------------------------------------------

def test_after_a_minute_without_a_touch_the_kiosk_returns_to_the_start(portrait, shots):
    page = open_kiosk(portrait, clock=True)
    tap(page, "Русский")
    tap(page, "Рождение ребёнка")
    tap(page, "Взять талон")
    warning = page.get_by_role("alertdialog", name="Вы ещё здесь?")
    page.clock.run_for(45_000)
    expect(warning).to_be_hidden()
    page.clock.run_for(6_000)  # 51 s: the last ten seconds are counted down
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(re.compile(r"Возврат в начало через \d+ с"))
    page.screenshot(path=shots / "kiosk-idle-warning.png")
    tap(page, "Да, мне нужно больше времени")  # a touch: the visit goes on
    expect(warning).to_be_hidden()
    expect(page.get_by_role("heading", name="Вам нужно обслуживание вне очереди?")).to_be_visible()
    page.clock.run_for(61_000)
    expect(page.get_by_role("heading", name="Headquarters")).to_be_visible()
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(warning).to_be_hidden()
    tap(page, "English", exact=True)  # nothing of the last visitor is left
    expect(page.get_by_role("tab", name="By life event")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("button", name="Birth of a child")).to_be_visible()


# ---- appointment check-in ---------------------------------------------------------------------------

def book(code: str, start_in: timedelta, service: str = "birth", centre: str = "HQ") -> Appointment:
    """An appointment booked by hand (the booking service is another issue's)."""
    start = utcnow() + start_in
    appointment = Appointment(
        code=code, centre_id=db.session.scalar(select(Centre.id).where(Centre.code == centre)),
        service_id=db.session.scalar(select(Service.id).where(Service.code == service)),
        start=start, end=start + timedelta(minutes=20), name="Ann Example", language="en",
    )
    db.session.add(appointment)
    db.session.commit()
    return appointment


def enter_code(page, code: str) -> None:
    tap(page, re.compile("I have an appointment"))
    expect(page.get_by_role("heading", name="Appointment check-in")).to_be_visible()
    type_on_screen(page, "On-screen keyboard", code)
    tap(page, "Check in")


def test_an_appointment_is_checked_in_by_its_code(app, kiosk, orientation, shots):
    book("K7Q2M9XD", timedelta(minutes=3))
    page = open_kiosk(kiosk)
    tap(page, re.compile("I have an appointment"))
    expect(page.get_by_role("heading", name="Appointment check-in")).to_be_visible()
    look(page, shots, f"kiosk-8-check-in-{orientation}")
    type_on_screen(page, "On-screen keyboard", "K7Q2M9XD")
    tap(page, "Check in")
    number = ticket_on_screen(page)
    expect(page.locator("#ticket-appointment")).to_have_text(re.compile(r"^Appointment at \d\d:\d\d$"))
    look(page, shots, f"kiosk-9-checked-in-{orientation}")
    ticket = stored_ticket(number)
    assert ticket.appointment is not None and ticket.appointment.code == "K7Q2M9XD"


def test_an_unknown_code_is_said(app, portrait):
    page = open_kiosk(portrait)
    enter_code(page, "ZZZZ1234")
    expect(page.get_by_role("alert")).not_to_be_empty()
    expect(page.get_by_role("button", name="Take a walk-in ticket instead")).to_be_hidden()
    expect(page.get_by_role("heading", name="Appointment check-in")).to_be_visible()


def test_too_late_for_the_appointment_offers_a_walk_in_ticket(app, portrait):
    book("LATE2345", -timedelta(hours=2), service="passport")
    page = open_kiosk(portrait)
    with page.expect_response(re.compile(r"/check-in$")) as answer:
        enter_code(page, "LATE2345")
    refusal = answer.value.json()["error"]
    assert (answer.value.status, refusal["code"]) == (409, "too_late")
    # the code's text in the kiosk's language, not the server's message
    expect(page.get_by_role("alert")).to_have_text(
        "It is too late to check in for this appointment. You can take a walk-in ticket instead.")
    tap(page, "Take a walk-in ticket instead")
    if refusal.get("service") or (refusal.get("appointment") or {}).get("service"):
        # the refusal names the booked service: straight to its priority question
        expect(page.get_by_role("heading", name="Do you need priority?")).to_be_visible()
        expect(page.locator("#priority-service")).to_have_text("Passport renewal")
    else:  # it does not (yet): the visitor picks the service
        expect(page.get_by_role("heading", name="How can we help you?")).to_be_visible()
        page.get_by_role("tab", name="By agency").click()
        tap(page, "Passports")
        page.locator("#panel-agencies button[data-service=passport]").click()
        tap(page, "Take a ticket")
    tap(page, "No", exact=True)
    tap(page, "Skip — no text message")
    ticket = stored_ticket(ticket_on_screen(page))
    assert (ticket.service.code, ticket.appointment_id, ticket.source) == ("passport", None, "kiosk")


# ---- accessibility ----------------------------------------------------------------------------------

def test_every_screen_passes_an_axe_scan(kiosk, orientation):
    open_desk("HQ-07", "c7", primary=["birth"])
    page = open_kiosk(kiosk)
    seen = {}
    seen["language"] = axe_problems(page)
    tap(page, "English", exact=True)
    seen["life events"] = axe_problems(page)
    tap(page, "Birth of a child")
    expect(page.locator("#visit-list li[data-pick=birth] [data-wait]")).to_have_text(re.compile(r"^~\d+ min$"))
    seen["a life event"] = axe_problems(page)
    tap(page, "Back")
    page.get_by_role("tab", name="By agency").click()
    seen["agencies"] = axe_problems(page)
    page.get_by_role("tab", name="Search").click()
    type_on_screen(page, "On-screen keyboard", "BIRTH")
    seen["search"] = axe_problems(page)
    page.locator("#search-results button").first.click()
    seen["service"] = axe_problems(page)
    tap(page, "Take a ticket")
    seen["priority"] = axe_problems(page)
    tap(page, "No", exact=True)
    type_on_screen(page, "Number pad", "12")
    tap(page, "Send me a text message")
    expect(page.get_by_role("alert")).not_to_be_empty()
    seen["phone, refused"] = axe_problems(page)
    tap(page, "Skip — no text message")
    ticket_on_screen(page)
    seen["ticket"] = axe_problems(page)
    tap(page, "Done")
    tap(page, re.compile("I have an appointment"))
    seen["check-in"] = axe_problems(page)
    assert {screen: problems for screen, problems in seen.items() if problems} == {}


def test_the_ticket_screen_gives_the_wait_as_the_range_the_centres_past_waits_give(portrait, shots):
    from tests.integration.test_estimate_ranges import history

    open_desk("HQ-05", "ida", primary=["info"])
    history(40, 0.0, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])  # estimates of 0 minutes were 0–4 minutes short: 80% of them 0–3
    page = open_kiosk(portrait)
    number = take_information_ticket(page)
    ticket = stored_ticket(number)
    assert (ticket.estimate_low_min, ticket.estimate_high_min) == (0, 3)
    expect(page.locator("#ticket-wait")).to_have_text("0–3 min")
    page.screenshot(path=shots / "kiosk-6-ticket-range.png")
