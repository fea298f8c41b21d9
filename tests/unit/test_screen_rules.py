"""The rules behind what the screens show: a ticket's legal moves (domain/lifecycle.py) and the
managers' alerts (domain/alerts.py)."""
from datetime import datetime, timezone

from queue_app.domain.alerts import manager_alerts, not_served_today, unserved_now
from queue_app.domain.lifecycle import STATUSES, TRANSITIONS, moves


def test_the_moves_offered_are_the_legal_ones_from_each_status():
    assert moves("waiting") == ["call", "cancel"]
    assert moves("called") == ["recall", "start", "no_show"]
    assert moves("serving") == ["finish", "transfer"]
    for status in ("done", "no_show", "cancelled", "transferred"):
        assert moves(status) == []  # the visit is over: nothing left to offer
    assert {(s, a) for s in STATUSES for a in moves(s)} == set(TRANSITIONS)


def test_a_service_past_the_target_wait_and_a_failing_printer_are_alerts():
    since = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    services = [
        {"service": "birth", "waiting": 9, "estimated_wait_min": 31.5},
        {"service": "tax", "waiting": 2, "estimated_wait_min": 15.0},  # at the target: no alert
        {"service": "id", "waiting": 1, "estimated_wait_min": None},  # not known: no alert
    ]
    faults = [{"device": "Kiosk 1", "device_id": 4, "printer_uri": "tcp://10.0.0.9", "pending": 3,
               "last_error": "connection refused", "failing_since": since, "failing_for_s": 60}]
    assert manager_alerts(services, 15, faults) == [
        {"kind": "wait_over_target", "service": "birth", "estimated_wait_min": 31.5},
        {"kind": "printer_fault", "device": "Kiosk 1", "printer_uri": "tcp://10.0.0.9", "pending": 3,
         "last_error": "connection refused", "failing_since": since},
    ]
    assert manager_alerts(services[1:], 15, []) == []


def test_a_service_waiting_with_no_counter_and_nobody_rostered_is_not_served_today():
    waiting = {"birth": 3, "tax": 1, "info": 0, "passport": 2}
    counters = [frozenset({"tax"})]  # one counter held, for tax
    assert unserved_now(waiting, counters) == ["birth", "passport"]  # info: nobody waits
    assert not_served_today(waiting, counters, rostered={"passport"}) == [
        {"kind": "not_served_today", "service": "birth", "waiting": 3, "actions": ["transfer", "cancel", "open_counter"]}]
    assert not_served_today(waiting, counters, rostered={"birth", "passport"}) == []
    # a counter naming no skills serves every service
    assert not_served_today(waiting, [frozenset()], rostered=set()) == []
    assert [a["service"] for a in not_served_today(waiting, [], rostered=set())] == ["birth", "tax", "passport"]
