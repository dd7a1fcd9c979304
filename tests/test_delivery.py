"""Delivery (model.delivery): the waiting list, beds and social care packages, checked by hand."""

import numpy as np
import pytest
from lhe_runs import journal_model

from model.delivery import LONG_WAIT_BIN, WAIT_BINS
from model.population import MONTH_DAYS


def place(changes: dict | None = None, steps: int = 0):
    return journal_model(changes or {}, steps, size=3_000, seed=7)


def test_the_longest_waits_are_treated_first_shared_by_largest_remainder():
    d = place().delivery
    d.waiting[:] = 0
    # hospital 0: two commissioners wait 5 and 3 people at 10 months, 4 and 4 at 2 months
    d.waiting[0, 0, 10], d.waiting[1, 0, 10] = 5, 3
    d.waiting[0, 0, 2], d.waiting[1, 0, 2] = 4, 4
    done = d._treat_longest_waiting(0, 11)
    # all 8 of the longest waits, then 3 of the 8 at 2 months: 3*4/8 = 1.5 each, the remainder to the first
    assert done.tolist() == [5 + 2, 3 + 1]
    assert d.waiting[:, 0, 10].tolist() == [0, 0] and d.waiting[:, 0, 2].tolist() == [2, 3]


def test_who_is_among_whom_is_np_isins_answer_and_leaves_the_mask_clear():
    """Delivery._among marks people on a mask of the population's slots in place of np.isin: the same answer
    for indices (repeats, empty sets, the last slot), the mask clear after each question, and a mask as
    large as the population after it grows into new slots."""
    d = place().delivery
    cap = d.model.population.capacity
    rng = np.random.default_rng(3)
    cases = [(rng.integers(0, cap, rng.integers(0, 300)), rng.integers(0, cap, rng.integers(0, 300))) for _ in range(50)]
    cases += [(np.arange(cap - 5, cap), np.array([cap - 1, cap - 1, 0])), (np.arange(10), np.zeros(0, dtype=np.int64))]
    for people, others in cases:
        assert np.array_equal(d._among(people, others), np.isin(people, others))
        assert not d._mark.any()
    d.model.population.capacity += 7  # as Population._grow leaves it
    assert np.array_equal(d._among(np.array([cap + 6, 1]), np.array([cap + 6])), [True, False])
    assert d._mark.size == cap + 7 and not d._mark.any()


@pytest.mark.parametrize(("lead", "treated"), [(1, 3), (0, 3 + 10)])
def test_nobody_is_treated_before_the_lead_time(lead, treated):
    """Those listed this month (0 months waited) wait out ``demand.elective_lead_months`` first: with a
    month's lead only the 3 who have waited a month are treated, capacity to spare; with none all 13."""
    d = place({"demand.elective_lead_months": lead}).delivery
    d.waiting[:] = 0
    d.waiting[0, 0, 0], d.waiting[0, 0, 1] = 10, 3
    assert d._treat_longest_waiting(0, 20).sum() == treated


def test_the_list_ages_a_month_and_the_longest_waits_stay_in_the_last_bin():
    d = place().delivery
    d.waiting[:] = 0
    d.waiting[0, 0, 0], d.waiting[0, 0, WAIT_BINS - 2], d.waiting[0, 0, WAIT_BINS - 1] = 7, 2, 5
    aged = d._age_waiting()
    assert aged[0, 0, 0] == 7  # now in bin 1 (aged[..., k] is bin k + 1)
    assert aged[0, 0, -1] == 2 + 5


def test_the_share_waiting_over_18_weeks_counts_the_bins_from_four_months():
    m = place()
    d = m.delivery
    d.waiting[:] = 0
    d.waiting[0, 0, LONG_WAIT_BIN - 1], d.waiting[0, 1, LONG_WAIT_BIN] = 3, 1
    outcomes = d.year_outcomes()[m.commissioners[0].account]
    assert outcomes["waiting_over_18_weeks_share"] == pytest.approx(1 / 4)


def frail_without_package(m, council, k):
    """``k`` residents of ``council`` with no package, made frail enough to be eligible."""
    pop = m.population
    idx = np.flatnonzero(pop.alive & ~pop.sc_met & ~pop.delayed & (pop.council == council.index))[:k]
    pop.frailty[idx] = 0.99
    assert idx.size == k and (pop.frailty[idx] >= council.eligibility).all()
    return idx


