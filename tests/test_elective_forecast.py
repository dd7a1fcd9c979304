"""A hospital's forecast of what elective capacity does (model.decisions, the ``elective_growth`` lever):
electives change only where there is something to do, its list and a year's listing."""

import pytest
from lhe_runs import journal_model

from model.decisions import View


def electives(view: View, h, x: float) -> float:
    return sum(n for (_, unit), n in view.change(h, "elective_growth", x).units.items() if unit == "elective_spell")


@pytest.fixture(scope="module")
def year_end():
    return journal_model({}, 12, size=3_000, seed=5)


def test_a_cut_loses_electives_where_the_list_needs_the_capacity(year_end):
    m = year_end
    h = m.hospitals[0]
    view = View(m)
    assert h.waiting_list > 0
    assert electives(view, h, h.levers["elective_growth"] - 0.04) < 0
    assert electives(view, h, h.levers["elective_growth"] + 0.04) > 0


def test_a_cut_of_capacity_that_stands_idle_loses_no_electives_and_more_capacity_adds_none(year_end):
    """With nothing on the list and nobody listed in the year, its capacity stands idle: a cut saves the
    capacity's cost and loses nothing, more adds nothing. (Bounded by the list alone, as before, a cut
    lost electives whatever stood idle, and a hospital paid by activity never cut.)"""
    m = year_end
    h = m.hospitals[0]
    view = View(m)
    was_list, was_listed = h.waiting_list, view.tally.listed[h.index]
    h.waiting_list, view.tally.listed[h.index] = 0, 0
    try:
        assert electives(view, h, h.levers["elective_growth"] - 0.04) == 0
        assert electives(view, h, h.levers["elective_growth"] + 0.04) == 0
        cost = view.change(h, "elective_growth", h.levers["elective_growth"] - 0.04).costs[h.account]
        assert cost < 0
    finally:
        h.waiting_list, view.tally.listed[h.index] = was_list, was_listed


# --- a shortage of staff: capacity beyond the staff a hospital can recruit in a year costs a premium ---------------
STAFF = {"capacity.elective_staff_growth": 0.016, "capacity.elective_premium_ratio": 2.0}


def _spell_cost(m) -> float:
    """A spell a month of elective capacity at the standard cost, pounds a month at today's costs."""
    return m.params.capacity.elective_capacity_cost_share * m.params.tariff.elective_spell * m.prices.unit_cost


def _paid(m, h, kind: str, step: int) -> float:
    return sum(t.pence for s, t in m.ledger.journal if s == step and t.payer == h.account and t.kind == kind) / 100


@pytest.mark.parametrize("ratio", [2.0, 1.0])
def test_capacity_beyond_the_staff_recruited_in_a_year_is_paid_at_the_premium(ratio):
    """At the year end a hospital's established staff grow at most by the staff market's supply (1.6% a year)
    and its capacity by its lever; next month it pays its capacity at the standard cost and the part beyond its
    established staff again at (ratio - 1) of it. At a ratio of 1 (the ablation) it pays no premium."""
    m = journal_model({**STAFF, "capacity.elective_premium_ratio": ratio}, 11, size=3_000, seed=5)
    before = {h.name: (h.elective_capacity, h.elective_established) for h in m.hospitals}
    assert all(c == e for c, e in before.values())  # staffed as sized
    m.step()  # the year end: levers set, capacity grown
    grown = [h for h in m.hospitals if h.levers["elective_growth"] > 0.016]
    assert grown, "no hospital grows its capacity beyond the staff supply in this place (the test needs one)"
    for h in m.hospitals:
        c0, e0 = before[h.name]
        assert h.elective_capacity == pytest.approx(c0 * (1 + h.levers["elective_growth"]))
        assert h.elective_established == pytest.approx(min(h.elective_capacity, e0 * 1.016))
    m.step()
    for h in m.hospitals:
        spell = _spell_cost(m)
        assert _paid(m, h, "elective_capacity", m.ledger.step) == pytest.approx(h.elective_capacity * spell, abs=0.02)
        premium = (h.elective_capacity - h.elective_established) * (ratio - 1.0) * spell
        assert _paid(m, h, "elective_premium", m.ledger.step) == pytest.approx(premium, abs=0.02)
    assert any(_paid(m, h, "elective_premium", m.ledger.step) > 0 for h in grown) == (ratio > 1.0)


