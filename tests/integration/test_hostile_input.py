"""Input the parsers could choke on, sent as an attacker would: every answer a 4xx, and nothing changed.

Parser limits (nesting thousands deep, numbers beyond any range, NaN, duplicate keys, 10 MB, BOMs,
UTF-16, wrong types), encodings (lone surrogates, overlong and invalid UTF-8, NUL in JSON, query
strings, forms and paths), calendar and number edges, header tricks and names made of nothing
visible, on public, kiosk and staff endpoints and on the HTML forms. Each case first proves that
the well-formed request it is made from would succeed (state would change), then sends the hostile
one and checks the answer (a 4xx, the API's JSON error shape, the stable code where the gate in
queue_app/parsing.py refuses) and that tickets, appointments, staff, tokens, devices, feedback,
print jobs, the audit trail and the counters are exactly as before. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import re
import socket
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from queue_app.domain.access import SYSTEM
from queue_app.db import utcnow
from queue_app.extensions import db
from queue_app.models import (
    ApiToken, Appointment, Counter, Device, Feedback, PrintJob, Staff, Ticket, TicketEvent,
)
from queue_app.services import book, create_device, create_user, open_counter
from queue_app.services.people import issue_staff_token
from tests.conftest import CHEAP_HASH, MSK, PASSWORD, add_clerk, error_of

FAST_HASH = generate_password_hash(PASSWORD, method=CHEAP_HASH)  # the manager signs in many times

DEEP = 5000
BIG = 10 * 1024 * 1024


# ---- the world each test attacks -------------------------------------------------------------

def tomorrow_at(hh: int, mm: int = 0) -> datetime:
    """A slot of HQ's (open 24/7) next local day: bookable whatever the time the tests run."""
    day = (utcnow().astimezone(MSK) + timedelta(days=1)).date()
    return datetime.combine(day, time(hh, mm), MSK)


class World:
    """HQ with clerks enough for online places, a kiosk, a clerk at an open counter with a called
    ticket, a manager, a finished ticket to rate and a booked appointment; and its tokens."""

    def __init__(self, client):
        self.client = client
        for i in range(4):
            add_clerk(f"hq{i}", "HQ", primary=["birth", "passport"])
        clerk = add_clerk("clara", "HQ", primary=["birth", "passport", "tax", "info"])
        second = add_clerk("otto", "HQ", primary=["birth"])
        third = add_clerk("pia", "HQ", primary=["birth", "info"])
        manager = Staff(username="mona", name="Mona", role="manager", centres=[clerk.centres[0]],
                        password_hash=FAST_HASH)
        db.session.add(manager)
        db.session.commit()
        self.clerk, _ = issue_staff_token(clerk.id, 12)
        self.second_clerk, _ = issue_staff_token(second.id, 12)
        self.third_clerk, _ = issue_staff_token(third.id, 12)
        self.manager, _ = issue_staff_token(manager.id, 12)
        self.kiosk = create_device("kiosk", "HQ", printer="dummy://").token
        open_counter("HQ-01", "clara", now=utcnow(), by=SYSTEM)
        self.counter = "HQ-01"
        done = self.issue()
        self.call(done)
        assert self.post(f"/api/v1/tickets/{done['id']}/start", self.clerk).status_code == 200
        assert self.post(f"/api/v1/tickets/{done['id']}/finish", self.clerk,
                         json={"outcome": "resolved"}).status_code == 200
        self.rate_token = done["token"]
        self.ticket = self.issue()
        self.call(self.ticket)
        assert self.post(f"/api/v1/tickets/{self.ticket['id']}/start", self.clerk).status_code == 200
        self.ticket_id = self.ticket["id"]
        booked = self.post("/api/v1/appointments", json=self.booking())
        assert booked.status_code == 201, booked.get_json()
        self.code = booked.get_json()["code"]
        open_counter("HQ-03", "pia", now=utcnow(), by=SYSTEM)  # idle, with a visitor waiting: call-next and pause act
        self.issue()
        # One due now, to check in: booked earlier (the API wants 30 minutes' notice).
        now = utcnow()
        start = (now + timedelta(minutes=20)).replace(second=0, microsecond=0)
        start -= timedelta(minutes=start.minute % 10)
        self.due = book("HQ", "birth", start, "Ben Due", phone="+34612345678", now=start - timedelta(hours=2)).code

    def issue(self) -> dict:
        answer = self.post("/api/v1/centres/HQ/tickets", self.kiosk, json={"service": "birth"})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def call(self, ticket: dict) -> None:
        answer = self.post(f"/api/v1/counters/{self.counter}/call-next", self.clerk)
        assert answer.status_code == 200 and answer.get_json()["id"] == ticket["id"], answer.get_json()

    @staticmethod
    def booking(**changes) -> dict:
        return {"centre": "HQ", "service": "birth", "start": tomorrow_at(10).isoformat(), "name": "Ana Ruiz",
                "phone": "+34 612 345 678", **changes}

    def post(self, url: str, token: str | None = None, **kw):
        return self.open("POST", url, token, **kw)

    def open(self, method: str, url: str, token: str | None = None, headers=None, **kw):
        headers = dict(headers or {})
        if token:
            headers.setdefault("Authorization", f"Bearer {token}")
        return self.client.open(url, method=method, headers=headers, **kw)

    def fill(self, text: str) -> str:
        return text.format(code=self.code, ticket=self.ticket_id, token=self.rate_token, counter=self.counter,
                           due=self.due, idle="HQ-03")


