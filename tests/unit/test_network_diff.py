"""What importing a network file changes, on plain documents of config.toml's shape."""
from queue_app.domain.network_diff import diff, entities, show

DEFAULTS = {"target_wait_min": 15, "recall_limit": 2, "call_timeout_min": 5}


def centre(code="HQ", **fields):
    return {"code": code, "name": {"en": code}, "address": {"en": "1 Main St"}, "timezone": "Europe/Moscow",
            "hours": "24/7", "counters": 4, **fields}


def service(code, **fields):
    return {"code": code, "agency": "registry", "prefix": code[0].upper(), "name": {"en": code},
            "duration_min": 10.0, **fields}


def network(**parts):
    return {"defaults": DEFAULTS, "services": [], "centres": [centre()], **parts}


def test_a_centre_takes_the_defaults_it_does_not_set():
    assert entities(network())["centre", "HQ"]["target_wait_min"] == 15
    assert entities(network(centres=[centre(target_wait_min=10)]))["centre", "HQ"]["target_wait_min"] == 10


def test_the_same_network_written_two_ways_has_no_changes():
    weekly = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": "closed", "sun": "closed"}
    db = network(centres=[centre(hours=weekly, target_wait_min=15, exceptions=[{"date": "2026-12-25", "hours": "closed"}])])
    file = network(centres=[centre(hours=weekly, exceptions=[{"date": "2026-12-25", "hours": "closed"}])])
    assert not diff(db, file) and diff(db, file).lines() == ["no changes"]


def test_changes_name_the_field_with_its_old_and_new_value():
    result = diff(network(services=[service("birth")]), network(services=[service("birth", duration_min=12.5)]))
    assert result.changed == ["service birth: duration_min: 10 → 12.5"]


def test_removed_entries_are_deactivated_and_named_ones_come_back():
    both = network(services=[service("birth"), service("tax")])
    one = network(services=[service("birth")])
    assert diff(both, one).deactivated == ["service tax"]
    back = diff(one, both, dormant={"defaults": DEFAULTS, "services": [service("tax", duration_min=5.0)]})
    assert back.changed == ["service tax: active: false → true", "service tax: duration_min: 5 → 10"]
    assert diff(one, both).added == ["service tax"]


def test_counters_and_people_are_never_removed_only_reported():
    db = network(centres=[centre(counters=6, kiosks=[{"name": "Door"}])],
                 staff=[{"username": "zoe", "name": "Zoe", "role": "admin"}])
    result = diff(db, network(centres=[centre(counters=4)]))
    assert not result
    assert result.lines() == [
        "no changes", "left as they are:",
        "  centre HQ: 6 counters, the file has 4: a counter is never removed",
        '  kiosk HQ "Door": not in the file; import never revokes a device (queue-app revoke-device does)',
        "  staff zoe: not in the file; import never disables an account (queue-app disable-user does)",
    ]


def test_a_new_order_is_one_change():
    a, b, c = service("a"), service("b"), service("c")
    assert diff(network(services=[a, b, c]), network(services=[a, c, b])).changed == ["services: order: a, b, c → a, c, b"]
    assert not diff(network(services=[a, b, c]), network(services=[a, c]), dormant=None).changed


def test_values_print_as_toml_would_say_them():
    assert [show(v) for v in (None, True, 20.0, 2.5, "Tax", ["a", 1])] == ["(none)", "true", "20", "2.5", '"Tax"', '["a", 1]']