def test_staff_follow_capacity_down_when_it_is_cut():
    """A hospital that cuts its capacity lets its staff go with it: nothing beyond them, no premium."""
    m = journal_model(STAFF, 0, size=3_000, seed=5)
    h = m.hospitals[0]
    h.elective_established = h.elective_capacity * 0.9
    assert h.established_after(h.elective_capacity * 0.8) == pytest.approx(h.elective_capacity * 0.8)
    assert h.established_after(h.elective_capacity) == pytest.approx(h.elective_capacity * 0.9 * 1.016)


@pytest.mark.parametrize("ratio", [2.0, 1.0])
def test_the_forecast_prices_growth_beyond_the_staff_supply_at_the_premium(ratio):
    """What growing capacity costs in a hospital's forecast: the year's capacity at the standard cost, and beyond
    what its staff can grow to, the premium; at a ratio of 1 (the ablation), the standard cost alone."""
    m = journal_model({**STAFF, "capacity.elective_premium_ratio": ratio}, 12, size=3_000, seed=5)
    h = m.hospitals[0]
    view = View(m)
    now = h.levers["elective_growth"]
    x = now + 0.04
    done = electives(view, h, x)
    cost = view.change(h, "elective_growth", x).costs[h.account]
    factor = (1 + x) / (1 + now)
    c, e = h.elective_capacity, h.elective_established

    def year(cap: float) -> float:
        est = min(cap, e * 1.016)
        return 12 * _spell_cost(m) * (cap + (ratio - 1.0) * max(cap - est, 0.0))

    assert cost == pytest.approx(year(c * factor) - year(c) + done * view.cost_elective)
    if ratio > 1.0:  # growth beyond the supply: dearer than the standard cost alone
        assert year(c * factor) - year(c) > 12 * _spell_cost(m) * c * (factor - 1)


# --- what a place on the list costs in health (decisions._list_qalys) ----------------------------------------------
def _list_health(view: View, h, waiting: int, done: float, listed: float) -> float:
    """The forecast's QALYs of one more on ``h``'s list, with the list and last year's electives done and people
    listed set by hand."""
    from model.decisions import _list_qalys

    view._listed[h.index] = waiting
    view._long_months.clear()  # what the view worked out from the list it had
    view.tally.electives[h.index], view.tally.listed[h.index] = done, listed
    return -_list_qalys(view, 1.0, h) / view.health.long_wait_month  # months more of a long wait on the list


def test_one_more_on_a_list_lengthens_the_long_waits_until_the_wait_falls_below_18_weeks(year_end):
    """Served longest waits first, one more on a list whose capacity is used is one more waiting beyond 18 weeks
    each month the wait (the list over a month's electives) is beyond them, over the planning horizon (36 months),
    wherever the list is heading: no jump between a list growing by one a year and one falling by one (the rule it
    replaces counted the horizon for the first and the one person's own wait beyond 18 weeks, under a month, for
    the second); none while the wait stays under 18 weeks; while a list runs down, until its wait falls below."""
    h = year_end.hospitals[0]
    view = View(year_end)
    kept = view.tally.electives[h.index], view.tally.listed[h.index]
    done = 12_000.0  # a thousand a month
    try:
        growing, falling = (_list_health(view, h, 6_000, done, done + d) for d in (1.0, -1.0))
        assert growing == pytest.approx(-36.0) and falling == pytest.approx(-36.0, abs=0.01)
        assert _list_health(view, h, 3_000, done, done) == 0.0  # three months' wait, staying
        # running down from six months' wait by 500 a month: the wait at mid-month 5.75, 5.25, 4.75, 4.25, then
        # below 4 months: beyond 18 weeks (the fourth month) in full, in full, three quarters, a quarter
        assert _list_health(view, h, 6_000, done, done - 6_000) == pytest.approx(-(1 + 1 + 0.75 + 0.25))
    finally:
        view.tally.electives[h.index], view.tally.listed[h.index] = kept
