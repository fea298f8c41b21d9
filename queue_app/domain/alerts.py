"""What a centre's managers are alerted to (SPEC §6): a service whose estimated wait is past the
centre's target, and a printer that is failing to print."""
from __future__ import annotations


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
