"""The edges stay at the edge: the rules know no HTTP, the services no Flask, and every face answers a
refusal with the status of one table (queue_app/refusals.py)."""
import ast
from pathlib import Path

import pytest

from queue_app.domain.appointments import AppointmentRefused
from queue_app.domain.calendar import OutOfCalendar
from queue_app.domain.errors import (
    CentreClosed, DomainError, Forbidden, IllegalTransition, InvalidRequest, NotFound, SkillNotAllowed, Unauthorized,
)
from queue_app.domain.remote import RemoteRefused
from queue_app.domain.slots import NotASlot, SlotFull
from queue_app.refusals import http_status

PACKAGE = Path(__file__).resolve().parents[2] / "queue_app"


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports only: ours are relative)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(("error", "status"), [
    (NotFound("x"), 404), (Unauthorized("x"), 401), (Forbidden("x"), 403), (InvalidRequest("x"), 422),
    (NotASlot("in_the_past", "x"), 422), (OutOfCalendar("x"), 422), (SkillNotAllowed("x"), 422),
    (DomainError("x"), 409), (IllegalTransition("x"), 409), (CentreClosed("x"), 409), (SlotFull("x"), 409),
    (AppointmentRefused("missed", "x"), 409), (RemoteRefused("phone_limit", "x"), 409),
])
def test_each_refusal_answers_with_its_status(error, status):
    assert http_status(error) == status
    assert "status" not in vars(type(error)) and not hasattr(error, "status")  # the rules know no HTTP


@pytest.mark.parametrize("module", sorted(p.name for p in (PACKAGE / "domain").glob("*.py")))
def test_the_domain_imports_neither_flask_nor_sqlalchemy(module):
    assert not imported(PACKAGE / "domain" / module) & {"flask", "flask_babel", "sqlalchemy", "werkzeug"}


@pytest.mark.parametrize("module", ["printing.py", "days.py", "booking.py", "appointments.py"])
def test_these_services_import_no_flask(module):
    assert not {name for name in imported(PACKAGE / "services" / module) if name.startswith("flask")}
