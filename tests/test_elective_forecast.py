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
