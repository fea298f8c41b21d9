"""The fuzzing of test_schemathesis.py as an AIR1 manager and as the admin, against a server of its
own (the same set-up): the runs that reach the most operations, in a file of their own so that
pytest-xdist runs them beside the other credentials' runs."""
from __future__ import annotations

import pytest

from tests.integration.test_schemathesis import fuzz_as, live  # noqa: F401 (live: the module's own server)


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_no_operation_answers_with_a_server_error_as_staff_who_administer(live, who):  # noqa: F811
    fuzz_as(live, who)