def test_with_no_free_package_everyone_eligible_leaving_hospital_waits_in_a_bed():
    m = place({"social_care.delay_exit_per_month": 0.0})
    pop = m.population
    for co in m.councils:
        co.packages = int(np.count_nonzero(pop.sc_met & pop.alive & (pop.council == co.index)))  # no free package
    candidates = np.concatenate([frail_without_package(m, co, 3) for co in m.councils])
    others = np.flatnonzero(pop.alive & ~pop.sc_met & ~pop.delayed & (pop.frailty < 0.01))[:3]
    assert others.size == 3
    days = m.delivery.allocate_social_care(np.concatenate([candidates, others]), np.zeros(len(m.hospitals)))
    assert pop.delayed[candidates].all() and not pop.delayed[others].any()
    # a new delay counts half a month in the bed
    assert days.sum() == pytest.approx(candidates.size * MONTH_DAYS / 2)


def test_a_council_that_keeps_capacity_for_discharge_places_people_from_hospital_first():
    m = place({"social_care.delay_exit_per_month": 0.0})
    pop = m.population
    for c in m.councils:
        c.packages = int(np.count_nonzero(pop.sc_met & pop.alive & (pop.council == c.index)))
    co = m.councils[0]
    in_use = co.packages
    leaving = frail_without_package(m, co, 4)
    waiting_at_home = np.setdiff1d(frail_without_package(m, co, 10), leaving)
    co.packages = in_use + 4  # exactly four free packages, six people eligible at home
    for strategy in ("fortress", "collaborative"):
        getattr(m.params.strategies.council, strategy).discharge_priority = 1.0
    m.delivery.allocate_social_care(leaving, np.zeros(len(m.hospitals)))
    assert pop.sc_met[leaving].all() and not pop.delayed[leaving].any()
    assert not pop.sc_met[waiting_at_home].any()
    assert co.packages_in_use == in_use + 4


@pytest.mark.parametrize("days", [0.0, 3.0])
def test_people_assessed_on_leaving_wait_the_assessments_days_in_their_bed(days):
    """Of those leaving without a package at frailty 0.2 or more (social_care.discharge_assessment_frailty):
    the eligible with no package free stay delayed (half a month each, as any new delay); the assessed
    below eligibility go home after ``days`` in their bed, which their hospital and council count as
    delayed days; those below 0.2 go at once. At 0 days the assessed are counted and nothing else moves."""
    m = place({"social_care.delay_exit_per_month": 0.0, "social_care.discharge_assessment_frailty": 0.2,
               "social_care.discharge_assessment_days": days})
    pop = m.population
    d = m.delivery
    for co in m.councils:
        co.packages = int(np.count_nonzero(pop.sc_met & pop.alive & (pop.council == co.index)))  # no free package
    eligible = np.concatenate([frail_without_package(m, co, 3) for co in m.councils])
    free = np.flatnonzero(pop.alive & ~pop.sc_met & ~pop.delayed & (pop.frailty < 0.01))
    assessed, at_once = free[:4], free[4:7]
    pop.frailty[assessed] = 0.25
    assert all(0.25 < co.eligibility for co in m.councils)
    bed_days = d.allocate_social_care(np.concatenate([eligible, assessed, at_once]), np.zeros(len(m.hospitals)))
    assert pop.delayed[eligible].all() and not pop.delayed[assessed].any() and not pop.delayed[at_once].any()
    assert d.assessed_on_discharge == eligible.size + assessed.size
    assert sorted(d.waited_for_assessment.tolist()) == (sorted(assessed.tolist()) if days else [])
    assert bed_days.sum() == pytest.approx(eligible.size * MONTH_DAYS / 2 + assessed.size * days)
    expected = np.bincount(pop.hospital[eligible], minlength=len(m.hospitals)) * MONTH_DAYS / 2 \
        + np.bincount(pop.hospital[assessed], minlength=len(m.hospitals)) * days
    assert bed_days == pytest.approx(expected)
    # what the month's tally adds to each council's delayed days beside its residents delayed now (Delivery._count)
    waited = np.bincount(pop.council[assessed], minlength=len(m.councils)) * days
    assert d._assessment_days_by_council == pytest.approx(waited)