@pytest.fixture
def world(ctx):
    return World(ctx.test_client())


def state() -> dict:
    """Everything a request could change, as plain values to compare."""
    db.session.rollback()
    counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
              for model in (Ticket, TicketEvent, Appointment, Staff, ApiToken, Device, Feedback, PrintJob)}
    return {
        **counts,
        "ticket_rows": db.session.execute(select(Ticket.id, Ticket.status, Ticket.priority, Ticket.counter_id)
                                      .order_by(Ticket.id)).all(),
        "appointment_rows": db.session.execute(select(Appointment.code, Appointment.status, Appointment.start,
                                                  Appointment.name).order_by(Appointment.code)).all(),
        "counters": db.session.execute(select(Counter.code, Counter.state, Counter.staff_id)
                                       .order_by(Counter.code)).all(),
        "tokens": db.session.execute(select(ApiToken.id, ApiToken.revoked_at).order_by(ApiToken.id)).all(),
        "staff_rows": db.session.execute(select(Staff.username, Staff.name, Staff.active).order_by(Staff.username)).all(),
    }


class Findings:
    """Failures of many attacks in one test, reported together (each case still checks state)."""

    def __init__(self):
        self.failures: list[str] = []

    def check(self, case, attack) -> None:
        before = state()
        try:
            attack()
            assert state() == before, "the state changed"
        except Exception as exc:  # noqa: BLE001 (an assertion, or a timeout on the wire: each is a finding)
            self.failures.append(f"{case!r}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:300]}")
            db.session.rollback()

    def __bool__(self) -> bool:
        return bool(self.failures)

    def report(self) -> str:
        return "\n".join(self.failures)


@pytest.fixture
def findings():
    found = Findings()
    yield found
    assert not found, found.report()


def refused(response, codes=None, statuses=range(400, 500)) -> None:
    """A 4xx (never a 5xx); under /api/ the JSON error shape, with one of `codes` when given."""
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    if urlsplit(response.request.url).path.startswith("/api/"):
        status, code = error_of(response)
        if codes:
            assert code in codes, response.get_json()


# ---- the JSON parser's limits, on every endpoint that reads a body ---------------------------

# (method, url, who, a well-formed body the endpoint acts on, the field to poison)
BODY_ENDPOINTS = {
    "book": ("POST", "/api/v1/appointments", None, World.booking(start=tomorrow_at(11).isoformat()), "name"),
    "reschedule": ("POST", "/api/v1/appointments/{code}/reschedule", None,
                   {"start": tomorrow_at(12).isoformat()}, "start"),
    "remote": ("POST", "/api/v1/centres/HQ/remote-tickets", None, {"service": "birth", "phone": "+34612345679"},
               "service"),
    "feedback": ("POST", "/api/v1/tickets/{token}/feedback", None, {"rating": 4, "comment": "fine"}, "comment"),
    "token": ("POST", "/api/v1/auth/token", None, {"username": "mona", "password": PASSWORD}, "username"),
    "issue": ("POST", "/api/v1/centres/HQ/tickets", "kiosk", {"service": "info", "priority": True}, "service"),
    "check_in": ("POST", "/api/v1/appointments/{due}/check-in", "kiosk", {"language": "es"}, "language"),
    "open": ("POST", "/api/v1/counters/HQ-02/open", "second_clerk", {"skills": ["birth"]}, "skills"),
    "finish": ("POST", "/api/v1/tickets/{ticket}/finish", "clerk", {"outcome": "resolved"}, "outcome"),
    "transfer": ("POST", "/api/v1/tickets/{ticket}/transfer", "clerk", {"service": "tax"}, "service"),
    # Endpoints that take no body: a hostile one must not slip through unread.
    "call_next": ("POST", "/api/v1/counters/{idle}/call-next", "third_clerk", None, None),
    "cancel": ("DELETE", "/api/v1/appointments/{code}", None, None, None),
    "pause": ("POST", "/api/v1/counters/{idle}/pause", "third_clerk", None, None),
    "revoke": ("DELETE", "/api/v1/auth/token", "clerk", None, None),
}


def token_of(world: World, who: str | None) -> str | None:
    return {"kiosk": world.kiosk, "clerk": world.clerk, "second_clerk": world.second_clerk,
            "third_clerk": world.third_clerk,
            "manager": world.manager, None: None}[who]


def nested(depth: int, leaf: str = "1", kind: str = "array") -> str:
    if kind == "array":
        return "[" * depth + leaf + "]" * depth
    return '{"a":' * depth + leaf + "}" * depth


def poison(body: dict | None, field: str | None, raw_value: str) -> str:
    """The body as JSON text with `field`'s value replaced by raw JSON text (or a new field)."""
    body = dict(body or {})
    field = field or "x"
    body[field] = "__POISON__"
    return json.dumps(body).replace('"__POISON__"', raw_value)


