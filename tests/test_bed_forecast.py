"""What a forecast's bed days do to a hospital's beds (model.decisions): judged on all the bed days the change
brings to the hospital together. Bed days beyond the beds grow faster than the bed days, so pieces judged one
by one, each against last year's months alone, would understate the escalation a change brings."""

import pytest
from lhe_runs import journal_model

from model.decisions import Change, View, _bed_days, _settle_beds


@pytest.fixture(scope="module")
def year_end():
    """The baseline at its second year end: the hospitals' winter months run beyond their beds."""
    return journal_model({}, 24, size=20_000, seed=1)


def _electives_at(view: View, change: Change, h) -> float:
    return sum(n for (cid, unit), n in change.units.items()
               if unit == "elective_spell" and view.contract_by_id[cid].provider_org is h)


def _straddling(view: View):
    """A hospital, and a number of bed days, where last year's months lie either side of its beds: the bed days
    beyond them grow faster than the bed days added."""
    for h in view.model.hospitals:
        piece = 0.02 * float(view.tally.bed_days_month[h.index].sum())
        one, _ = view.bed_effects(h, piece)
        two, _ = view.bed_effects(h, 2 * piece)
        if two > 2 * one + 1.0:
            return h, piece
    pytest.fail("no hospital's months lie either side of its beds at this year end")


def test_two_pieces_at_one_hospital_are_judged_on_their_sum(year_end):
    view = View(year_end)
    h, piece = _straddling(view)
    change = Change()
    _bed_days(view, change, h, piece)
    _bed_days(view, change, h, piece)
    _settle_beds(view, change)
    over, electives = view.bed_effects(h, 2 * piece)
    expected = 2 * piece * view.cost_bed_day + over * view.escalation_cost(h) + electives * view.cost_elective
    assert change.costs[h.account] == pytest.approx(expected, rel=1e-12)
    assert _electives_at(view, change, h) == pytest.approx(electives, rel=1e-12)
    # judged piece by piece, the escalation would be less
    one, _ = view.bed_effects(h, piece)
    assert over > 2 * one + 1.0


def test_a_councils_change_reaches_each_hospital_as_one_sum(year_end):
    """Intermediate care places take a council's residents out of the beds they wait in (delays, spread over the
    hospitals its residents use) and reable them (fewer admissions, spread over the same hospitals through each
    contract of their commissioner): the electives its forecast moves at each hospital are those of all the bed
    days it brings there, together."""
    m = year_end
    view = View(m)
    co = m.councils[0]
    change = view.change(co, "intermediate_care", co.levers["intermediate_care"] + 0.5)
    reached = [h for h in m.hospitals if change.bed_days.get(h.index, 0.0) != 0]
    assert len(reached) > 1
    for h in reached:
        assert _electives_at(view, change, h) == pytest.approx(view.bed_effects(h, change.bed_days[h.index])[1], rel=1e-9)
