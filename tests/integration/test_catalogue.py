"""config.toml into the database, and the migrations matching the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from queue_app.config import DEFAULT_CONFIG, read_network_file
from queue_app.extensions import db
from queue_app.models import Centre, Counter, Device, Language, LifeEvent, Service, Setting, Staff
from queue_app.services import apply_network
from tests.conftest import NETWORK


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