# name: (raw JSON for the poisoned value, expected status, expected codes)
POISONED_VALUES = {
    "arrays_5000_deep": (nested(DEEP), 400, {"malformed_json"}),
    "objects_5000_deep": (nested(DEEP, kind="object"), 400, {"malformed_json"}),
    "arrays_60k_unclosed": ("[" * 60_000, 400, {"malformed_json"}),  # just under the 64 KB bodies may have
    "1e400": ("1e400", 400, {"malformed_json"}),
    "-1e400": ("-1e400", 400, {"malformed_json"}),
    "NaN": ("NaN", 400, {"malformed_json"}),
    "Infinity": ("Infinity", 400, {"malformed_json"}),
    "-Infinity": ("-Infinity", 400, {"malformed_json"}),
    "int_5000_digits": ("9" * 5000, 400, {"malformed_json"}),
    "int_beyond_2**53": ("9007199254740993", 400, {"malformed_json"}),
    "lone_high_surrogate": ('"Ana \\ud800"', 400, {"invalid_text"}),
    "lone_low_surrogate": ('"\\udfff"', 400, {"invalid_text"}),
    "reversed_pair": ('"\\udc00\\ud800"', 400, {"invalid_text"}),
    "nul": ('"a\\u0000b"', 400, {"invalid_text"}),
    "escape_sequence": ('"\\u001b[2J"', 400, {"invalid_text"}),
    "surrogate_in_key": ('{"\\ud800": 1}', 400, {"invalid_text"}),
}


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
def test_poisoned_json_values_are_refused_by_the_parser(world, findings, endpoint):
    method, url, who, body, field = BODY_ENDPOINTS[endpoint]
    for value, (raw, status, codes) in POISONED_VALUES.items():
        findings.check(value, lambda: refused(
            world.open(method, world.fill(url), token_of(world, who), data=poison(body, field, raw),
                       content_type="application/json"), codes, statuses={status}))


# name: (raw body bytes made from the valid body, content type, expected status, codes)
def raw_bodies(body: dict | None) -> dict:
    text = json.dumps(body or {"x": 1})
    inner = text[1:-1]
    return {
        "duplicate_keys": (("{" + inner + ", " + inner + "}").encode() if body else b'{"x": 1, "x": 2}',
                           "application/json", 400, {"malformed_json"}),
        "bom": (b"\xef\xbb\xbf" + text.encode(), "application/json", 400, {"malformed_json"}),
        "utf16": (text.encode("utf-16"), "application/json", 400, {"malformed_json", "invalid_text"}),
        "utf16le_no_bom": (text.encode("utf-16-le"), "application/json", 400, {"malformed_json", "invalid_text"}),
        "utf32": (text.encode("utf-32"), "application/json", 400, {"malformed_json", "invalid_text"}),
        "charset_utf16_declared": (text.encode("utf-16"), "application/json; charset=utf-16", 415, None),
        "charset_latin1_declared": (text.encode(), "application/json; charset=latin-1", 415, None),
        "invalid_utf8_byte": (text[:-1].encode() + b', "y": "\xff"}', "application/json", 400, {"invalid_text"}),
        "overlong_slash": (text[:-1].encode() + b', "y": "\xc0\xaf"}', "application/json", 400, {"invalid_text"}),
        "encoded_surrogate": (text[:-1].encode() + b', "y": "\xed\xa0\x80"}', "application/json", 400,
                              {"invalid_text"}),
        "truncated_utf8": (text[:-1].encode() + b', "y": "\xe2\x82"}', "application/json", 400, {"invalid_text"}),
        "raw_nul_byte": (text[:-1].encode() + b', "y": "a\x00b"}', "application/json", 400,
                         {"malformed_json", "invalid_text"}),
        "trailing_garbage": (text.encode() + b" x", "application/json", 400, {"malformed_json"}),
        "two_documents": (text.encode() + text.encode(), "application/json", 400, {"malformed_json"}),
        "single_quotes": (text.replace('"', "'").encode(), "application/json", 400, {"malformed_json"}),
        "ten_megabytes": (text[:-1].encode() + b', "y": "' + b"a" * BIG + b'"}', "application/json", 413, None),
        "ten_megabytes_of_nesting": (b"[" * BIG, "application/json", 413, None),
        "as_text_plain": (text.encode(), "text/plain", 415, None),
        "as_form": (b"service=birth", "application/x-www-form-urlencoded", 415, None),
        "as_xml": (b"<service>birth</service>", "application/xml", 415, None),
        "as_multipart": (b"--b\r\nContent-Disposition: form-data; name=\"service\"\r\n\r\nbirth\r\n--b--\r\n",
                         "multipart/form-data; boundary=b", 415, None),
        "untyped": (text.encode(), None, 415, None),
    }


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
def test_malformed_bodies_are_refused(world, findings, endpoint):
    method, url, who, body, field = BODY_ENDPOINTS[endpoint]
    for case, (raw, content_type, status, codes) in raw_bodies(body).items():
        kw = {"data": raw, **({"content_type": content_type} if content_type else {})}
        findings.check(case, lambda: refused(world.open(method, world.fill(url), token_of(world, who), **kw),
                                             codes, statuses={status}))


