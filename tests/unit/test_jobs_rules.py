"""The jobs' and notifications' rules in plain data: which days are due, which days run on through
the night, when a reminder is due, how addresses are masked, which backend a URI names."""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from queue_app.domain.hours import OpeningHours, continues, due_days, parse_span
from queue_app.jobs import JobsDone
from queue_app.services.days import occasion
from queue_app.notifications.delivery import reminder_due
from queue_app.notifications.senders import (LogSender, Message, SmtpSender, mask, mask_email, mask_phone, scrub,
                                             sender_for)

NY, MSK = ZoneInfo("America/New_York"), ZoneInfo("Europe/Moscow")
OFFICE = OpeningHours(weekly={d: parse_span("09:00-17:00") for d in ("mon", "tue", "wed", "thu", "fri")}
                      | {"sat": parse_span("10:00-14:00"), "sun": None})
ALWAYS = OpeningHours(always_open=True, exceptions={date(2026, 12, 31): parse_span("00:00-18:00")})
MONDAY = date(2026, 11, 23)


def test_due_days_list_the_passed_openings_and_closings_in_local_time():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=NY)
    days = due_days(OFFICE, NY, now)
    assert [d for d, _, _ in days] == [date(2026, 11, 21), date(2026, 11, 22), MONDAY]
    saturday, sunday, monday = days
    assert saturday[1:] == (datetime(2026, 11, 21, 10, tzinfo=NY), datetime(2026, 11, 21, 14, tzinfo=NY))
    assert sunday[1:] == (None, None)
    assert monday[1:] == (datetime(2026, 11, 23, 9, tzinfo=NY), None)  # open, not yet closed


def test_the_local_day_follows_the_centres_timezone():
    # 23:30 on Monday in New York is already Tuesday in Moscow.
    now = datetime(2026, 11, 23, 23, 30, tzinfo=NY)
    assert due_days(ALWAYS, MSK, now)[-1][0] == date(2026, 11, 24)
    assert due_days(OFFICE, NY, now)[-1][0] == MONDAY


def test_only_a_day_running_into_the_next_continues_through_midnight():
    assert continues(ALWAYS, MONDAY)
    assert continues(ALWAYS, date(2026, 12, 30))  # the 31st still opens at midnight
    assert not continues(ALWAYS, date(2026, 12, 31))  # closes at 18:00
    assert not continues(OFFICE, MONDAY)


def test_occasions_name_centre_and_day():
    assert occasion("HQ", MONDAY) == "HQ:2026-11-23"


def appointment(start: datetime, confirmed_at: datetime | None = None):
    return SimpleNamespace(start=start, confirmed_at=confirmed_at, centre=SimpleNamespace(tz=start.tzinfo))


@pytest.mark.parametrize("now, due", [
    (datetime(2026, 11, 23, 17, 59, tzinfo=NY), False),
    (datetime(2026, 11, 23, 18, 0, tzinfo=NY), True),
    (datetime(2026, 11, 24, 9, 59, tzinfo=NY), True),
    (datetime(2026, 11, 24, 10, 0, tzinfo=NY), False),  # started: too late for a reminder
    (datetime(2026, 11, 22, 18, 0, tzinfo=NY), False),  # two days before
])
def test_a_reminder_is_due_from_the_reminder_hour_the_day_before(now, due):
    assert reminder_due(appointment(datetime(2026, 11, 24, 10, tzinfo=NY)), now, 18) is due


def test_no_reminder_right_after_a_late_confirmation():
    start = datetime(2026, 11, 24, 10, tzinfo=MSK)
    now = datetime(2026, 11, 23, 21, tzinfo=MSK)
    assert not reminder_due(appointment(start, datetime(2026, 11, 23, 20, tzinfo=MSK)), now, 18)
    assert reminder_due(appointment(start, datetime(2026, 11, 20, 20, tzinfo=MSK)), now, 18)


@pytest.mark.parametrize("address, masked", [
    ("olga@example.org", "o***@example.org"),
    ("+79161234567", "+7********67"),
    ("+34600000001", "+3********01"),
    ("123", "***"),
])
def test_masks_keep_no_full_address(address, masked):
    assert mask(address) == masked


def test_scrub_masks_addresses_inside_error_texts():
    text = scrub("(550, b'5.1.1 <olga.ivanova@example.org>: Recipient refused'); sms to +7 916 123-45-67 failed")
    assert "olga.ivanova" not in text and "o***@example.org" in text
    assert "916" not in text and "+7" in text
    assert mask_email("nobody") == "***" and mask_phone("+1") == "**"


def test_the_uri_chooses_the_backend():
    assert isinstance(sender_for("log://"), LogSender) and isinstance(sender_for(""), LogSender)
    smtp = sender_for("smtp://user%40x.org:p%40ss@mail.example.org:587?from=centre@example.org&starttls=1")
    assert isinstance(smtp, SmtpSender)
    assert (smtp.host, smtp.port, smtp.sender, smtp.user, smtp.password, smtp.starttls, smtp.ssl) == (
        "mail.example.org", 587, "centre@example.org", "user@x.org", "p@ss", True, False)
    tls = sender_for("smtps://mail.example.org")
    assert (tls.port, tls.ssl, tls.starttls, tls.user, tls.sender) == (465, True, False, None, "onedoor@mail.example.org")
    for bad in ("sms://gateway", "smtp://"):
        with pytest.raises(ValueError, match="ONEDOOR_NOTIFY"):
            sender_for(bad)


def test_the_smtp_backend_skips_and_counts_a_phone_only_recipient():
    smtp = sender_for("smtp://127.0.0.1:1")  # never contacted: nothing to email
    assert smtp.send(Message("near_turn", "en", "s", "b", to_phone="+79161234567")) == "skipped"
    assert (smtp.sent, smtp.skipped) == (0, 1)


def test_the_summary_names_what_was_done():
    done = JobsDone(opened=["HQ:2026-11-23"], reminders=2)
    assert done.lines()[0] == "opened: HQ:2026-11-23" and "2 reminders" in done.lines()[-1]
    assert done.lines()[1] == "closed: -"
