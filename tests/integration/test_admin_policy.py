"""The call-next policy through /api/v1/admin (SPEC §3, §12): the network's knobs and those a centre
sets apart from them — admins change both, managers read their centres'; each change one audited
transaction that call-next uses at once; the network file carries a centre's own knobs both ways."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from queue_app.config import ConfigError, read_network_file
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Centre, Setting
from queue_app.services import call_next, issue_ticket
from tests.conftest import NETWORK, open_desk
from tests.integration.test_admin_centres import admin, audit_rows, manager, patch  # noqa: F401 - fixtures
from tests.integration.test_catalogue import network_cli

NETWORK_VALUES = {"appointment_lead_min": 5, "primary_bonus": 0.5, "priority_first": True, "escalate_past_target": True,
                  "route_by_pressure": True, "appointment_grace_min": None, "defer_late_min": None,
                  "first_come_first_served": False}
# A Monday noon in New York: both centres open (HQ never closes).
MONDAY = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("America/New_York"))


def stored() -> tuple:
    """The network's knobs and every centre's own, to show a refusal changed nothing."""
    db.session.rollback()
    return (db.session.get(Setting, "policy").value,
            db.session.execute(select(Centre.code, Centre.policy).order_by(Centre.code)).all(),
            len(audit_rows("centre")) + len(audit_rows("policy")))


def picks(centre: str, counter: str, clerk: str) -> str:
    """Who call-next picks at `centre` from the same two visitors: an ordinary one, then a priority one."""
    open_desk(counter, clerk, primary=["birth"], now=MONDAY)
    issue_ticket(centre, "birth", by=SYSTEM, now=MONDAY)
    issue_ticket(centre, "birth", by=SYSTEM, now=MONDAY + timedelta(minutes=1), priority=True)
    return "priority" if call_next(counter, by=SYSTEM, now=MONDAY + timedelta(minutes=2)).priority else "first"


def test_a_centres_own_knob_changes_whom_call_next_picks_there_only(api, admin):
    answer = patch(api, "/api/v1/admin/centres/HQ/policy", admin, first_come_first_served=True)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["own"] == {"first_come_first_served": True}
    assert body["effective"] == {**NETWORK_VALUES, "first_come_first_served": True}
    assert body["network"] == NETWORK_VALUES
    assert picks("HQ", "HQ-01", "c1") == "first"  # strictly by arrival at HQ
    assert picks("NYC", "NYC-01", "c2") == "priority"  # the network's policy at NYC: priority first


def test_clearing_a_knob_gives_the_centre_the_networks_value_again(api, admin):
    patch(api, "/api/v1/admin/centres/HQ/policy", admin, first_come_first_served=True, defer_late_min=False,
          primary_bonus=2)
    answer = patch(api, "/api/v1/admin/centres/HQ/policy", admin, first_come_first_served=None)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["own"] == {"primary_bonus": 2, "defer_late_min": False}
    assert picks("HQ", "HQ-01", "c1") == "priority"


def test_a_centres_false_turns_off_what_the_network_turns_on(api, admin):
    assert patch(api, "/api/v1/admin/policy", admin, defer_late_min=20, appointment_grace_min=10).status_code == 200
    body = patch(api, "/api/v1/admin/centres/NYC/policy", admin, defer_late_min=False).get_json()
    assert (body["effective"]["defer_late_min"], body["effective"]["appointment_grace_min"]) == (None, 10)
    assert body["network"]["defer_late_min"] == 20
    zero = patch(api, "/api/v1/admin/centres/NYC/policy", admin, defer_late_min=0).get_json()
    assert zero["own"] == {"defer_late_min": 0} and zero["effective"]["defer_late_min"] == 0  # zero is not off


def test_an_admin_changes_the_network_and_every_centre_follows_but_its_own_knobs(api, admin):
    patch(api, "/api/v1/admin/centres/HQ/policy", admin, priority_first=True)
    answer = patch(api, "/api/v1/admin/policy", admin, priority_first=False, appointment_lead_min=10)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {**NETWORK_VALUES, "priority_first": False, "appointment_lead_min": 10}
    assert api.get("/api/v1/admin/policy", admin).get_json() == answer.get_json()
    assert picks("NYC", "NYC-01", "c2") == "first"  # priority no longer first at NYC…
    assert picks("HQ", "HQ-01", "c1") == "priority"  # …but HQ keeps its own
    (row,) = audit_rows("policy")
    assert (row.entity_key, row.action, row.before["priority_first"], row.after["priority_first"]) == (
        "network", "change", True, False)
    assert patch(api, "/api/v1/admin/policy", admin, priority_first=False).status_code == 200
    assert len(audit_rows("policy")) == 1  # no change, no audit row


def test_a_change_of_a_centres_knobs_is_audited_with_before_and_after(api, admin):
    patch(api, "/api/v1/admin/centres/NYC/policy", admin, appointment_grace_min=10)
    (row,) = audit_rows("centre")
    assert (row.entity_key, row.action, row.before["policy"], row.after["policy"]) == (
        "NYC", "policy", {}, {"appointment_grace_min": 10})
    assert row.centre_id == db.session.scalar(select(Centre.id).where(Centre.code == "NYC"))
    patch(api, "/api/v1/admin/centres/NYC/policy", admin, appointment_grace_min=10)
    assert len(audit_rows("centre")) == 1


def test_a_manager_reads_their_centres_policy_and_changes_none(api, admin, manager):
    patch(api, "/api/v1/admin/centres/NYC/policy", admin, primary_bonus=1.5)
    read = api.get("/api/v1/admin/centres/NYC/policy", manager)
    assert read.status_code == 200
    assert read.get_json()["own"] == {"primary_bonus": 1.5} and read.get_json()["effective"]["primary_bonus"] == 1.5
    assert api.get("/api/v1/admin/policy", manager).status_code == 200
    before = stored()
    for url in ("/api/v1/admin/centres/NYC/policy", "/api/v1/admin/policy"):
        refused = patch(api, url, manager, primary_bonus=1)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert api.get("/api/v1/admin/centres/HQ/policy", manager).status_code == 403  # not their centre
    assert api.get("/api/v1/admin/centres/XX/policy", admin).status_code == 404
    clerk = api.staff("cleo", "clerk", centres=("NYC",))
    assert api.get("/api/v1/admin/centres/NYC/policy", clerk).status_code == 403
    assert stored() == before


@pytest.mark.parametrize("url", ["/api/v1/admin/policy", "/api/v1/admin/centres/NYC/policy"])
@pytest.mark.parametrize("field, value, words", [
    ("appointment_lead_min", 121, "from 0 to 120"),
    ("appointment_lead_min", -1, "from 0 to 120"),
    ("primary_bonus", 10.5, "from 0 to 10"),
    ("primary_bonus", "1", "from 0 to 10"),
    ("primary_bonus", True, "from 0 to 10"),
    ("priority_first", 1, "true or false"),
    ("escalate_past_target", "yes", "true or false"),
    ("route_by_pressure", 0, "true or false"),
    ("appointment_grace_min", 121, "from 0 to 120"),
    ("defer_late_min", 241, "from 0 to 240"),
    ("defer_late_min", True, "from 0 to 240"),
    ("first_come_first_served", "true", "true or false"),
])
def test_a_refusal_names_its_field_and_its_bounds_and_changes_nothing(api, admin, url, field, value, words):
    before = stored()
    response = patch(api, url, admin, **{"escalate_past_target": False, field: value})  # the good one kept back too
    assert response.status_code == 422, response.get_json()
    assert words in response.get_json()["error"]["fields"][field]
    assert stored() == before


def test_off_is_false_for_a_centre_and_null_for_the_network(api, admin):
    before = stored()
    assert patch(api, "/api/v1/admin/policy", admin, defer_late_min=False).status_code == 422
    assert "or null (off)" in patch(api, "/api/v1/admin/policy", admin, defer_late_min=999).get_json()["error"]["fields"][
        "defer_late_min"]
    assert "or false (off)" in patch(api, "/api/v1/admin/centres/NYC/policy", admin,
                                     defer_late_min=999).get_json()["error"]["fields"]["defer_late_min"]
    assert patch(api, "/api/v1/admin/policy", admin, priority_first=None).status_code == 422  # no "off" for a yes/no
    assert patch(api, "/api/v1/admin/policy", admin, first_come_first_served=True, surprise=1).status_code == 422
    assert stored() == before
    assert patch(api, "/api/v1/admin/policy", admin, defer_late_min=20).status_code == 200
    assert patch(api, "/api/v1/admin/policy", admin, defer_late_min=None).get_json()["defer_late_min"] is None


# ---- the network file ------------------------------------------------------------------------

def test_export_writes_a_centres_own_knobs_and_notes_and_imports_with_no_difference(api, admin, runner, tmp_path):
    exported = tmp_path / "exported.toml"
    network_cli(runner, "export", str(exported))
    assert "policy =" not in exported.read_text()  # no centre sets anything apart: nothing written
    patch(api, "/api/v1/admin/centres/NYC/policy", admin, first_come_first_served=True, defer_late_min=False,
          primary_bonus=1.5)
    assert api.call("PUT", "/api/v1/admin/centres/NYC/exceptions/2030-01-01", admin,
                    json={"hours": "closed", "note": "New Year's Day"}).status_code == 200
    network_cli(runner, "export", str(exported))
    text = exported.read_text()
    assert "policy = {primary_bonus = 1.5, defer_late_min = false, first_come_first_served = true}" in text
    assert '{date = 2030-01-01, hours = "closed", note = "New Year\'s Day"}' in text
    assert network_cli(runner, "import", "--dry-run", str(exported)) == ["no changes"]
    # the test network's file lists both as differences, and importing it makes them as it says
    assert network_cli(runner, "import", "--dry-run", str(NETWORK))[:6] == [
        "changed:",
        "  centre NYC: exceptions.2030-01-01: \"closed\" → (none)",
        "  centre NYC: exceptions.2030-01-01.note: \"New Year's Day\" → (none)",
        "  centre NYC: policy.defer_late_min: false → (none)",
        "  centre NYC: policy.first_come_first_served: true → (none)",
        "  centre NYC: policy.primary_bonus: 1.5 → (none)",
    ]
    network_cli(runner, "import", str(exported))  # the file back: no change
    db.session.rollback()
    nyc = db.session.scalar(select(Centre).where(Centre.code == "NYC"))
    assert nyc.policy == {"primary_bonus": 1.5, "defer_late_min": False, "first_come_first_served": True}
    assert nyc.hours["notes"] == {"2030-01-01": "New Year's Day"}


def test_an_imported_file_sets_a_centres_knobs_and_notes_and_init_keeps_them(api, admin, runner, tmp_path):
    text = NETWORK.read_text().replace(
        'recall_limit = 1\n', 'recall_limit = 1\npolicy = { first_come_first_served = true, appointment_grace_min = 0 }\n'
    ).replace('{ date = "2026-12-25", hours = "closed" }', '{ date = "2026-12-25", hours = "closed", note = "Christmas" }')
    changed = tmp_path / "changed.toml"
    changed.write_text(text)
    assert network_cli(runner, "import", str(changed))[-1] == f"{changed} applied"
    body = api.get("/api/v1/admin/centres/NYC/policy", admin).get_json()
    assert body["own"] == {"appointment_grace_min": 0, "first_come_first_served": True}
    days = api.get("/api/v1/admin/centres", admin).get_json()[1]["exceptions"]
    assert {"date": "2026-12-25", "hours": "closed", "note": "Christmas"} in days
    result = runner.invoke(args=["init", "--config", str(NETWORK)])
    assert result.exit_code == 0 and "changed none of its data" in result.output
    assert api.get("/api/v1/admin/centres/NYC/policy", admin).get_json()["own"] == body["own"]
    assert network_cli(runner, "import", "--dry-run", str(changed))[0] == "no changes"  # (ada is left as she is)


@pytest.mark.parametrize("policy, where", [
    ("{ first_come_first_served = 1 }", "policy.first_come_first_served: true or false"),
    ("{ defer_late_min = 300 }", "policy.defer_late_min: a number from 0 to 240, or false (off)"),
    ("{ primary_bonus = false }", "policy.primary_bonus: a number from 0 to 10"),
    ("{ fastest = true }", "policy.fastest: unknown setting"),
])
def test_a_centres_knobs_in_the_file_are_checked_strictly(tmp_path, policy, where):
    bad = tmp_path / "bad.toml"
    bad.write_text(NETWORK.read_text().replace('recall_limit = 1\n', f'recall_limit = 1\npolicy = {policy}\n'))
    with pytest.raises(ConfigError) as refused:
        read_network_file(bad)
    assert f"centres[1] (NYC).{where}" in str(refused.value)