@pytest.mark.parametrize("endpoint", [name for name, spec in BODY_ENDPOINTS.items() if spec[3] is not None])
def test_the_well_formed_bodies_the_attacks_start_from_are_taken(world, endpoint):
    """The control: each poisoned body above differs from one the endpoint acts on."""
    method, url, who, body, _ = BODY_ENDPOINTS[endpoint]
    before = state()
    response = world.open(method, world.fill(url), token_of(world, who), json=body)
    assert response.status_code in (200, 201), response.get_json()
    assert state() != before or endpoint == "token"  # a token is a row of its own
    if endpoint == "token":
        assert state()["api_tokens"] == before["api_tokens"] + 1


@pytest.mark.parametrize("endpoint", [name for name, spec in BODY_ENDPOINTS.items() if spec[3] is None])
def test_the_bodiless_endpoints_act_when_asked_plainly(world, endpoint):
    method, url, who, _, _ = BODY_ENDPOINTS[endpoint]
    before = state()
    response = world.open(method, world.fill(url), token_of(world, who))
    assert response.status_code in (200, 204), response.get_data(as_text=True)
    assert state() != before


# ---- strict booleans and whole numbers ------------------------------------------------------

def test_priority_is_a_json_boolean_only(world, findings):
    def attack(priority):
        response = world.post("/api/v1/centres/HQ/tickets", world.kiosk, json={"service": "info", "priority": priority})
        refused(response, {"invalid"}, statuses={422})
        assert "priority" in response.get_json()["error"]["fields"]

    for priority in ["yes", "true", "on", "1", 1, 0, "no", "false", None, [], {}, 1.0, "True", "y", "t"]:
        findings.check(priority, lambda: attack(priority))


@pytest.mark.parametrize("priority", [True, False])
def test_priority_true_and_false_are_taken(world, priority):
    response = world.post("/api/v1/centres/HQ/tickets", world.kiosk, json={"service": "info", "priority": priority})
    assert response.status_code == 201
    assert db.session.get(Ticket, response.get_json()["id"]).priority is priority


def test_a_rating_is_a_whole_number_from_1_to_5(world, findings):
    for rating in [True, False, "5", 5.0, 4.5, 0, 6, -1, 2**31, 2**53 - 1, None, [5], {"v": 5}, "five"]:
        findings.check(rating, lambda: refused(
            world.post(f"/api/v1/tickets/{world.rate_token}/feedback", json={"rating": rating}), {"invalid"},
            statuses={422}))
    assert world.post(f"/api/v1/tickets/{world.rate_token}/feedback", json={"rating": 5}).status_code == 201


def test_ids_outside_32_bits_or_not_plain_digits_are_404(world, findings):
    ticket = world.ticket_id
    for url in [
        "/api/v1/tickets/2147483648/start", "/api/v1/tickets/9223372036854775808/finish",
        "/api/v1/tickets/" + "9" * 400 + "/recall", "/api/v1/tickets/-1/start", "/api/v1/tickets/0/no-show",
        "/api/v1/tickets/1e3/start", "/api/v1/tickets/0x10/start", "/api/v1/tickets/%EF%BC%91/start",  # fullwidth 1
        f"/api/v1/tickets/{ticket}.0/finish", f"/api/v1/tickets/+{ticket}/finish",
        f"/api/v1/tickets/{ticket}%20/finish", f"/api/v1/tickets/%20{ticket}/finish",
        f"/api/v1/tickets/{ticket + 2**32}/finish", f"/api/v1/tickets/{ticket - 2**32}/finish",
        f"/api/v1/tickets/{ticket}\u0663/finish".replace("\u0663", "%D9%A3"),  # an Arabic-Indic 3 after the id
    ]:
        findings.check(url, lambda: refused(world.post(url, world.clerk, json={"outcome": "resolved"}),
                                            statuses={404}))


# ---- names with nothing visible ---------------------------------------------------------------

INVISIBLE_NAMES = {
    "spaces": "   ", "nbsp": "\u00a0\u00a0", "ideographic_space": "\u3000", "em_thin": "\u2003\u2009",
    "zero_width_space": "\u200b", "zwnj_zwj": "\u200c\u200d", "lrm_rlm": "\u200e\u200f", "word_joiner": "\u2060",
    "bom": "\ufeff", "combining_acute": "\u0301", "combining_marks": "\u0301\u0308\u20dd", "soft_hyphen": "\u00ad",
    "line_separators": "\u2028\u2029", "mongolian_vowel_separator": "\u180e", "tag_letters": "\U000e0041\U000e0042",
    "mixed": "\u200b \ufeff\u2060\u3000", "punctuation_only": "...", "emoji_only": "\U0001f600",
}


def test_a_booking_name_needs_a_visible_letter(world, findings):
    def attack(name):
        response = world.post("/api/v1/appointments", json=World.booking(start=tomorrow_at(11).isoformat(), name=name))
        refused(response, {"invalid"}, statuses={422})
        assert "name" in response.get_json()["error"]["fields"]

    for case, name in INVISIBLE_NAMES.items():
        findings.check(case, lambda: attack(name))
    for name in ["a\x85", "\x7fb", "\x1b[2J Ana", "Ana\x00"]:  # not text at all: the parser's refusal
        findings.check(name, lambda: refused(world.post("/api/v1/appointments", json=World.booking(name=name)),
                                             {"invalid_text"}, statuses={400}))


