"""What a centre's managers are alerted to (SPEC §6): a service whose estimated wait is past the
centre's target, a printer that is failing to print; a service that nobody will serve today, and booked slots over
the places the roster now gives them (SPEC §10)."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping


def manager_alerts(services: list[dict], target_wait_min: float, printer_faults: list[dict]) -> list[dict]:
    """The alerts, waits first: `services` as the queue summary lists them (service, estimated
    wait), `printer_faults` as the print queue reports them (device, printer, pending, last error,
    failing since)."""
    alerts = [
        {"kind": "wait_over_target", "service": s["service"], "estimated_wait_min": s["estimated_wait_min"]}
        for s in services
        if s["estimated_wait_min"] is not None and s["estimated_wait_min"] > target_wait_min
    ]
    alerts += [
        {"kind": "printer_fault", "device": fault["device"], "printer_uri": fault["printer_uri"],
         "pending": fault["pending"], "last_error": fault["last_error"], "failing_since": fault["failing_since"]}
        for fault in printer_faults
    ]
    return alerts


NOT_SERVED_ACTIONS = ["transfer", "cancel", "open_counter"]


def served_by_counters(service: str, counter_skills: Iterable[frozenset[str]]) -> bool:
    """Whether one of these counters (each by its skills; none named: every service) serves `service`."""
    return any(not skills or service in skills for skills in counter_skills)


def unserved_now(waiting: Mapping[str, int], counter_skills: Iterable[frozenset[str]]) -> list[str]:
    """The services with someone waiting that no counter held by a clerk serves, in the given order."""
    counter_skills = list(counter_skills)
    return [s for s, n in waiting.items() if n > 0 and not served_by_counters(s, counter_skills)]


def not_served_today(waiting: Mapping[str, int], counter_skills: Iterable[frozenset[str]],
                     rostered: Collection[str]) -> list[dict]:
    """A service with tickets waiting, no counter held by a clerk serving it and no rostered clerk
    holding it between now and today's closing (`rostered`: the services someone is on duty for
    then, breaks aside): nobody will serve those tickets today. The manager transfers them to
    another service, cancels them with a message, or opens a counter (rosters a clerk) for it."""
    return [{"kind": "not_served_today", "service": s, "waiting": waiting[s], "actions": list(NOT_SERVED_ACTIONS)}
            for s in unserved_now(waiting, counter_skills) if s not in rostered]


def overbooked(conflicts: Iterable[tuple[str, int]]) -> list[dict]:
    """One `overbooked` alert when some slot from now on holds more live appointments than the
    roster now gives it places (`conflicts`: each slot's local ISO day and how many appointments
    are over): how many slots and appointments, and the first day, whose roster the link opens."""
    conflicts = sorted(conflicts)
    if not conflicts:
        return []
    return [{"kind": "overbooked", "slots": len(conflicts), "appointments": sum(n for _, n in conflicts),
             "day": conflicts[0][0]}]
