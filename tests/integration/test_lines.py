"""Lines shared by the services of one agency (domain/lines.py): one numbering per line, centre
and day, and the migration that lets a prefix have three letters."""
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from queue_app import MIGRATIONS
from queue_app.config import read_network_file
from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Centre, LifeEvent, Service, StaffSkill, Ticket, TicketSequence
from queue_app.services import apply_network, issue_ticket
from tests.conftest import NETWORK, NOON

# The test network with registry's birth and tax on line A, passports' passport and info on PAS.
SHARED = (('prefix = "C"', 'prefix = "A"'), ('prefix = "B"', 'prefix = "PAS"'), ('prefix = "D"', 'prefix = "PAS"'))


@pytest.fixture
def shared(ctx, tmp_path):
    text = NETWORK.read_text(encoding="utf-8")
    for old, new in SHARED:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "shared.toml"
    path.write_text(text, encoding="utf-8")
    apply_network(read_network_file(path))
    return ctx


def issue(centre: str, service: str, now=NOON) -> str:
    return issue_ticket(centre, service, now=now, by=SYSTEM).ticket.number


def test_services_of_one_line_number_together(shared):
    numbers = [issue("HQ", s) for s in ("birth", "tax", "passport", "birth", "info", "tax", "passport")]
    assert numbers == ["A001", "A002", "PAS001", "A003", "PAS002", "A004", "PAS003"]


def test_each_centre_numbers_a_line_of_its_own(shared):
    ny_open = NOON + timedelta(hours=9)  # 21:00 in Moscow, 13:00 in New York: the 23rd in both
    assert [issue("HQ", "info"), issue("NYC", "passport", ny_open), issue("HQ", "passport")] == [
        "PAS001", "PAS001", "PAS002"]


def test_the_longest_number_is_stored_whole(shared):
    hq = db.session.scalar(select(Centre).where(Centre.code == "HQ"))
    db.session.add(TicketSequence(centre_id=hq.id, prefix="PAS", service_day=NOON.date(), last_value=99_998))
    db.session.commit()
    assert issue("HQ", "info") == "PAS99999"
    db.session.expire_all()
    assert db.session.scalar(select(Ticket.number).where(Ticket.number.like("PAS%"))) == "PAS99999"


def prefix_lengths() -> dict[str, int]:
    inspector = inspect(db.engine)
    return {table: next(c["type"].length for c in inspector.get_columns(table) if c["name"] == "prefix")
            for table in ("services", "ticket_sequences")}


def test_migration_0011_widens_prefixes_keeping_the_lines(ctx):
    issue("HQ", "birth")
    skills = db.session.scalar(select(func.count()).select_from(StaffSkill))
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="0010")
    try:
        assert prefix_lengths() == {"services": 2, "ticket_sequences": 2}
    finally:
        upgrade(directory=MIGRATIONS)
    assert prefix_lengths() == {"services": 3, "ticket_sequences": 3}
    db.session.expire_all()
    assert db.session.scalar(select(TicketSequence.prefix)) == "A"
    assert [(s.code, s.prefix) for s in db.session.scalars(select(Service).order_by(Service.code))] == [
        ("birth", "A"), ("info", "D"), ("passport", "B"), ("tax", "C")]
    # SQLite copies `services` to widen it: its children (skills, life events) must all survive.
    assert [s.code for s in db.session.scalar(select(LifeEvent)).services] == ["birth", "passport"]
    assert db.session.scalar(select(func.count()).select_from(StaffSkill)) == skills


def test_migration_0011_refuses_to_narrow_a_three_letter_line(shared):
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="0011")  # the later migrations first: not this test's
    try:
        with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's error and exits
            downgrade(directory=MIGRATIONS, revision="0010")
        assert prefix_lengths() == {"services": 3, "ticket_sequences": 3}
    finally:
        upgrade(directory=MIGRATIONS)


@pytest.mark.concurrency
def test_issuers_of_two_services_of_one_line_at_once_share_its_numbers_without_repeats_or_gaps(shared):
    from tests.integration.test_concurrency import run_threads

    def issue_some(i: int) -> list[str]:
        service = ("birth", "tax", "passport", "info")[i % 4]
        return [issue("HQ", service) for _ in range(20)]

    numbers = [n for batch in run_threads(shared, 16, issue_some) for n in batch]
    assert sorted(n for n in numbers if n.startswith("A")) == [f"A{i:03d}" for i in range(1, 161)]
    assert sorted(n for n in numbers if n.startswith("PAS")) == [f"PAS{i:03d}" for i in range(1, 161)]
