"""The year-end forecasts (model.decisions) follow what the simulation does: who pays, in which unit, what
costs what and what changes the place's health. Each test names the mechanism it checks against; without it
(the forecast as it was) the test fails.

What a forecast's bed days do to a hospital's beds is judged on all the bed days the change brings to the
hospital together: bed days beyond the beds grow faster than the bed days, so pieces judged one by one, each
against last year's months alone, would understate the escalation a change brings."""

import pytest
from lhe_runs import decision_time, journal_model

from model.decisions import (
    Change,
    View,
    _bed_days,
    _delayed,
    _list_qalys,
    _settle_beds,
    _wait_qalys,
)


@pytest.fixture(scope="module")
def year_end():
    """The baseline at its second year end (read only)."""
    return journal_model({}, 24, size=20_000, seed=1)


def _units(view: View, change: Change, unit: str, hospital=None, population=None) -> float:
    return sum(n for (cid, u), n in change.units.items() if u == unit
               and (hospital is None or view.contract_by_id[cid].provider_org is hospital)
               and (population is None or view.contract_by_id[cid].population_of is population))


def test_the_continuing_healthcare_paid_is_at_the_share_the_commissioner_chose():
    """model.contracting.pay_month pays continuing healthcare at the commissioner's lever, which its forecast
    (_commissioner_chc), its plan and the harm its partners measure all read: two places alike but for the
    lever pay in its ratio the month after."""
    paid = {}
    for ratio in (0.6, 0.9):
        m = journal_model({}, 24, size=5_000, seed=2)
        cm = m.commissioners[0]
        cm.levers["chc_share_ratio"] = ratio
        m.step()
        paid[ratio] = cm.chc_in_year
    assert paid[0.9] > 0
    assert paid[0.6] / paid[0.9] == pytest.approx(0.6 / 0.9, rel=1e-3)


def test_readmissions_a_discharge_service_avoids_are_priced_as_readmissions(year_end):
    """An emergency spell is a first admission (regimes.base.UNITS); a readmission moves the readmissions and
    the spells of a contract's activity together, so the regimes price it as a readmission alone."""
    view = View(year_end)
    h = year_end.hospitals[0]
    change = view.change(h, "discharge_support", h.levers["discharge_support"] + 0.1)
    assert _units(view, change, "emergency_readmission") < 0
    assert _units(view, change, "emergency_spell") == 0


def test_a_delayed_day_costs_a_hospital_only_what_it_does_to_its_beds(year_end):
    """model.delivery.book_costs: a hospital's variable costs go with its spells; a delayed day costs it only
    as it takes a bed (escalation beyond its beds, electives crowded out)."""
    view = View(year_end)
    co = year_end.councils[0]
    change = Change()
    _delayed(view, change, co, -300.0)
    _settle_beds(view, change)
    reached = [h for h in year_end.hospitals if change.bed_days.get(h.index, 0.0) != 0]
    assert reached
    for h in reached:
        over, electives = view.bed_effects(h, change.bed_days[h.index])
        assert change.costs[h.account] == pytest.approx(over * view.escalation_cost(h) + electives * view.cost_elective,
                                                        rel=1e-9, abs=1e-9)


def test_admissions_at_a_lower_threshold_cost_the_health_of_an_admission(year_end):
    """model.health.NetHealth.accrue takes an admission's month of health off every admission, those made at
    the margin too (model.economy spares them only the raised risk of death)."""
    view = View(year_end)
    h = year_end.hospitals[0]
    change = view.change(h, "admission_threshold", h.levers["admission_threshold"] * 1.05)
    extra = _units(view, change, "emergency_spell")
    assert extra > 0
    _, electives = view.bed_effects(h, change.bed_days[h.index])
    assert view.health.marginal_admission < 0
    assert change.qalys == pytest.approx(extra * view.health.marginal_admission + _wait_qalys(view, h, electives), rel=1e-9)


