"""The year-end forecasts (model.decisions) follow what the simulation does: who pays, in which unit, what
costs what and what changes the place's health. Each test names the mechanism it checks against; without it
(the forecast as it was) the test fails.

What a forecast's bed days do to a hospital's beds is judged on all the bed days the change brings to the
hospital together: bed days beyond the beds grow faster than the bed days, so pieces judged one by one, each
against last year's months alone, would understate the escalation a change brings."""

import numpy as np
import pytest
from lhe_runs import decision_time, journal_model

from model import LocalHealthEconomy, load_scenario
from model.decisions import (
    Change,
    View,
    _assessed_at_home,
    _bed_days,
    _delayed,
    _list_qalys,
    _over_the_beds,
    _reabled_admissions,
    _reablement_cuts,
    _settle_beds,
    _unmet_need,
    _wait_qalys,
)
from model.health import utility


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
    the spells of a contract's activity together, so the regimes price it as a readmission alone. Those the
    service keeps well leave without the readmission ratio, not without risk (model.delivery: their
    ``discharged_step`` is not set): one in the ratio of the readmissions spared still comes in the month after,
    as a first admission."""
    view = View(year_end)
    h = year_end.hospitals[0]
    change = view.change(h, "discharge_support", h.levers["discharge_support"] + 0.1)
    readmissions = _units(view, change, "emergency_readmission")
    assert readmissions < 0
    assert _units(view, change, "emergency_spell") == pytest.approx(
        -readmissions / year_end.params.demand.readmission_rate_ratio, rel=1e-9)


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
        electives = view.electives_done(h, electives)
        assert change.costs[h.account] == pytest.approx(_over_the_beds(view, h, over) + electives * view.cost_elective,
                                                        rel=1e-9, abs=1e-9)


def test_admissions_at_a_lower_threshold_cost_the_health_of_an_admission(year_end):
    """model.health.NetHealth.accrue takes an admission's month of health off every admission, those made at
    the margin too (model.economy spares them only the raised risk of death)."""
    view = View(year_end)
    h = year_end.hospitals[0]
    change = view.change(h, "admission_threshold", h.levers["admission_threshold"] * 1.05)
    t = view.tally
    extra = (t.emergency[h.index] - t.readmissions[h.index]) * 0.05
    again = _admissions(view, change) - extra  # the readmissions they bring (the test below)
    assert extra > 0 and again > 0
    electives = view.electives_done(h, view.bed_effects(h, change.bed_days[h.index])[1])
    assert view.health.marginal_admission < 0
    assert change.qalys == pytest.approx(extra * view.health.marginal_admission + again * view.health.admission
                                         + _wait_qalys(view, h, electives), rel=1e-9)


def test_admissions_at_a_lower_threshold_bring_readmissions_the_month_after(year_end):
    """model.delivery: everyone discharged carries the readmission ratio into the month after, those admitted
    at the margin too: the extra admissions bring readmissions as last year's discharges did, one in the ratio of
    which would have come anyway as a first admission."""
    view = View(year_end)
    t = view.tally
    h = year_end.hospitals[0]
    now = h.levers["admission_threshold"]
    change = view.change(h, "admission_threshold", now * 1.05)
    extra = (t.emergency[h.index] - t.readmissions[h.index]) * 0.05
    readmissions = extra * t.readmissions[h.index] / t.emergency[h.index]
    assert _units(view, change, "emergency_readmission") == pytest.approx(readmissions, rel=1e-9)
    assert _units(view, change, "emergency_spell") == pytest.approx(
        extra - readmissions / year_end.params.demand.readmission_rate_ratio, rel=1e-9)


def test_attendances_spilled_from_general_practice_are_admitted_as_any_attendances_are():
    """model.population.demand: unmet GP demand raises the risk of attending A&E before the admission is
    decided, so the spilled attenders are admitted as others are. With case management's effects at 0 its only
    effect on the hospitals is the routine contacts it takes."""
    m = decision_time({"programmes.case_management_effect": 0.0, "programmes.case_management_progression_effect": 0.0},
                      2, size=10_000, seed=1)
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


# --- attendances with admissions ------------------------------------------------------------------------------------
# Population.demand: the crisis effects, unmet need and a discharge the month before raise a person's risk of
# attending A&E, and a share of those attending, set by age, conditions and frailty, is admitted. An effect on a
# group's risk of attending moves its attendances with its admissions, at the group's attendances per admission
# (about 2 for people with two or more conditions, about 4 over everyone, at a hospital's year end).
def test_a_cut_in_crises_of_people_with_two_or_more_conditions_moves_their_attendances_per_admission():
    """In the simulation: outreach's effect at 0.6 against 0 (levers fixed, the collaborative hospital at full
    dose) moves attendances per admission avoided about as that group attends per admission, not as the
    hospital's attenders do."""
    years = {}
    for effect in (0.6, 0.0):
        m = journal_model({"decisions.enabled": False, "programmes.outreach_effect": effect}, 24, size=30_000, seed=3)
        years[effect] = m.delivery.last_year
    h = max(range(len(m.hospitals)), key=lambda i: m.hospitals[i].levers["outreach"])
    with_it, without = years[0.6], years[0.0]
    moved = (without.ae[h] - with_it.ae[h]) / (without.emergency[h] - with_it.emergency[h])
    group = with_it.ae_multi[h] / with_it.multi[h]
    everyone = with_it.ae[h] / with_it.emergency[h]
    assert everyone > 1.5 * group
    assert abs(moved - group) < abs(moved - everyone), (moved, group, everyone)