def test_a_name_is_kept_without_the_invisible_characters_around_it(world):
    response = world.post("/api/v1/appointments", json=World.booking(start=tomorrow_at(11).isoformat(),
                                                                      name="\u200b\ufeff Ana\u200dRuiz \u3000"))
    assert response.status_code == 201
    appointment = db.session.scalar(select(Appointment).where(Appointment.code == response.get_json()["code"]))
    assert appointment.name == "Ana\u200dRuiz"


@pytest.mark.parametrize("name", ["\u200b", "   ", "\u0301", "\ufeff\u2060"])
def test_staff_and_device_names_need_a_visible_letter(ctx, name):
    from queue_app.domain.errors import InvalidRequest

    before = state()
    with pytest.raises(InvalidRequest):
        create_user(name, "manager", password=PASSWORD, centres=["HQ"])
    with pytest.raises(InvalidRequest):
        create_user("ok_name", "manager", password=PASSWORD, name=name, centres=["HQ"])
    with pytest.raises(InvalidRequest):
        create_device("kiosk", "HQ", name=name)
    assert state() == before


# ---- calendar edges -------------------------------------------------------------------------

BAD_DAYS = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01", "2026-02-30", "2027-02-29", "2026-13-01",
            "2026-00-10", "20261124", "2026-W48-2", "+2026-11-24", "2026-11-24T00:00", "%EF%BC%92026-11-24",
            "2026-11-2%D9%A3", "yesterday", "", "-0001-01-01", "10000-01-01"]


def test_slots_and_stats_of_days_outside_the_calendar_are_422(world, findings):
    for day in BAD_DAYS:
        findings.check(("slots", day), lambda: refused(
            world.open("GET", f"/api/v1/centres/HQ/slots?service=birth&date={day}"), {"invalid"}, statuses={422}))
        findings.check(("stats", day), lambda: refused(
            world.open("GET", f"/api/v1/centres/HQ/stats?date={day}", world.manager), {"invalid"}, statuses={422}))


def test_open_data_periods_outside_the_calendar_are_422(world, findings):
    for query in ["from=9999-12-31", "from=0001-01-01", "from=2026-11-01&to=9999-12-31", "from=9999-12-30&to=9999-12-31",
                  "from=0001-01-01&to=0001-01-02", "from=2026-02-30", "from=2099-12-31&to=2100-01-01",
                  "from=1999-12-31&to=2000-01-01", "from=2026-11-24&to=20261125"]:
        findings.check(("api", query), lambda: refused(world.open("GET", f"/api/v1/open-data/daily?{query}"),
                                                       {"invalid"}, statuses={422}))
        findings.check(("page", query), lambda: refused(world.open("GET", f"/open-data?{query}"), statuses={422}))


def test_the_edges_of_the_calendar_are_answered(world):
    for day in ("2000-01-01", "2099-12-31"):
        assert world.open("GET", f"/api/v1/centres/HQ/slots?service=birth&date={day}").status_code == 200
        assert world.open("GET", f"/api/v1/centres/HQ/stats?date={day}", world.manager).status_code == 200
        assert world.open("GET", f"/api/v1/open-data/daily?from={day}").status_code == 200
        assert world.open("GET", f"/open-data?from={day}").status_code == 200


def bad_starts() -> list:
    """Impossible starts; those with an ordinary date take tomorrow's, where a real slot would be bookable."""
    day = tomorrow_at(10).date().isoformat()
    return ["9999-12-31T23:59:00-12:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00",
            "0001-01-01T00:00:00+00:00", "2099-12-31T23:00:00-05:00", f"{day}T24:00:00+03:00",
            f"{day}T10:00:00+25:00", f"{day}T10:00:00+24:00", f"{day}T23:59:60+03:00", "2027-02-29T10:00:00+03:00",
            f"{day}T10:00:00", day, "10:00", "", f"{day}T10:00:00+03:00:00.5", f"{day}T10:00:00+03:00:30",
            f"{day}T10:60:00+03:00", "1e10", f"２{day[1:]}T10:00:00+03:00", f"{day}T1０:00:00+03:00",
            9_999_999_999, 1e15, True, None, [f"{day}T10:00:00+03:00"], {}]


def test_booking_and_moving_at_impossible_times_are_422(world, findings):
    for start in bad_starts():
        findings.check(("book", start), lambda: refused(
            world.post("/api/v1/appointments", json=World.booking(start=start)), {"invalid"}, statuses={422}))
        findings.check(("move", start), lambda: refused(
            world.post(f"/api/v1/appointments/{world.code}/reschedule", json={"start": start}), {"invalid"},
            statuses={422}))


def test_booking_pages_of_days_outside_the_calendar_are_404(world, findings):
    for day in ["9999-12-31", "0001-01-01", "2100-01-01", "2026-02-30", "2026-W48-2", "1999-12-31"]:
        for url in (f"/book/birth/HQ/{day}", f"/book/birth/HQ/{day}/details", f"/book/manage/{world.code}/move/{day}"):
            findings.check(url, lambda: refused(world.open("GET", url), statuses={404}))


