"""Opening, narrowing, pausing and closing counters."""
import pytest

from queue_app.domain.access import SYSTEM
from queue_app.domain.errors import CounterBusy, IllegalTransition, InvalidRequest, SkillNotAllowed
from queue_app.extensions import db
from queue_app.models import Counter, Staff
from queue_app.services import (
    call_next, close_counter, issue_ticket, open_counter, pause_counter, resume_counter, start,
)
from tests.conftest import NOON


def counter(code: str) -> Counter:
    return db.session.scalar(db.select(Counter).where(Counter.code == code))


def test_open_serves_all_the_clerks_skills(ctx):
    c = open_counter("HQ-03", "ana", now=NOON, by=SYSTEM)
    assert (c.state, c.staff.username, c.opened_at) == ("open", "ana", NOON)
    assert c.skills == {"primary": ["birth", "passport"], "secondary": ["tax"]}


def test_open_with_narrowed_skills(ctx):
    c = open_counter("HQ-03", "ana", skills=["passport", "tax"], now=NOON, by=SYSTEM)
    assert c.skills == {"primary": ["passport"], "secondary": ["tax"]}
    issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    assert call_next("HQ-03", now=NOON, by=SYSTEM) is None  # birth was narrowed away


@pytest.mark.parametrize(
    ("code", "user", "skills", "error", "message"),
    [
        ("HQ-03", "ana", ["info"], SkillNotAllowed, "ana has no skill for: info"),
        ("HQ-03", "ana", [], SkillNotAllowed, "at least one service"),
        ("NYC-01", "ana", None, SkillNotAllowed, "does not work at centre NYC"),
    ],
)
def test_open_refusals(ctx, code, user, skills, error, message):
    with pytest.raises(error, match=message):
        open_counter(code, user, skills=skills, now=NOON, by=SYSTEM)
    assert counter(code).state == "closed"


def test_a_counter_has_one_clerk_and_a_clerk_one_counter(ctx):
    open_counter("HQ-03", "ana", now=NOON, by=SYSTEM)
    with pytest.raises(CounterBusy, match="already open for another clerk"):
        open_counter("HQ-03", "ben", now=NOON, by=SYSTEM)
    with pytest.raises(CounterBusy, match="ana already has counter HQ-03 open"):
        open_counter("HQ-04", "ana", now=NOON, by=SYSTEM)


def test_a_disabled_clerk_cannot_open(ctx):
    db.session.scalar(db.select(Staff).where(Staff.username == "ben")).active = False
    db.session.commit()
    with pytest.raises(InvalidRequest, match="ben is disabled"):
        open_counter("HQ-05", "ben", now=NOON, by=SYSTEM)


def test_pause_resume_close(ctx):
    open_counter("HQ-03", "ana", now=NOON, by=SYSTEM)
    assert pause_counter("HQ-03", by=SYSTEM).state == "paused"
    with pytest.raises(IllegalTransition):
        pause_counter("HQ-03", by=SYSTEM)
    assert resume_counter("HQ-03", by=SYSTEM).state == "open"
    closed = close_counter("HQ-03", by=SYSTEM)
    assert (closed.state, closed.staff_id, closed.skills) == ("closed", None, {})
    with pytest.raises(IllegalTransition):
        resume_counter("HQ-03", by=SYSTEM)


def test_close_is_refused_while_serving(ctx):
    open_counter("HQ-03", "ana", now=NOON, by=SYSTEM)
    t = issue_ticket("HQ", "birth", now=NOON, by=SYSTEM).ticket
    call_next("HQ-03", now=NOON, by=SYSTEM)
    start(t.id, now=NOON, by=SYSTEM)
    with pytest.raises(CounterBusy, match=f"still has ticket {t.number}"):
        close_counter("HQ-03", by=SYSTEM)
    assert counter("HQ-03").state == "open"