def _admissions(view: View, change: Change) -> float:
    return _units(view, change, "emergency_spell") + _units(view, change, "emergency_readmission")


def _per(view: View, change: Change) -> float:
    return _units(view, change, "ae_attendance") / _admissions(view, change)


@pytest.mark.parametrize("lever, step, unit, attendances, admissions", [
    # crises of people with two or more conditions
    ("outreach", 0.2, "emergency_spell", "ae_multi", "multi"),
    # readmissions: people discharged the month before
    ("discharge_support", 0.1, "emergency_readmission", "ae_readmit", "readmissions"),
])
def test_a_hospitals_programme_moves_the_attendances_of_the_group_it_reaches(year_end, lever, step, unit, attendances,
                                                                              admissions):
    view = View(year_end)
    t = view.tally
    h = year_end.hospitals[0]
    change = view.change(h, lever, h.levers[lever] + step)
    assert _units(view, change, unit) < 0
    group = getattr(t, attendances)[h.index] / getattr(t, admissions)[h.index]
    assert _per(view, change) == pytest.approx(group, rel=1e-9)
    assert group < 0.8 * t.ae[h.index] / t.emergency[h.index]  # not the hospital's attenders per admission


def test_case_management_moves_the_attendances_of_its_patients_with_two_or_more_conditions():
    """With no unmet routine demand spilling into A&E and its slowing of progression at 0, case management's only
    attendances are those of the crises it avoids."""
    m = decision_time({"demand.unmet_gp_demand_to_ae": 0.0, "programmes.case_management_progression_effect": 0.0},
                      2, size=10_000, seed=1)
    view = View(m)
    t = view.tally
    g = m.gp_federations[0]
    change = view.change(g, "case_management_share", g.levers["case_management_share"] + 0.1)
    assert _units(view, change, "emergency_spell") < 0
    assert _per(view, change) == pytest.approx(t.gp_ae_multi[g.index] / t.gp_multi[g.index], rel=1e-9)


def test_people_assessed_at_home_leave_without_the_readmissions_and_attendances_of_people_discharged(year_end):
    """Intermediate care that takes the assessed home leaves them supported, as a package does: the readmissions
    spared come with the attendances of people discharged the month before (their reablement taken apart)."""
    view = View(year_end)
    t = view.tally
    co, people = year_end.councils[0], 10.0
    change, reabled = Change(), Change()
    _assessed_at_home(view, change, co, people)
    _reabled_admissions(view, reabled, co, people, year_end.params.social_care.discharge_assessment_frailty)
    attendances = _units(view, change, "ae_attendance") - _units(view, reabled, "ae_attendance")
    assert attendances < 0
    # a frail person's admissions the month after leaving, first admissions at the base risk rather than
    # readmissions at the ratio
    assert _units(view, change, "emergency_readmission") == pytest.approx(
        -year_end.params.demand.readmission_rate_ratio * (_units(view, change, "emergency_spell")
                                                         - _units(view, reabled, "emergency_spell")), rel=1e-9)
    assert attendances / (_admissions(view, change) - _admissions(view, reabled)) == pytest.approx(
        t.ae_readmit.sum() / t.readmissions.sum(), rel=1e-9)


def test_unmet_care_need_brings_the_attendances_of_people_whose_need_is_unmet(year_end):
    view = View(year_end)
    t = view.tally
    co = next(co for co in year_end.councils if t.unmet_admissions[co.index] > 0)
    change = Change()
    _unmet_need(view, change, co, 10.0)
    assert _units(view, change, "emergency_spell") > 0
    assert _per(view, change) == pytest.approx(t.unmet_ae[co.index] / t.unmet_admissions[co.index], rel=1e-9)