def test_booking_forms_with_a_start_outside_the_calendar_book_nothing(world, findings):
    day = tomorrow_at(10).date().isoformat()
    for stamp in ["99991231T2359Z", "00010101T0000Z", "21000101T0000Z", "20260230T1000Z", "99991231T2400Z"]:
        def attack():
            form = world.open("GET", f"/book/birth/HQ/{day}/details?at={stamp}")
            assert form.status_code == 200
            refused(world.post(f"/book/birth/HQ/{day}/details", data={
                "csrf_token": csrf_of(form), "start": stamp, "name": "Ana Ruiz", "phone": "+34 612 345 678",
                "email": "", "language": "en"}))
        findings.check(stamp, attack)


# ---- encodings in addresses, query strings and forms -----------------------------------------

BAD_BYTES = {"lone_surrogate": "%ED%A0%80", "ff": "%FF", "overlong_slash": "%C0%AF", "truncated": "%E2%82",
             "latin1_e_acute": "%E9", "nul": "%00", "escape": "%1B", "del": "%7F", "c1_nel": "%C2%85"}


GET_ADDRESSES = [
    "/api/v1/centres/HQ/slots?service=birth&date=2026-11-24{bad}",
    "/api/v1/centres/HQ/slots?service=birth{bad}&date=2026-11-24",
    "/api/v1/centres/HQ/slots?service=birth&date=2026-11-24&x{bad}=1",
    "/api/v1/open-data/daily?from=2026-11-01&centre=HQ{bad}",
    "/api/v1/centres/HQ{bad}",
    "/api/v1/tickets/abc{bad}",
    "/api/v1/appointments/{bad}",
    "/open-data?from=2026-11-01{bad}",
    "/book/birth/HQ{bad}",
    "/book/manage/AB{bad}",
    "/t/abc{bad}",
    "/join?centre=HQ{bad}",
    "/login?next=/{bad}",
    "/kiosk?ticket={bad}",
    "/api/v1/services?{bad}",
    "/counter?counter=HQ-01{bad}",
]
STATE_CHANGING_ADDRESSES = [
    ("POST", "/api/v1/appointments/{due}{bad}/check-in", "kiosk"),
    ("DELETE", "/api/v1/appointments/{code}{bad}", None),
    ("POST", "/api/v1/counters/{idle}{bad}/call-next", "third_clerk"),
    ("POST", "/api/v1/centres/HQ/tickets?lang=en{bad}", "kiosk"),
    ("POST", "/api/v1/centres/HQ{bad}/tickets", "kiosk"),
    ("POST", "/api/v1/counters/{idle}/call-next?x={bad}", "third_clerk"),
    ("POST", "/api/v1/counters/{idle}/pause?{bad}", "third_clerk"),
]


@pytest.mark.parametrize("bad", BAD_BYTES, ids=str)
def test_addresses_that_are_not_text_are_400_and_change_nothing(world, findings, bad):
    def address(url: str) -> str:
        return world.fill(url.replace("{bad}", "__BAD__")).replace("__BAD__", BAD_BYTES[bad])

    for url in GET_ADDRESSES:
        findings.check(url, lambda: refused(world.open("GET", address(url)), {"invalid_text"}, statuses={400}))
    for method, url, who in STATE_CHANGING_ADDRESSES:
        body = {"json": {"service": "info"}} if "/tickets" in url else {}
        findings.check(url, lambda: refused(world.open(method, address(url), token_of(world, who), **body),
                                            {"invalid_text"}, statuses={400}))


def test_the_addresses_the_attacks_start_from_are_served(world, findings):
    """The control: without the bad bytes, each address above answers (or acts)."""
    for url in GET_ADDRESSES:
        answer = world.open("GET", world.fill(url.replace("{bad}", "")))
        assert answer.status_code < 400 or answer.status_code in (401, 404), (url, answer.status_code)
    before = state()
    method, url, who = STATE_CHANGING_ADDRESSES[0]
    assert world.open(method, world.fill(url.replace("{bad}", "")), token_of(world, who), json={}).status_code == 201
    assert state() != before


def csrf_of(response) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert found, "the page has no CSRF token"
    return found.group(1)


def form_body(fields: dict[str, str], bad_field: str, bad: str) -> bytes:
    """An urlencoded body whose `bad_field` ends in raw percent-encoded bytes that are not UTF-8 text."""
    from urllib.parse import quote

    return "&".join(f"{quote(k)}={quote(v)}{bad if k == bad_field else ''}" for k, v in fields.items()).encode()