def test_attendances_spilled_from_general_practice_are_admitted_as_any_attendances_are():
    """model.population.demand: unmet GP demand raises the risk of attending A&E before the admission is
    decided, so the spilled attenders are admitted as others are. With case management's effect at 0 its only
    effect on the hospitals is the routine contacts it takes."""
    m = decision_time({"programmes.case_management_effect": 0.0}, 2, size=10_000, seed=1)
    view = View(m)
    g = m.gp_federations[0]
    change = view.change(g, "case_management_share", g.levers["case_management_share"] + 0.1)
    attendances = _units(view, change, "ae_attendance")
    assert attendances > 0
    assert 0 < view.admissions_per_attendance < 1
    assert _units(view, change, "emergency_spell") == pytest.approx(attendances * view.admissions_per_attendance, rel=1e-9)


def test_contacts_freed_by_shedding_referrals_meet_demand_that_would_have_gone_to_a_and_e():
    """model.effects: a referral shed frees the practice's contacts (its capacity grows), so fewer of its
    patients' unmet contacts spill into A&E."""
    m = decision_time({}, 2, size=10_000, seed=1)
    view = View(m)
    g = next((g for g in m.gp_federations if g.quality_year[1] > g.quality_year[0]), None)  # demand it left unmet
    assert g is not None, "no federation left demand unmet last year"
    change = view.change(g, "referral_shedding", g.levers["referral_shedding"] + 0.05)
    attendances = _units(view, change, "ae_attendance")
    assert attendances < 0
    assert _units(view, change, "emergency_spell") == pytest.approx(attendances * view.admissions_per_attendance, rel=1e-9)


def test_outreach_that_cuts_referrals_shortens_the_waits_on_its_list(year_end):
    """model.delivery: a share of referrals join the waiting list (demand.listed_share), so fewer referred is
    fewer waiting (as _gp_referral_shedding counts more referred)."""
    view = View(year_end)
    listed_share = year_end.params.demand.listed_share
    h = next((h for h in year_end.hospitals if _list_qalys(view, -10.0, h) > 0), None)
    assert h is not None, "no hospital's list waits beyond 18 weeks at this year end"
    change = view.change(h, "outreach", h.levers["outreach"] + 0.2)
    referrals = _units(view, change, "outpatient_attendance")
    assert referrals < 0
    admissions, electives = _units(view, change, "emergency_spell"), _units(view, change, "elective_spell")
    expected = (admissions * view.health.admission + _wait_qalys(view, h, electives)
                + _list_qalys(view, referrals * listed_share, h))
    assert change.qalys == pytest.approx(expected, rel=1e-9)


def test_community_services_a_commissioner_buys_cut_the_admissions_of_every_population_at_the_hospital(year_end):
    """model.population.demand: a hospital's community dose lowers the admission of every frail attender there,
    whichever commissioner's population they are in: money one commissioner adds cuts the others' too."""
    m = year_end
    view = View(m)
    shared = [h for h in m.hospitals if h.community_base_value and len(
        {c.population_of for c in view.acute_contracts(h) if c.last_year_activity and c.last_year_activity.emergency_spells}) > 1]
    assert shared
    for cm in m.commissioners:
        change = view.change(cm, "community_investment", cm.levers["community_investment"] + 0.1)
        for h in shared:
            # the other populations it admitted last year
            others = {c.population_of for c in view.acute_contracts(h)
                      if c.last_year_activity is not None and c.last_year_activity.emergency_spells > 0} - {cm}
            if _units(view, change, "emergency_spell", hospital=h, population=cm) < 0:
                assert all(_units(view, change, "emergency_spell", hospital=h, population=o) < 0 for o in others)
                return
    pytest.fail("no commissioner's community money reaches a hospital another population uses")


# --- bed days, taken together ------------------------------------------------------------------------------------------
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
    assert _units(view, change, "elective_spell", hospital=h) == pytest.approx(electives, rel=1e-12)
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
        assert _units(view, change, "elective_spell", hospital=h) == pytest.approx(view.bed_effects(h, change.bed_days[h.index])[1], rel=1e-9)
