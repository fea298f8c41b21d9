"""Choosing the next ticket (SPEC §3): one test per rule of choose_next and calling_order."""
from datetime import datetime, timedelta, timezone

import pytest

from queue_app.domain.policy import (
    PRIMARY,
    SECONDARY,
    Candidate,
    PolicySettings,
    Skills,
    appointment_due,
    calling_order,
    choose_next,
    effective_wait,
    queue_pressure,
    waited_minutes,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
DEFAULT = PolicySettings()  # lead 5 min, bonus 0.5, priority first, escalate past 15 min
ALL = Skills.of(primary=["birth", "passport", "tax", "info"])
SECONDARY_ONLY = Skills.of(secondary=["birth", "passport", "tax", "info"])


def ticket(id: int, waited: float, service: str = "birth", **kw) -> Candidate:
    """A candidate that arrived `waited` minutes before NOW."""
    return Candidate(id=id, service=service, arrived_at=NOW - timedelta(minutes=waited), **kw)


def booked(id: int, waited: float, starts_in: float, service: str = "birth") -> Candidate:
    """A checked-in appointment whose slot starts `starts_in` minutes after NOW (negative: started)."""
    return ticket(id, waited, service, appointment_start=NOW + timedelta(minutes=starts_in))


def ids(candidates, skills=None, settings=DEFAULT) -> list[int]:
    return [c.id for c in calling_order(candidates, NOW, settings, skills)]


def pick(candidates, skills=ALL, settings=DEFAULT) -> int | None:
    chosen = choose_next(candidates, NOW, settings, skills)
    return None if chosen is None else chosen.id


# --- tier 0: due appointments -------------------------------------------------------------

def test_appointment_whose_slot_has_started_is_called_first():
    queue = [ticket(1, 14, priority=True), ticket(2, 40), booked(3, 1, starts_in=-2)]
    assert pick(queue) == 3


def test_appointment_starting_within_the_lead_time_is_due():
    queue = [ticket(1, 12), booked(2, 1, starts_in=4)]
    assert pick(queue) == 2


def test_appointment_starting_exactly_at_the_lead_boundary_is_due():
    appt = booked(2, 1, starts_in=5)
    assert appointment_due(appt, NOW, DEFAULT)
    assert pick([ticket(1, 12), appt]) == 2


def test_appointment_not_yet_due_waits_like_a_walk_in():
    appt = booked(2, 1, starts_in=6)
    assert not appointment_due(appt, NOW, DEFAULT)
    assert ids([ticket(1, 12), appt]) == [1, 2]


GRACE = PolicySettings(appointment_grace_min=5)  # target 15: an appointment counts from slot − 10 min


def test_with_a_grace_an_appointment_at_its_slot_waits_behind_a_walk_in_about_to_miss_the_target():
    # slot started 2 min ago: counts as 12 min waited, below the walk-in's 14 (× the same weight)
    queue = [ticket(1, 14), booked(2, 20, starts_in=-2)]
    assert ids(queue, settings=GRACE) == [1, 2]
    assert ids(queue) == [2, 1]  # without the grace: first at its slot, as SPEC §3 has it


def test_with_a_grace_an_appointment_still_goes_before_a_shorter_wait():
    assert ids([ticket(1, 10), booked(2, 20, starts_in=-2)], settings=GRACE) == [2, 1]


def test_with_a_grace_an_appointment_is_at_the_front_by_slot_plus_grace():
    # 5 min after its slot it counts 15 min waited: the past-target tier, ahead of a 14-minute walk-in
    appt = booked(2, 30, starts_in=-5)
    assert waited_minutes(appt, NOW, GRACE) == 15
    assert ids([ticket(1, 14), appt], settings=GRACE) == [2, 1]


def test_with_a_grace_an_early_appointment_counts_no_wait_before_slot_minus_target_plus_grace():
    appt = booked(2, 20, starts_in=15)  # counts from 5 min from now
    assert waited_minutes(appt, NOW, GRACE) == 0
    assert waited_minutes(appt, NOW) == 20  # its own arrival, without the setting
    assert ids([ticket(1, 0.5), appt], settings=GRACE) == [1, 2]


def test_lead_time_is_configurable():
    appt = booked(2, 1, starts_in=6)
    assert pick([ticket(1, 12), appt], settings=PolicySettings(appointment_lead_min=10)) == 2
    assert pick([ticket(1, 12), booked(3, 1, starts_in=1)], settings=PolicySettings(appointment_lead_min=0)) == 1


def test_due_appointments_go_by_slot_start_not_arrival():
    assert ids([booked(1, 20, starts_in=3), booked(2, 1, starts_in=-1)]) == [2, 1]


# --- tier 1: priority ---------------------------------------------------------------------

def test_priority_ticket_goes_before_normal_ones():
    assert pick([ticket(1, 14), ticket(2, 1, priority=True)]) == 2


def test_priority_goes_before_tickets_past_target():
    assert pick([ticket(1, 30), ticket(2, 1, priority=True)]) == 2


def test_priority_tickets_among_themselves_go_by_arrival():
    assert ids([ticket(1, 2, priority=True), ticket(2, 9, priority=True)]) == [2, 1]


def test_priority_first_false_treats_priority_as_normal():
    settings = PolicySettings(priority_first=False)
    assert pick([ticket(1, 14), ticket(2, 1, priority=True)], settings=settings) == 1


# --- tier 2: past the target wait ---------------------------------------------------------

def test_tickets_past_target_come_first_longest_wait_first():
    # tax weighs 3×: 6 min × 3 = 18 effective, but only the real 16 and 20 min waits are past target
    queue = [ticket(1, 6, service="tax", weight=3.0), ticket(2, 16), ticket(3, 20)]
    assert ids(queue) == [3, 2, 1]


def test_reaching_the_target_exactly_counts_as_past_it():
    queue = [ticket(1, 14, weight=2.0), ticket(2, 15)]
    assert ids(queue) == [2, 1]


def test_past_target_ignores_weight_and_bonus_among_themselves():
    queue = [ticket(1, 16, service="tax", weight=5.0), ticket(2, 20, service="info")]
    assert pick(queue, skills=Skills.of(primary=["tax"], secondary=["info"])) == 2


def test_escalate_past_target_false_ranks_them_by_effective_wait():
    settings = PolicySettings(escalate_past_target=False)
    queue = [ticket(1, 12, service="tax", weight=2.0), ticket(2, 20)]
    assert ids(queue, settings=settings) == [1, 2]
    assert ids(queue) == [2, 1]


def test_target_wait_is_configurable():
    queue = [ticket(1, 9, weight=1.5), ticket(2, 11)]
    assert ids(queue) == [1, 2]
    assert ids(queue, settings=PolicySettings(target_wait_min=10)) == [2, 1]


# --- deferring late lines (defer_late_min) --------------------------------------------------

DEFER = PolicySettings(defer_late_min=20)  # target 15: a late line comes first again at 35 min


def test_a_late_line_gives_way_to_a_line_that_can_still_make_the_target():
    queue = [ticket(1, 17), ticket(2, 12, service="tax")]
    assert ids(queue, settings=DEFER) == [2, 1]
    assert ids(queue) == [1, 2]  # as shipped in the code: past the target comes first


def test_a_deferred_line_keeps_its_arrival_order():
    # birth's first visitor is late, its second is not: the line ranks by the second's 5 min
    queue = [ticket(1, 17), ticket(2, 10, service="tax"), ticket(3, 5)]
    assert ids(queue, settings=DEFER) == [2, 1, 3]


def test_a_line_ranks_by_its_first_ticket_still_under_the_target():
    queue = [ticket(1, 20), ticket(2, 10, service="tax"), ticket(3, 13)]
    assert ids(queue, settings=DEFER) == [1, 3, 2]


def test_a_late_line_comes_first_again_once_deferred_long_enough():
    assert ids([ticket(1, 35), ticket(2, 14, service="tax")], settings=DEFER) == [1, 2]
    assert ids([ticket(1, 34.9), ticket(2, 14, service="tax")], settings=DEFER) == [2, 1]


def test_lines_with_nobody_left_to_save_go_longest_wait_first_after_the_others():
    queue = [ticket(1, 18), ticket(2, 25, service="tax"), ticket(3, 1, service="info")]
    assert ids(queue, settings=DEFER) == [3, 2, 1]


def test_deferral_spares_priority_and_appointments_past_their_grace():
    settings = PolicySettings(defer_late_min=20, appointment_grace_min=10)
    # slot started 10 min ago: with a 10-min grace it counts as waiting 15 min, past the target
    queue = [ticket(1, 14, service="tax"), booked(2, 20, starts_in=-10), ticket(3, 2, priority=True)]
    assert ids(queue, settings=settings) == [3, 2, 1]


def test_deferral_needs_escalation_past_target():
    settings = PolicySettings(defer_late_min=20, escalate_past_target=False)
    queue = [ticket(1, 17), ticket(2, 12, service="tax", weight=2.0)]
    assert ids(queue, settings=settings) == [2, 1]  # plain effective wait: 24 against 17


def test_choosing_from_deep_enough_heads_equals_choosing_from_everyone_when_deferring():
    import random

    from queue_app.domain.policy import heads

    rng = random.Random(8)
    base = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    for trial in range(200):
        pool = [Candidate(i, rng.choice("abc"), base + timedelta(minutes=rng.uniform(0, 50)),
                          priority=rng.random() < 0.1) for i in range(1, rng.randint(2, 40))]
        now = base + timedelta(minutes=rng.uniform(40, 70))
        settings = PolicySettings(defer_late_min=rng.choice([0, 10, 20]))
        skills = Skills.of(rng.sample("abc", 2))
        full = choose_next(pool, now, settings, skills)
        assert calling_order(pool, now, settings, skills)[0] == full, trial
        assert choose_next(heads(pool, len(pool)), now, settings, skills) == full, trial


# --- tier 3: effective wait ---------------------------------------------------------------

def test_longer_wait_goes_first_among_equals():
    assert ids([ticket(1, 3), ticket(2, 7), ticket(3, 5)]) == [2, 3, 1]


def test_weighted_wait_beats_a_longer_unweighted_one():
    heavy, plain = ticket(1, 10, service="tax", weight=1.5), ticket(2, 12)
    assert effective_wait(heavy, NOW, DEFAULT, None) == 15
    assert effective_wait(plain, NOW, DEFAULT, None) == 12
    assert pick([plain, heavy], skills=SECONDARY_ONLY) == 1


def test_primary_skill_bonus_beats_a_longer_secondary_wait():
    skills = Skills.of(primary=["birth"], secondary=["passport"])
    queue = [ticket(1, 8, service="birth"), ticket(2, 10, service="passport")]
    assert effective_wait(queue[0], NOW, DEFAULT, skills) == 12
    assert pick(queue, skills=skills) == 1


def test_without_primary_bonus_the_longer_secondary_wait_wins():
    skills = Skills.of(primary=["birth"], secondary=["passport"])
    queue = [ticket(1, 8, service="birth"), ticket(2, 10, service="passport")]
    assert pick(queue, skills=skills, settings=PolicySettings(primary_bonus=0)) == 2


def test_a_ticket_arriving_after_now_counts_as_no_wait():
    early = ticket(1, -3)
    assert waited_minutes(early, NOW) == 0
    assert ids([early, ticket(2, 0)]) == [2, 1]  # same zero wait: the earlier arrival wins


# --- the counter's skills -----------------------------------------------------------------

def test_counter_never_gets_a_service_it_lacks():
    queue = [booked(1, 1, starts_in=-5, service="passport"), ticket(2, 3, service="passport", priority=True),
             ticket(3, 40, service="passport"), ticket(4, 1, service="tax")]
    assert pick(queue, skills=Skills.of(primary=["tax"])) == 4


def test_counter_gets_nothing_when_nothing_it_serves_waits():
    assert pick([ticket(1, 5, service="passport")], skills=Skills.of(primary=["tax"])) is None


def test_counter_gets_nothing_from_an_empty_queue():
    assert pick([]) is None


def test_calling_order_for_a_counter_leaves_out_what_it_cannot_serve():
    queue = [ticket(1, 5, service="passport"), ticket(2, 3, service="tax"), ticket(3, 9, service="info")]
    assert ids(queue, skills=Skills.of(primary=["tax"], secondary=["info"])) == [3, 2]


# --- ties and the whole order -------------------------------------------------------------

def test_equal_effective_wait_goes_to_the_earlier_arrival():
    # 10 min × 1.0 and 5 min × 2.0 are both 10 effective minutes
    queue = [ticket(1, 5, service="tax", weight=2.0), ticket(2, 10)]
    assert ids(queue) == [2, 1]


def test_same_arrival_and_wait_goes_to_the_lower_id():
    assert ids([ticket(9, 4), ticket(3, 4), ticket(5, 4)]) == [3, 5, 9]
    assert pick([ticket(9, 4), ticket(3, 4)]) == 3


def test_ties_within_priority_and_past_target_tiers_resolve_by_arrival_then_id():
    queue = [ticket(4, 20), ticket(2, 20), ticket(8, 2, priority=True), ticket(6, 2, priority=True)]
    assert ids(queue) == [6, 8, 2, 4]


def test_choose_next_is_the_head_of_the_counters_calling_order():
    skills = Skills.of(primary=["birth"], secondary=["passport", "tax"])
    queue = [ticket(1, 8, service="birth"), ticket(2, 10, service="passport"), ticket(3, 7, service="tax",
             weight=2.0), booked(4, 1, starts_in=9), ticket(5, 3, service="info", priority=True)]
    order = ids(queue, skills=skills)
    assert order == [3, 1, 2, 4]
    assert pick(queue, skills=skills) == order[0]


def test_calling_order_without_skills_is_the_centre_wide_order():
    queue = [ticket(1, 8, service="birth"), ticket(2, 10, service="passport"), ticket(3, 4, service="tax",
             priority=True), booked(4, 0, starts_in=0, service="info"), ticket(5, 18, service="info")]
    # no skill filter, and no primary bonus for birth: 10 min of passport beats 8 of birth
    assert ids(queue) == [4, 3, 5, 2, 1]


def test_calling_order_is_repeatable_whatever_the_input_order():
    # 2 min × 2.0 ties 4 min × 1.0 and arrived later; 1 and 3 arrived together
    queue = [ticket(i, w, weight=wt) for i, w, wt in [(1, 4, 1.0), (2, 2, 2.0), (3, 4, 1.0), (4, 16, 1.0)]]
    assert ids(queue) == ids(list(reversed(queue))) == [4, 1, 3, 2]


# --- Skills -------------------------------------------------------------------------------

def test_skills_of_drops_secondary_duplicates_of_primary():
    skills = Skills.of(primary=["birth", "passport"], secondary=["passport", "tax"])
    assert skills.primary == {"birth", "passport"}
    assert skills.secondary == {"tax"}
    assert skills.services == {"birth", "passport", "tax"}


@pytest.mark.parametrize(("service", "level"), [("birth", PRIMARY), ("tax", SECONDARY), ("info", None)])
def test_skill_level_of_each_service(service, level):
    skills = Skills.of(primary=["birth"], secondary=["tax", "birth"])
    assert skills.level(service) == level
    assert skills.serves(service) == (level is not None)


def test_no_skills_serve_nothing():
    assert Skills().services == frozenset() and not Skills().serves("birth")


# --- heads: a counter needs only each service's oldest ordinary tickets ----------------------

def test_heads_keep_the_special_and_the_oldest_ordinary_of_each_service():
    from queue_app.domain.policy import heads

    base = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    pool = [Candidate(i, "a" if i % 2 else "b", base + timedelta(minutes=i)) for i in range(1, 11)]
    pool.append(Candidate(99, "a", base + timedelta(minutes=50), priority=True))
    kept = {c.id for c in heads(pool, per_service=2)}
    assert kept == {1, 3, 2, 4, 99}


def test_choosing_from_the_heads_equals_choosing_from_everyone():
    import random

    from queue_app.domain.policy import heads

    rng = random.Random(5)
    base = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    services = ["a", "b", "c", "d"]
    weights = {"a": 1.0, "b": 1.5, "c": 0.8, "d": 1.2}
    for trial in range(300):
        pool = []
        for i in range(1, rng.randint(1, 60)):
            s = rng.choice(services)
            pool.append(Candidate(
                i, s, base + timedelta(minutes=rng.uniform(0, 40)),
                priority=rng.random() < 0.1,
                appointment_start=base + timedelta(minutes=rng.uniform(0, 60)) if rng.random() < 0.1 else None,
                weight=weights[s],
            ))
        now = base + timedelta(minutes=rng.uniform(30, 60))
        skills = Skills.of(rng.sample(services, 2), rng.sample(services, 1))
        settings = PolicySettings(target_wait_min=rng.choice([10, 15, 30]))
        full = choose_next(pool, now, settings, skills)
        assert choose_next(heads(pool, 1), now, settings, skills) == full, trial


def test_first_come_first_served_ignores_appointments_priority_weights_and_skill_bonus():
    fifo = PolicySettings(first_come_first_served=True)
    candidates = [
        ticket(1, 5, priority=True),
        booked(2, 3, starts_in=-10),  # slot started: first under the policy
        ticket(3, 9, weight=0.5),
        ticket(4, 20),  # past the target
        ticket(5, 7, service="passport"),
    ]
    assert ids(candidates, settings=fifo) == [4, 3, 5, 1, 2]
    assert pick(candidates, Skills.of(primary=["passport"], secondary=["birth"]), fifo) == 4
    assert ids(candidates)[:2] == [2, 1]  # the default policy, for contrast


def test_pressure_is_the_longest_wait_a_line_is_heading_for():
    line = [ticket(1, 5, "tax"), ticket(2, 4, "tax"), ticket(3, 3, "tax"), ticket(4, 6), ticket(5, 30, priority=True)]
    pressure = queue_pressure(line, NOW, {"tax": 5, "birth": 10}, {"tax": 1, "birth": 2})
    # tax: max(5 + 1×5, 4 + 2×5, 3 + 3×5) = 18; birth: 6 + 1×10/2 = 11 (the priority ticket is not in the line)
    assert pressure == {"tax": 18.0, "birth": 11.0}
    assert queue_pressure([ticket(6, 2, "info")], NOW, {}, {})["info"] == 12.0  # unknown: 10 min, one counter
    on = PolicySettings(escalate_past_target=False)
    assert choose_next(line, NOW, on, Skills.of(primary=["birth"], secondary=["tax"]), pressure).id == 5  # priority
    no_priority = line[:4]  # tax 18 (secondary: no bonus) beats birth 11 × 1.5 = 16.5
    assert choose_next(no_priority, NOW, on, Skills.of(primary=["birth"], secondary=["tax"]), pressure).id == 1
    assert [c.id for c in calling_order(no_priority, NOW, on, pressure=pressure)] == [1, 2, 3, 4]
    off = PolicySettings(route_by_pressure=False)  # birth 6 × 1.5 = 9 beats tax 5
    assert choose_next(no_priority, NOW, off, Skills.of(primary=["birth"], secondary=["tax"]), pressure).id == 4


def _random_queue(rng, n: int) -> list[Candidate]:
    """n waiting tickets of four services: ordinary, priority and checked-in appointments, some
    arriving at the same instant (ties), waits from 0 to 40 minutes, weights 1 and 1.5."""
    weights = {"birth": 1.0, "passport": 1.5, "tax": 1.0, "info": 1.5}
    arrivals = [NOW - timedelta(minutes=rng.choice([rng.uniform(0, 40), 15.0, 7.5])) for _ in range(n)]
    queue = []
    for i, arrived in enumerate(arrivals, start=1):
        service = rng.choice(list(weights))
        kind = rng.random()
        start = NOW + timedelta(minutes=rng.uniform(-20, 20)) if kind < 0.15 else None
        queue.append(Candidate(i, service, arrived, priority=0.15 <= kind < 0.25, appointment_start=start,
                               weight=weights[service]))
    return queue


SETTINGS = [
    DEFAULT,
    PolicySettings(route_by_pressure=False),
    PolicySettings(escalate_past_target=False, priority_first=False),
    PolicySettings(appointment_grace_min=10.0),
    PolicySettings(appointment_grace_min=0.0, target_wait_min=5.0, primary_bonus=0.0),
    PolicySettings(first_come_first_served=True),
    PolicySettings(defer_late_min=10.0),
    PolicySettings(defer_late_min=0.0, priority_first=False),
    PolicySettings(defer_late_min=20.0, appointment_grace_min=10.0, route_by_pressure=False),  # config.toml's
    PolicySettings(defer_late_min=20.0, escalate_past_target=False),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=range(len(SETTINGS)))
@pytest.mark.parametrize("seed", range(20))
def test_the_order_is_the_one_rank_gives_ticket_by_ticket(settings, seed):
    """calling_order and choose_next work the rank out once per call (policy.ranker) rather than
    per candidate: the order and the choice are exactly those of sorting by `rank`."""
    import random

    from queue_app.domain.policy import lines_of, rank

    rng = random.Random(seed)
    queue = _random_queue(rng, rng.randint(1, 60))
    pressure = queue_pressure(queue, NOW, {"birth": 10.0, "passport": 25.0, "tax": 8.0, "info": 3.0},
                              {"birth": 2, "tax": 1, "info": 3})
    for skills in (None, ALL, Skills.of(primary=["birth"], secondary=["tax", "info"]), SECONDARY_ONLY):
        pool = [c for c in queue if skills is None or skills.serves(c.service)]
        used = pressure if settings.route_by_pressure else None
        lines = lines_of(pool, NOW, settings.target_wait_min) if settings.defer_late_min is not None else None
        expected = sorted(pool, key=lambda c: rank(c, NOW, settings, skills, used, lines))
        assert calling_order(queue, NOW, settings, skills, pressure) == expected
        if skills is not None:
            lines = lines_of(queue, NOW, settings.target_wait_min) if settings.defer_late_min is not None else None
            first = min(pool, key=lambda c: rank(c, NOW, settings, skills, used, lines), default=None)
            assert choose_next(queue, NOW, settings, skills, pressure) == first


def random_queue(rng, n: int) -> list[Candidate]:
    """A centre's queue with every kind of ticket: lines of one weight each, arrivals shared
    within and across lines, priority, appointments due, not yet due and both, one arriving
    after NOW."""
    weights = {"birth": 1.0, "passport": 1.5, "tax": 1.0, "info": 0.5}
    arrivals = [NOW - timedelta(minutes=rng.choice([0, 1, 5, 14.99, 15, 15.01, 40])) for _ in range(3)]
    pool = []
    for i in range(1, n + 1):
        service = rng.choice(list(weights))
        arrived = rng.choice(arrivals) if rng.random() < 0.2 else NOW - timedelta(seconds=rng.uniform(-30, 3600))
        start = NOW + timedelta(minutes=rng.uniform(-20, 30)) if rng.random() < 0.1 else None
        pool.append(Candidate(i, service, arrived, rng.random() < 0.1, start, weights[service]))
    return pool


POLICIES = [
    DEFAULT,
    PolicySettings(priority_first=False),
    PolicySettings(escalate_past_target=False),
    PolicySettings(first_come_first_served=True),
    PolicySettings(route_by_pressure=False),
    PolicySettings(appointment_grace_min=5.0),
    PolicySettings(defer_late_min=10.0),
    PolicySettings(defer_late_min=0.0, priority_first=False),
    PolicySettings(defer_late_min=20.0, appointment_grace_min=10.0, route_by_pressure=False),  # config.toml's
    PolicySettings(defer_late_min=20.0, escalate_past_target=False),
    PolicySettings(target_wait_min=0.0),
    PolicySettings(appointment_lead_min=0.0, target_wait_min=30.0),
]


@pytest.mark.parametrize("settings", POLICIES)
def test_the_centre_order_from_the_lines_equals_ranking_every_ticket(settings):
    """centre_order builds from each line's arrival order what calling_order sorts ticket by ticket."""
    import random

    from queue_app.domain.policy import centre_order, is_special, line_pressure, ordinary_lines

    rng = random.Random(21)
    durations = {"birth": 20.0, "passport": 10.0, "tax": 15.0, "info": 5.0}
    for _ in range(150):
        pool = random_queue(rng, rng.randint(0, 80))
        servers = {s: rng.randint(0, 3) for s in durations}
        pressure = queue_pressure(pool, NOW, durations, servers)
        lines = ordinary_lines(pool)
        assert line_pressure(lines, NOW, durations, servers) == pressure
        special = [c for c in pool if is_special(c)]
        assert centre_order(lines, special, NOW, settings, pressure) == calling_order(pool, NOW, settings, pressure=pressure)


def test_lines_of_one_rank_interleave_by_arrival_in_the_centre_order():
    from queue_app.domain.policy import centre_order, ordinary_lines

    pool = [ticket(1, 3, "birth"), ticket(2, 2, "tax"), ticket(3, 1, "birth"), ticket(4, 0.5, "tax")]
    pressure = {"birth": 6.0, "tax": 6.0}
    order = centre_order(ordinary_lines(pool), [], NOW, DEFAULT, pressure)
    assert [c.id for c in order] == [1, 2, 3, 4] == [c.id for c in calling_order(pool, NOW, DEFAULT, pressure=pressure)]


def test_line_pressure_is_the_maximum_over_the_whole_line():
    """Read from the back, it still finds a maximum at the front: a long-waiting first ticket."""
    from queue_app.domain.policy import line_pressure

    line = [ticket(1, 60), *[ticket(i, 1 - i / 100) for i in range(2, 30)]]
    assert line_pressure({"birth": line}, NOW, {"birth": 10.0}, {"birth": 5}) == {"birth": 62.0}
    assert line_pressure({"birth": line}, NOW, {"birth": 10.0}, {"birth": 1}) == queue_pressure(line, NOW, {"birth": 10.0}, {"birth": 1})
    # the front beats the back by half a minute: 10.5 + 1 × 10 against 0 + 2 × 10
    assert line_pressure({"birth": [ticket(1, 10.5), ticket(2, 0)]}, NOW, {"birth": 10.0}, {"birth": 1}) == {"birth": 20.5}