def test_a_booking_form_with_text_that_is_not_text_books_nothing(world, findings):
    start = tomorrow_at(11)
    day = start.date().isoformat()
    stamp = start.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
    form = world.open("GET", f"/book/birth/HQ/{day}/details?at={stamp}")
    fields = {"csrf_token": csrf_of(form), "start": stamp, "name": "Ana Ruiz", "phone": "+34 612 345 678",
              "email": "", "language": "en"}
    before = state()
    for field in ("name", "phone", "email", "start", "language"):
        for bad in BAD_BYTES.values():
            findings.check((field, bad), lambda: refused(world.post(
                f"/book/birth/HQ/{day}/details", data=form_body(fields, field, bad),
                content_type="application/x-www-form-urlencoded"), statuses={400}))
    # The control: the same form, well-formed, books.
    assert world.post(f"/book/birth/HQ/{day}/details", data=form_body(fields, "name", ""),
                      content_type="application/x-www-form-urlencoded").status_code == 303
    assert state()["appointments"] == before["appointments"] + 1


def test_a_booking_form_with_an_invisible_name_books_nothing(world, findings):
    start = tomorrow_at(11)
    day = start.date().isoformat()
    stamp = start.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
    form = world.open("GET", f"/book/birth/HQ/{day}/details?at={stamp}")

    def attack(name):
        response = world.post(f"/book/birth/HQ/{day}/details", data={
            "csrf_token": csrf_of(form), "start": stamp, "name": name, "phone": "+34 612 345 678", "email": "",
            "language": "en"})
        assert response.status_code == 422, response.status_code
        assert "Enter your name." in response.get_data(as_text=True)

    for case, name in INVISIBLE_NAMES.items():
        findings.check(case, lambda: attack(name))


def test_the_login_form_with_text_that_is_not_text_signs_nobody_in(world, findings):
    page = world.open("GET", "/login")
    fields = {"csrf_token": csrf_of(page), "username": "mona", "password": PASSWORD}

    def attack(field, bad):
        response = world.post("/login", data=form_body(fields, field, bad),
                              content_type="application/x-www-form-urlencoded")
        refused(response, statuses={400})
        with world.client.session_transaction() as session:
            assert "_user_id" not in session, "signed in"

    for field in ("username", "password", "csrf_token"):
        for bad in BAD_BYTES.values():
            findings.check((field, bad), lambda: attack(field, bad))
    # The control: well-formed, the same form signs mona in.
    assert world.post("/login", data=form_body(fields, "username", ""),
                      content_type="application/x-www-form-urlencoded").status_code in (302, 303)


def test_the_join_and_feedback_forms_with_text_that_is_not_text_change_nothing(world, findings):
    join = {"csrf_token": csrf_of(world.open("GET", "/join")), "centre": "HQ", "service": "birth",
            "phone": "+34612345670"}
    rate = {"csrf_token": csrf_of(world.open("GET", f"/t/{world.rate_token}")), "rating": "5", "comment": "great"}
    for bad in BAD_BYTES.values():
        for field in join:
            findings.check(("join", field, bad), lambda: refused(world.post(
                "/join", data=form_body(join, field, bad), content_type="application/x-www-form-urlencoded"),
                statuses={400}))
        for field in rate:
            findings.check(("feedback", field, bad), lambda: refused(world.post(
                f"/t/{world.rate_token}/feedback", data=form_body(rate, field, bad),
                content_type="application/x-www-form-urlencoded"), statuses={400}))


def test_multipart_forms_with_bytes_that_are_not_utf8_change_nothing(world):
    start = tomorrow_at(11)
    day = start.date().isoformat()
    stamp = start.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")
    form = world.open("GET", f"/book/birth/HQ/{day}/details?at={stamp}")
    fields = {"csrf_token": csrf_of(form), "start": stamp, "phone": "+34 612 345 678", "email": "", "language": "en"}
    parts = b"".join(f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in fields.items())
    body = parts + b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nAna \xed\xa0\x80\r\n--b--\r\n'
    before = state()
    refused(world.post(f"/book/birth/HQ/{day}/details", data=body, content_type="multipart/form-data; boundary=b"),
            statuses={400})
    assert state() == before


def test_a_manager_form_with_text_that_is_not_text_saves_no_plan(ctx):
    from queue_app.models import StaffingPlan

    client = ctx.test_client()
    create_user("mona", "manager", password=PASSWORD, centres=["HQ"])
    page = client.get("/login")
    assert client.post("/login", data={"csrf_token": csrf_of(page), "username": "mona",
                                       "password": PASSWORD}).status_code in (302, 303)
    plan = client.get("/manager/HQ/plan")
    assert plan.status_code == 200
    before = db.session.scalar(select(func.count()).select_from(StaffingPlan))
    response = client.post("/manager/HQ/plan", data=form_body({"csrf_token": csrf_of(plan), "hour-9": "3"},
                                                              "hour-9", "%ED%A0%80"),
                           content_type="application/x-www-form-urlencoded")
    refused(response, statuses={400})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StaffingPlan)) == before
    for day in ("9999-12-31", "0001-01-01"):
        assert client.get(f"/manager/reports?centre=HQ&mode=day&date={day}").status_code == 422
        assert client.get(f"/manager/reports?centre=HQ&mode=period&from=2026-11-01&to={day}").status_code == 422
        assert client.get(f"/manager/HQ/plan?day={day}").status_code in (302, 303)


# ---- header tricks ----------------------------------------------------------------------------