def _expected_by_level(pop, alter) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each living person's expected attendances and admissions a year (Population.expected_year), before and
    after ``alter`` changes their state; and who they are."""
    before = pop.expected_year()
    alive = np.flatnonzero(pop.alive)
    alter(pop)
    after = pop.expected_year()
    return before, after, alive


def test_a_condition_avoided_counts_what_conditions_do_to_attending_and_to_being_admitted(year_end):
    """One more condition raises the attendance index and the share of those attending admitted (the admission
    index's rate ratios), and adds frailty for good (health.frailty_per_ltc), which raises both again: the
    prevention forecast's attendances and admissions per condition take all of it (first order, at the place's
    mean frailty; here against each person's own at the start, to within 8%: the steps fall with frailty, and
    the forecast reads a second year end's, without it they would be about a fifth lower)."""
    m = LocalHealthEconomy(load_scenario().with_changes({"population.size": 5_000}), rng=1)
    pop = m.population
    ltc = pop.ltc.copy()

    def one_more(p) -> None:
        gains = p.alive & (p.ltc < 3)
        p.ltc[gains] += 1
        p.frailty[gains] = np.minimum(p.frailty[gains] + np.float32(m.params.health.frailty_per_ltc), np.float32(1.0))

    before, after, alive = _expected_by_level(pop, one_more)
    steps = {"attendances": [], "admissions": []}
    for k in range(3):
        at = alive[(ltc[alive] == k) & (after["admissions"][alive] < 0.9 * after["attendances"][alive])]  # below the cap
        steps["attendances"].append(float(np.mean(after["attendances"][at] / before["attendances"][at])))
        steps["admissions"].append(float(np.mean(after["admissions"][at] / before["admissions"][at])))
    attend, admit = View(year_end).condition_steps
    assert attend == pytest.approx(np.mean(steps["attendances"]) - 1.0, rel=0.08)
    assert admit == pytest.approx(np.mean(steps["admissions"]) - 1.0, rel=0.08)


def test_a_year_with_one_more_condition_costs_the_frailty_it_adds_too(year_end):
    """model.health.utility: a person's utility falls with each condition and with frailty, and a condition adds
    health.frailty_per_ltc to frailty for good; the prevention forecast's person-year with one more condition is
    the mean over levels of both."""
    p, more = year_end.params.net_health, year_end.params.health.frailty_per_ltc
    steps = [float(utility(p, 70.0, k + 1, 0.2 + more) - utility(p, 70.0, k, 0.2)) for k in range(3)]
    assert View(year_end).health.condition_year == pytest.approx(np.mean(steps), rel=1e-9)


def test_the_year_counts_the_new_conditions_of_people_who_had_two_or_more():
    """What case management slows (Population.evolve: new conditions of people with 2+ already), by GP federation."""
    m = journal_model({}, 3, size=5_000, seed=2)
    pop = m.population
    ltc, alive, gp = pop.ltc.copy(), pop.alive.copy(), pop.gp.copy()
    counted = m.delivery.tally.gp_new_conditions_multi.copy()
    m.step()
    gained = alive & pop.alive & (ltc >= 2) & (pop.ltc == ltc + 1)
    added = m.delivery.tally.gp_new_conditions_multi - counted
    assert added.sum() > 0
    np.testing.assert_array_equal(added, np.bincount(gp[gained], minlength=len(m.gp_federations)))


def test_case_management_counts_the_slower_progression_of_its_patients():
    """Population.evolve: case management slows new conditions and the frailty gained with age of its patients
    with 2+ conditions (programmes.case_management_progression_effect). With its cut in crises and the routine
    demand it leaves unmet taken out (both at 0), its forecast still gains health and avoids attendances and
    admissions; with the progression effect at 0 too, nothing."""
    for progression, moves in ((None, True), (0.0, False)):
        changes = {"programmes.case_management_effect": 0.0, "demand.unmet_gp_demand_to_ae": 0.0}
        if progression is not None:
            changes["programmes.case_management_progression_effect"] = progression
        m = decision_time(changes, 2, size=10_000, seed=1)
        view = View(m)
        g = m.gp_federations[0]
        change = view.change(g, "case_management_share", g.levers["case_management_share"] + 0.1)
        if moves:
            assert change.qalys > 0
            assert _admissions(view, change) < 0 and _units(view, change, "ae_attendance") < 0
        else:
            assert change.qalys == 0 and _admissions(view, change) == 0


def test_reablement_cuts_attending_and_being_admitted_as_the_frailty_fall_does():
    m = LocalHealthEconomy(load_scenario().with_changes(
        {"population.size": 5_000, "social_care.intermediate_care_frailty_fall": 0.1}), rng=1)
    pop = m.population
    fall = m.params.social_care.intermediate_care_frailty_fall
    frailty = pop.frailty.copy()
    unmet = (frailty >= m.params.social_care.need_threshold) & ~pop.sc_met

    def reabled(p) -> None:
        p.frailty[p.alive & (p.frailty >= fall)] -= np.float32(fall)

    before, after, alive = _expected_by_level(pop, reabled)
    still = (pop.frailty >= m.params.social_care.need_threshold) & ~pop.sc_met
    at = alive[(frailty[alive] >= fall) & (unmet[alive] == still[alive]) & (before["admissions"][alive] < 0.9 * before["attendances"][alive])]
    assert at.size > 100
    cuts = np.array([_reablement_cuts(m.params, float(f)) for f in frailty[at]])
    np.testing.assert_allclose(1.0 - after["attendances"][at] / before["attendances"][at], cuts[:, 0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(1.0 - after["admissions"][at] / before["admissions"][at], cuts[:, 1], rtol=1e-4, atol=1e-6)


# --- electives: what there is to do ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def idle_capacity():
    """The baseline at its fourth year end (read only), and a hospital that can do more electives in a year like
    the last than there are to do (its list and a year's listing)."""
    m = journal_model({}, 48, size=20_000, seed=1)
    view = View(m)
    for h in m.hospitals:
        can = h.elective_capacity_now * 12 * m.params.demand.elective_day_case_share + view.inpatient_electives(h)
        if can > h.waiting_list + view.tally.listed[h.index]:
            return m, h
    pytest.fail("no hospital's capacity stands idle at this year end")


def test_where_capacity_stands_idle_one_more_listed_is_one_more_elective_done(idle_capacity):
    """model.delivery treats a hospital's list up to what it can do: where it can do more than there is to do,
    everyone listed is treated, so more referred is more electives done, paid and costed."""
    m, h = idle_capacity
    view = View(m)
    g = next(g for g in m.gp_federations if any(c.provider_org is h for c in view.acute if c.population_of is g.commissioner))
    change = view.change(g, "referral_shedding", g.levers["referral_shedding"] + 0.05)
    referred = _units(view, change, "outpatient_attendance", hospital=h)
    assert referred > 0
    assert _units(view, change, "elective_spell", hospital=h) == pytest.approx(referred * m.params.demand.listed_share, rel=1e-9)


def test_where_capacity_stands_idle_more_beds_do_no_more_electives(idle_capacity):
    m, h = idle_capacity
    view = View(m)
    change = view.change(h, "bed_change", m.params.capacity.bed_change_most)  # as many beds as it may add
    assert change.costs[h.account] != 0  # the beds' cost, the escalation they spare
    assert _units(view, change, "elective_spell", hospital=h) == 0


# --- bed days, taken together ------------------------------------------------------------------------------------------
def _straddling(view: View):
    """A hospital, and a number of bed days, where last year's months lie either side of its beds: the bed days
    beyond them grow faster than the bed days added."""
    for share in (0.02, 0.05, 0.1):
        for h in view.model.hospitals:
            piece = share * float(view.tally.bed_days_month[h.index].sum())
            one, _ = view.bed_effects(h, piece)
            two, _ = view.bed_effects(h, 2 * piece)
            if two > 2 * one + 1.0:
                return h, piece
    pytest.fail("no hospital's months lie either side of its beds at this year end")


def test_bed_days_over_the_beds_lengthen_frail_stays(year_end):
    """model.delivery: a month over its beds lengthens the hospital's frail stays the next month
    (capacity.strain_los_per_occupancy times the occupancy beyond 1): a bed day over the beds costs the premium
    and the longer stays it brings, which are over the beds too (with the strain at 0, the premium alone)."""
    view = View(year_end)
    h = year_end.hospitals[0]
    t = view.tally
    strain = year_end.params.capacity.strain_los_per_occupancy * t.frail_bed_days[h.index] / t.bed_days_month[h.index].sum()
    assert 0 < strain < 1
    longer = 100.0 * strain / (1 - strain)
    assert _over_the_beds(view, h, 100.0) == pytest.approx(
        (100.0 + longer) * view.escalation_cost(h) + longer * view.cost_bed_day, rel=1e-9)
    m = decision_time({"capacity.strain_los_per_occupancy": 0.0}, 2, size=5_000, seed=1)
    unstrained = View(m)
    h = m.hospitals[0]
    assert _over_the_beds(unstrained, h, 100.0) == pytest.approx(100.0 * unstrained.escalation_cost(h), rel=1e-9)


def test_two_pieces_at_one_hospital_are_judged_on_their_sum(year_end):
    view = View(year_end)
    h, piece = _straddling(view)
    change = Change()
    _bed_days(view, change, h, piece)
    _bed_days(view, change, h, piece)
    _settle_beds(view, change)
    over, electives = view.bed_effects(h, 2 * piece)
    electives = view.electives_done(h, electives)
    expected = 2 * piece * view.cost_bed_day + _over_the_beds(view, h, over) + electives * view.cost_elective
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
