"""config.toml into the database, network import and export, and the migrations matching the models."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, func, select

from queue_app.config import DEFAULT_CONFIG, read_network_file
from queue_app.domain.errors import NotFound
from queue_app.extensions import db
from queue_app.models import Centre, Counter, Device, Language, LifeEvent, Service, Setting, Staff
from queue_app.services import apply_network
from queue_app.services.lookup import centre_by_code, service_by_code
from tests.conftest import NETWORK, NOON


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_network_loads_and_reloads_identically(ctx):
    cfg = read_network_file(DEFAULT_CONFIG)
    first = apply_network(cfg)
    second = apply_network(cfg)
    assert first == second
    assert count(Centre) == 2 + len(cfg.centres)  # the test network's two stay, deactivated
    assert {c.code for c in db.session.scalars(select(Centre).where(Centre.active.is_(True)))} == {
        c.code for c in cfg.centres}
    largest = max(cfg.centres, key=lambda c: c.counters)
    assert db.session.scalar(select(func.count()).select_from(Counter).join(Centre).where(
        Centre.code == largest.code)) == largest.counters
    assert [lang.code for lang in db.session.scalars(select(Language).order_by(Language.position))] == ["en", "es", "ru", "ar"]


def test_the_test_network_in_the_database(ctx):
    assert count(Service) == 4 and count(LifeEvent) == 1 and count(Staff) == 4 and count(Device) == 2
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    assert [c.code for c in hq.counters][:3] == ["HQ-01", "HQ-02", "HQ-03"]
    assert hq.opening_hours.always_open and (hq.target_wait_min, hq.recall_limit) == (15, 2)
    nyc = db.session.scalar(select(Centre).where(Centre.code == "NYC"))
    assert (nyc.target_wait_min, nyc.recall_limit, nyc.hours["weekly"]["sun"]) == (10, 1, "closed")
    event = db.session.scalar(select(LifeEvent))
    assert [s.code for s in event.services] == ["birth", "passport"]
    assert db.session.get(Setting, "policy").value["primary_bonus"] == 0.5
    ana = db.session.scalar(select(Staff).where(Staff.username == "ana"))
    assert sorted(ana.skill_set().secondary) == ["tax"] and ana.password_hash is None


def test_a_service_removed_from_the_file_is_deactivated_not_deleted(ctx, tmp_path):
    text = NETWORK.read_text()
    start = text.index('[[services]]\ncode = "info"')
    end = text.index("[[life_events]]")
    smaller = tmp_path / "n.toml"
    text = text[:start] + text[end:]
    text = text.replace('primary = ["tax", "info"]', 'primary = ["tax"]')
    smaller.write_text(text.replace('"tax", "info"]', '"tax"]'))
    apply_network(read_network_file(smaller))
    info = db.session.scalar(select(Service).where(Service.code == "info"))
    assert info is not None and info.active is False


def test_migrations_match_the_models(ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


# The database is the source of truth (SPEC §4): `network import` applies a file as a listed diff,
# `network export` writes the network back out, `init` on an existing network changes no data.

def network_cli(runner, *args) -> list[str]:
    result = runner.invoke(args=["network", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def on_the_demo_network() -> None:
    from tests.conftest import empty_database

    empty_database()
    apply_network(read_network_file(DEFAULT_CONFIG))


def test_import_dry_run_lists_exactly_a_change_made_in_the_database_and_init_keeps_it(ctx, runner):
    on_the_demo_network()
    service = db.session.scalar(select(Service).where(Service.code == "tax_info"))
    centre = db.session.scalar(select(Centre).where(Centre.code == "MSK1"))
    service.duration_min, centre.target_wait_min = 12, 20
    db.session.commit()
    assert network_cli(runner, "import", "--dry-run", str(DEFAULT_CONFIG)) == [
        "changed:",
        "  service tax_info: duration_min: 12 → 5",
        "  centre MSK1: target_wait_min: 20 → 15",
        "dry run: nothing written",
    ]
    result = runner.invoke(args=["init", "--config", str(DEFAULT_CONFIG)])
    assert result.exit_code == 0, result.output
    assert "already holds OneDoor demo network" in result.output and "changed none of its data" in result.output
    db.session.expire_all()
    assert (service.duration_min, centre.target_wait_min) == (12, 20)
    assert network_cli(runner, "import", str(DEFAULT_CONFIG))[-1] == f"{DEFAULT_CONFIG} applied"
    db.session.expire_all()
    assert (service.duration_min, centre.target_wait_min) == (5, 15)
    assert network_cli(runner, "import", str(DEFAULT_CONFIG)) == ["no changes"]


def test_export_then_import_changes_nothing(ctx, runner, tmp_path):
    for load in (lambda: None, on_the_demo_network):  # the test network, then the shipped one
        load()
        exported = tmp_path / "exported.toml"
        network_cli(runner, "export", str(exported))
        assert read_network_file(exported).network.name == db.session.get(Setting, "network").value["name"]
        assert network_cli(runner, "import", "--dry-run", str(exported)) == ["no changes"]


def test_export_writes_the_file_people_write(ctx, runner):
    text = "\n".join(network_cli(runner, "export"))  # to stdout
    assert '[[centres.kiosks]]\nname = "Kiosk 1"\nprinter = "dummy://"' in text
    assert 'duration_min = 10\n' in text and 'counters = 4\ntarget_wait_min' not in text
    assert 'exceptions = [{date = 2026-12-24, hours = "09:00-12:00"}, {date = 2026-12-25, hours = "closed"}]' in text


def test_import_deactivates_a_service_removed_from_the_file_and_reactivates_it(ctx, runner, tmp_path):
    text = NETWORK.read_text()
    text = text[:text.index('[[services]]\ncode = "info"')] + text[text.index("[[life_events]]"):]
    smaller = tmp_path / "n.toml"
    smaller.write_text(text.replace('primary = ["tax", "info"]', 'primary = ["tax"]')
                       .replace('"tax", "info"]', '"tax"]'))
    assert network_cli(runner, "import", str(smaller)) == [
        "changed:",
        '  staff ben: primary: ["info", "tax"] → ["tax"]',
        '  staff nora: primary: ["birth", "info", "passport", "tax"] → ["birth", "passport", "tax"]',
        "deactivated:",
        "  service info",
        f"{smaller} applied",
    ]
    info = db.session.scalar(select(Service).where(Service.code == "info"))
    assert info is not None and info.active is False
    assert network_cli(runner, "import", str(smaller)) == ["no changes"]
    assert network_cli(runner, "import", str(NETWORK))[:2] == ["changed:", "  service info: active: false → true"]
    db.session.expire_all()
    assert info.active is True


def test_import_leaves_accounts_and_devices_the_file_does_not_name(ctx, runner, tmp_path):
    from queue_app.services import create_device, create_user

    create_user("zoe", "admin", password="s3cret-pass")
    create_device("display", "HQ", name="Side hall")
    assert network_cli(runner, "import", str(NETWORK)) == [
        "no changes",
        "left as they are:",
        "  display HQ \"Side hall\": not in the file; import never revokes a device (queue-app revoke-device does)",
        "  staff zoe: not in the file; import never disables an account (queue-app disable-user does)",
    ]
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(NETWORK.read_text().replace("counters = 40", "counters = 30"))
    assert "  centre HQ: 40 counters, the file has 30: a counter is never removed" in network_cli(
        runner, "import", "--dry-run", str(fewer))


def test_import_and_export_need_a_network(app, runner, tmp_path):
    from tests.conftest import empty_database

    with app.app_context():
        empty_database()
        for args in (["import", str(NETWORK)], ["export"]):
            result = runner.invoke(args=["network", *args])
            assert result.exit_code == 2 and "holds no network yet" in result.output


def test_centres_and_services_by_code_come_from_the_cached_catalogue_and_follow_every_commit(ctx):
    """lookup.centre_by_code and service_by_code read no row once the catalogue is cached; a centre
    changed, deactivated or added by any commit of this process is seen at the next look."""
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    centre_by_code("HQ"), service_by_code("birth")
    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        hq, birth = centre_by_code("HQ"), service_by_code("birth")
        assert (hq.code, birth.code) == ("HQ", "birth") and hq.opening_hours and birth.prefix
        assert centre_by_code("HQ") is hq  # this session's own instance, once it holds one
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert seen == []

    db.session.rollback()
    row = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    row.target_wait_min = 25  # not through the administration: a script's, a test's
    assert centre_by_code("HQ") is row and row.target_wait_min == 25  # the session's own, not overwritten
    db.session.commit()
    db.session.expunge_all()
    assert centre_by_code("HQ").target_wait_min == 25
    db.session.scalar(select(Centre).where(Centre.code == "HQ")).active = False
    db.session.commit()
    db.session.expunge_all()
    with pytest.raises(NotFound):
        centre_by_code("HQ")


def test_a_status_read_takes_the_tickets_centre_and_service_from_the_cached_catalogue(ctx):
    """A visitor's status (reading.ticket_status) reads its ticket and the queue, not the ticket's
    centre and service rows; a ticket of a withdrawn service still shows its service, read as before."""
    from queue_app.domain.access import SYSTEM
    from queue_app.services import issue_ticket
    from queue_app.services.reading import ticket_status

    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    token = issue_ticket("HQ", "birth", by=SYSTEM, now=NOON).ticket.token
    ticket_status(token, NOON)  # the catalogue cached
    db.session.commit()
    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        status = ticket_status(token, NOON)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert (status.centre, status.service) == ("HQ", "birth")
    assert not [s for s in seen if "FROM centres" in s or "FROM services" in s], seen

    db.session.rollback()
    db.session.scalar(select(Service).where(Service.code == "birth")).active = False
    db.session.commit()
    db.session.expunge_all()
    assert ticket_status(token, NOON).service == "birth"
