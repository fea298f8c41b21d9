"""Lines and prefixes (domain/lines.py): which letters may number a service, and whose line it is."""
import pytest

from queue_app.domain.errors import InvalidRequest
from queue_app.domain.lines import PREFIX_LETTERS, check_prefix, line_owners, prefix_problem

TAKEN = {"A": "registry", "PAS": "migration"}


@pytest.mark.parametrize("prefix", ["A", "Z", "PA", "PAS", "XYZ", "N"])
def test_one_to_three_letters_without_look_alikes(prefix):
    assert prefix_problem(prefix, "tax", {}) is None


@pytest.mark.parametrize("prefix", ["", "ABCD", "a", "Pa", "A1", "1", "É", "П", " A", "A-", None, 7])
def test_anything_else_is_refused_with_the_rule(prefix):
    assert "must be 1 to 3 capital letters A–Z (without I and O)" in prefix_problem(prefix, "tax", {})


@pytest.mark.parametrize("prefix", ["I", "O", "OK", "PIN"])
def test_i_and_o_are_refused_as_look_alikes(prefix):
    assert "holds I or O, which read as 1 and 0" in prefix_problem(prefix, "tax", {})


def test_the_alphabet_has_24_letters():
    assert len(PREFIX_LETTERS) == 24 and not set(PREFIX_LETTERS) & set("IO")


def test_an_agency_may_join_its_own_line():
    assert prefix_problem("A", "registry", TAKEN) is None
    assert check_prefix("PAS", "migration", TAKEN) == "PAS"


def test_another_agencys_line_is_refused():
    assert prefix_problem("A", "tax", TAKEN) == (
        "prefix \"A\" is the line of agency 'registry'; services of different agencies may not share a line")
    with pytest.raises(InvalidRequest) as info:
        check_prefix("PAS", "tax", TAKEN)
    assert info.value.code == "invalid" and info.value.details == {"field": "prefix"}
    assert "'migration'" in info.value.message


def test_a_new_prefix_is_free():
    assert check_prefix("TX", "tax", TAKEN) == "TX"


def test_line_owners_keeps_the_first_agency_of_each_prefix():
    assert line_owners([("A", "registry"), ("PAS", "migration"), ("A", "registry")]) == TAKEN
