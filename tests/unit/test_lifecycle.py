"""A ticket's life (SPEC §3): every status × action pair, and finished visits' outcomes."""
import itertools

import pytest

from queue_app.domain.errors import IllegalTransition, InvalidRequest
from queue_app.domain.lifecycle import (
    ACTIONS,
    COUNTER_ACTIONS,
    COUNTER_STATES,
    ACTIVE,
    AT_COUNTER,
    FINAL,
    STATUSES,
    UNRESOLVED_REASONS,
    check_outcome,
    next_counter_state,
    next_status,
)
from queue_app.refusals import http_status

# The legal moves as SPEC §3 draws them; everything else must be refused.
LEGAL = {
    ("waiting", "call"): "called",
    ("waiting", "cancel"): "cancelled",
    ("called", "recall"): "called",
    ("called", "start"): "serving",
    ("called", "no_show"): "no_show",
    ("serving", "finish"): "done",
    ("serving", "transfer"): "transferred",
}
PAIRS = list(itertools.product(STATUSES, sorted(ACTIONS)))
ILLEGAL = [pair for pair in PAIRS if pair not in LEGAL]


def test_the_statuses_and_actions_are_the_ones_the_api_spells():
    assert STATUSES == ("waiting", "called", "serving", "done", "no_show", "cancelled", "transferred")
    assert ACTIONS == {"call", "cancel", "recall", "start", "no_show", "finish", "transfer"}


def test_status_groups_partition_the_statuses():
    assert ACTIVE | FINAL == set(STATUSES)
    assert not ACTIVE & FINAL
    assert AT_COUNTER == {"called", "serving"} and AT_COUNTER < ACTIVE


@pytest.mark.parametrize(("status", "action"), list(LEGAL), ids=[f"{s}-{a}" for s, a in LEGAL])
def test_legal_move_leads_to_documented_status(status, action):
    assert next_status(status, action) == LEGAL[(status, action)]


@pytest.mark.parametrize(("status", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_illegal_move_is_refused_naming_action_and_status(status, action):
    with pytest.raises(IllegalTransition) as info:
        next_status(status, action)
    message = str(info.value)
    assert f"cannot {action.replace('_', '-')} " in message
    assert f"a ticket that is {status}" in message
    assert info.value.code == "illegal_transition" and http_status(info.value) == 409


def test_every_pair_is_covered_exactly_once():
    assert len(LEGAL) + len(ILLEGAL) == len(STATUSES) * len(ACTIONS) == 49


def test_illegal_move_hints_what_the_status_allows():
    with pytest.raises(IllegalTransition, match="a waiting ticket can only: call, cancel$"):
        next_status("waiting", "finish")


@pytest.mark.parametrize("final", sorted(FINAL))
def test_final_status_allows_nothing_and_gives_no_hint(final):
    for action in ACTIONS:
        with pytest.raises(IllegalTransition) as info:
            next_status(final, action)
        assert "can only" not in str(info.value)


@pytest.mark.parametrize("action", ["", "serve", "no-show", "CALL", "close"])
def test_unknown_action_is_an_invalid_request(action):
    with pytest.raises(InvalidRequest, match="unknown action") as info:
        next_status("waiting", action)
    assert repr(action) in str(info.value)
    assert http_status(info.value) == 422


def test_resolved_outcome_stores_no_reason():
    assert check_outcome("resolved", None) is None


def test_resolved_outcome_refuses_a_reason():
    with pytest.raises(InvalidRequest, match="a resolved visit takes no reason"):
        check_outcome("resolved", "missing_documents")


@pytest.mark.parametrize("reason", UNRESOLVED_REASONS)
def test_unresolved_outcome_keeps_each_listed_reason(reason):
    assert check_outcome("unresolved", reason) == reason


def test_unresolved_reasons_are_the_spec_list():
    assert set(UNRESOLVED_REASONS) == {
        "missing_documents", "needs_another_agency", "system_outage", "visitor_left", "other",
    }


@pytest.mark.parametrize("reason", [None, "", "bored", "Missing_Documents"])
def test_unresolved_outcome_needs_a_listed_reason(reason):
    with pytest.raises(InvalidRequest, match="an unresolved visit needs a reason, one of: missing_documents"):
        check_outcome("unresolved", reason)


@pytest.mark.parametrize("outcome", ["", "done", "RESOLVED", "partial"])
def test_unknown_outcome_is_refused(outcome):
    with pytest.raises(InvalidRequest, match="outcome must be one of: resolved, unresolved"):
        check_outcome(outcome, None)


# ---- a counter's states -------------------------------------------------------------------

COUNTER_LEGAL = {
    ("closed", "open"): "open",
    ("open", "open"): "open",      # the holder opening again re-chooses skills
    ("paused", "open"): "open",
    ("open", "pause"): "paused",
    ("paused", "resume"): "open",
    ("open", "close"): "closed",
    ("paused", "close"): "closed",
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(COUNTER_STATES, sorted(COUNTER_ACTIONS))))
def test_every_counter_state_and_action(state, action):
    if (state, action) in COUNTER_LEGAL:
        assert next_counter_state("HQ-01", state, action) == COUNTER_LEGAL[(state, action)]
    else:
        with pytest.raises(IllegalTransition, match="HQ-01"):
            next_counter_state("HQ-01", state, action)


def test_counter_refusals_say_what_happened():
    with pytest.raises(IllegalTransition, match="counter HQ-01 is closed already"):
        next_counter_state("HQ-01", "closed", "close")
    with pytest.raises(IllegalTransition, match="counter HQ-01 is closed; it cannot be set paused"):
        next_counter_state("HQ-01", "closed", "pause")
    with pytest.raises(InvalidRequest):
        next_counter_state("HQ-01", "open", "explode")