def test_the_months_variable_costs_are_the_tariffs_share_of_the_activity():
    m = place()
    m.ledger.start_period(0)
    s = m.params
    nc, nh = len(m.commissioners), len(m.hospitals)
    electives, ae, outpatients = (np.zeros((nc, nh), dtype=np.int64) for _ in range(3))
    electives[0, 0], electives[1, 0], ae[0, 0], outpatients[1, 0] = 6, 4, 5, 3
    bed_days = np.zeros(nh)
    bed_days[0] = 2 * s.demand.emergency_los_days  # two average emergency stays
    for h in m.hospitals:
        h.bed_days = 0.0
    m.delivery.book_costs({"electives": electives, "ae": ae, "outpatients": outpatients, "emergency_bed_days": bed_days})
    supplies = {t.payer: t.pence for _, t in m.ledger.journal if t.kind == "clinical_supplies"}
    t = s.tariff
    expected = (10 * t.elective_spell + 2 * t.emergency_spell + 5 * t.ae_attendance + 3 * t.outpatient_attendance) * t.variable_cost_share
    assert supplies[m.hospitals[0].account] == round(expected * 100)
    assert all(supplies.get(h.account, 0) == 0 for h in m.hospitals[1:])


def test_a_year_ends_occupancy_is_its_bed_days_over_the_beds_the_month_ran_with():
    """At a year end the hospitals change their beds (their ``bed_change`` lever) after the month is
    delivered: the month's occupancy divides its bed days by the beds it had, not those of the year
    ahead (the place's and each hospital's alike)."""
    m = journal_model({}, 11, size=20_000, seed=7)
    beds_before = [h.beds for h in m.hospitals]
    for h in m.hospitals:
        h.levers["bed_change"] = -0.06  # so the year end surely changes them: held, as a player holds them
        h.levers_held_at = 12
    m.step()
    assert [h.beds for h in m.hospitals] != beds_before  # the decisions moved them
    bed_days = sum(h.bed_days for h in m.hospitals)
    assert m.report["bed_occupancy"] == pytest.approx(bed_days / (sum(beds_before) * MONTH_DAYS), rel=1e-12)
    for h, beds in zip(m.hospitals, beds_before, strict=True):
        assert h.occupancy == pytest.approx(h.bed_days / (beds * MONTH_DAYS), rel=1e-12)
    assert m.report["beds"] == sum(h.beds for h in m.hospitals)  # the stock at the month's end


@pytest.mark.parametrize(("older_age", "share"), [(0.0, 1.0), (200.0, 0.0)])
def test_older_peoples_emergency_bed_days_count_their_stays_and_delays(monkeypatch, older_age, share):
    """The place table's emergency bed days are the month's bed days less the elective inpatients', and the
    share of them counted as older people's follows the age it counts from: all of them from age 0, none from
    200 (each month of two years, so with delays in the beds)."""
    monkeypatch.setattr("model.delivery.OLDER_AGE", older_age)
    m = place(steps=24)
    p = m.place_table()
    assert p.delayed_transfer_days.sum() > 0
    assert (p.emergency_bed_days <= p.bed_days + 1e-6).all() and (p.emergency_bed_days > 0).all()
    assert np.allclose(p.emergency_bed_days_65plus, share * p.emergency_bed_days)
    assert np.array_equal(p.emergency_admissions_65plus, (share * p.emergency_admissions).round().astype(int))


def test_older_peoples_share_of_emergency_bed_days_lies_between_none_and_all():
    """At the real age, some of the month's emergency bed days and admissions are older people's and some not,
    and their rate a year per 1,000 of them is their bed days over the living of that age."""
    p = place(steps=12).place_table()
    assert (0 < p.emergency_bed_days_65plus.sum() < p.emergency_bed_days.sum())
    assert (0 < p.emergency_admissions_65plus.sum() < p.emergency_admissions.sum())
    assert np.allclose(p.emergency_bed_days_65plus_per_1000, p.emergency_bed_days_65plus * 12_000 / p.population_65plus)