def test_odd_authorization_headers_are_401(world, findings):
    for authorization in [
        "Bearer ", "Bearer", "Bearer \xff\xfe\xfd", "Bearer " + "a" * 10_000, "Bearer a b", "Bearer\ttoken",
        "Basic bW9uYTpwYXNz", "bearer", "Bearer %00", "Bearer \u00e9\u00e8", "Token abc", "Bearer ../../etc/passwd",
        f"Bearer {world.kiosk}\x00", f"Bearer {world.kiosk}.", f"Bearer {world.kiosk[:-1]}",
    ]:
        findings.check(authorization[:40], lambda: refused(world.post(
            "/api/v1/centres/HQ/tickets", json={"service": "info"}, headers={"Authorization": authorization}),
            {"unauthorized"}, statuses={401}))


def test_garbage_accept_language_still_gives_a_page(world, findings):
    for accept_language in ["\xff\xfe", "*;q=NaN", "en;q=1e400", "en;q=-1", ";;;,,,", "x" * 8000, "en-" + "a" * 500,
                            "ru;q=0.5, *;q=inf", "\x00", "ar-EG-u-nu-arab;q=0.9", "zh-Hant-TW-x-private"]:
        for url in ("/book/", "/login", "/api/v1/services", "/open-data", "/join"):
            def attack():
                response = world.open("GET", url, headers={"Accept-Language": accept_language})
                assert response.status_code == 200, response.status_code
            findings.check((accept_language[:20], url), attack)


def test_huge_or_forged_cookies_change_nothing(world, findings):
    for cookie in ["session=" + "a" * 8000, "session=\xff\xfe", "session=.eJy" + "A" * 5000, "lang=" + "x" * 4000,
                   "session=; session=; session=x", "session=" + "%ED%A0%80"]:
        def attack():
            refused(world.post(f"/api/v1/counters/{world.counter}/call-next", headers={"Cookie": cookie}),
                    {"unauthorized"}, statuses={401})
            assert world.open("GET", "/login", headers={"Cookie": cookie}).status_code == 200
        findings.check(cookie[:30], attack)


def test_bogus_content_lengths_change_nothing(world, findings):
    for length in ["abc", "-1", "99999999999999999999", "1e3", " 5", "0x10", "5", "0"]:
        findings.check(length, lambda: refused(world.post(
            "/api/v1/centres/HQ/tickets", world.kiosk, data=b'{"service": "info"}', content_type="application/json",
            environ_overrides={"CONTENT_LENGTH": length})))


# ---- on the wire: a real server, real bytes ---------------------------------------------------

def raw_request(base: str, request: bytes) -> int:
    """Send raw bytes to the live server; return the answer's status code."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def http(method: str, path: bytes, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """A raw HTTP/1.1 request; the body's true length is sent unless the headers say otherwise."""
    headers = dict(headers or {})
    if body and "Transfer-Encoding" not in headers:
        headers.setdefault("Content-Length", str(len(body)))
    lines = [method.encode() + b" " + path + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [f"{k}: {v}".encode("latin-1") for k, v in (headers or {}).items()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_raw_bytes_on_the_wire_are_4xx(world, findings, live_server):
    deep = b'{"service": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    auth = {"Authorization": f"Bearer {world.kiosk}"}
    cases = [
        http("GET", b"/api/v1/centres/\xff"),  # not percent-encoded at all
        http("GET", b"/api/v1/centres/HQ/slots?service=birth&date=\xed\xa0\x80"),
        http("GET", b"/book/birth/HQ/\xc0\xaf"),
        http("GET", b"/api/v1/centres/HQ/slots?service=birth&date=9999-12-31"),
        http("POST", b"/api/v1/centres/HQ/tickets", {**auth, "Content-Type": "application/json"}, deep),
        http("POST", b"/api/v1/centres/HQ/tickets", {**auth, "Content-Type": "application/json",
                                                      "Transfer-Encoding": "chunked"},
             f"{len(deep):x}\r\n".encode() + deep + b"\r\n0\r\n\r\n"),
        http("POST", b"/api/v1/centres/HQ/tickets", {**auth, "Content-Type": "application/json",
                                                      "Content-Length": "100000000"}, b'{"service": "info"}'),
        http("POST", b"/api/v1/appointments", {"Content-Type": "application/json"},
             b'{"name": "\xed\xa0\x80", "centre": "HQ"}'),
        http("POST", b"/login", {"Content-Type": "application/x-www-form-urlencoded"}, b"username=\xff&password=x"),
        http("POST", b"/api/v1/centres/HQ/tickets", {**auth, "Content-Type": "application/json; charset=utf-16"},
             '{"service": "info"}'.encode("utf-16")),
    ]
    before = state()
    for request in cases:
        findings.check(request[:90], lambda: check_status(raw_request(live_server, request)))


def check_status(status: int) -> None:
    assert 400 <= status < 500, status


def test_odd_host_headers_never_break_the_server(world, live_server):
    for host in ["evil.example", "a" * 300, "[::1", "127.0.0.1:99999", "host name", "h\x01st", ""]:
        request = http("GET", b"/api/v1/services", {"Host": host}).replace(b"Host: 127.0.0.1\r\n", b"", 1)
        assert raw_request(live_server, request) < 500, host
