"""A council's statutory duty to meet eligible need (Care Act 2014; ``decisions.care_duty_weight``).

The duty counts an eligible need a council leaves unmet against it at what meeting it would cost, so
a council saves nothing by leaving it unmet: not by tightening its eligibility, nor by withdrawing
NHS money from care, nor, if it balances its books, by paying for prevention out of its packages.
Care it gives beyond the criteria it started with is a choice, not the duty. The ablation is the
weight at 0, where a council's levers weigh only money and health."""

import numpy as np
import pytest
from pattern_settings import holds

from model import LocalHealthEconomy, load_scenario
from model.decisions import View, objective


@pytest.fixture(scope="module")
def year_end():
    """teach-pbr at its first year end: one collaborative council that does not hold a pooled budget."""
    m = LocalHealthEconomy(load_scenario("teach-pbr").with_changes({"population.size": 20_000}), rng=2)
    m.run(12)
    return m


def test_tightening_eligibility_leaves_eligible_need_unmet_and_the_duty_counts_it(year_end, monkeypatch):
    co = year_end.councils[0]
    monkeypatch.setitem(co.levers, "eligibility_tightening", 0.0)  # at its starting criteria, where a tightening binds
    view = View(year_end)
    tighter = view.change(co, "eligibility_tightening", 0.02)
    saved = -tighter.costs[co.account]
    assert saved > 0
    # the packages no longer funded were for people who met its starting criteria: all of them count
    assert tighter.duty[co.account] < 0
    assert -tighter.duty[co.account] >= saved  # the packages' whole cost (the NHS pays back a share of it)


def test_care_beyond_its_starting_criteria_is_no_part_of_the_duty(year_end, monkeypatch):
    """Held to national criteria a council can go below them (rationing to its packages, it cannot: its
    threshold is where its packages put it, see Council.eligibility_with)."""
    co = year_end.councils[0]
    monkeypatch.setitem(co.levers, "eligibility_tightening", 0.0)
    monkeypatch.setattr(co, "packages", 10 ** 6)  # funds whoever it counts eligible
    monkeypatch.setattr(year_end.params.social_care, "national_eligibility", True)
    view = View(year_end)
    looser = view.change(co, "eligibility_tightening", -0.02)
    assert looser.costs[co.account] > 0  # more packages, for people below its starting threshold
    assert looser.duty.get(co.account, 0.0) == 0.0


def test_the_duty_weighs_against_tightening_in_a_councils_objective(year_end, monkeypatch):
    co = year_end.councils[0]
    monkeypatch.setitem(co.levers, "eligibility_tightening", 0.0)
    view = View(year_end)
    tighter = view.change(co, "eligibility_tightening", 0.02)
    d = year_end.params.decisions
    weight = d.care_duty_weight
    with_duty = objective(view, co, tighter)
    monkeypatch.setattr(d, "care_duty_weight", 0.0)
    without = objective(view, co, tighter)
    assert with_duty - without == pytest.approx(weight * tighter.duty[co.account])
    assert with_duty < without


def _council_years(duty: float, seed: int, unmet_need: float) -> tuple[float, float]:
    """teach-pbr's council over five years: its mean eligibility tightening and its mean packages funded but
    idle at the year ends."""
    s = load_scenario("teach-pbr").with_changes({"decisions.care_duty_weight": duty,
                                                 "net_health.unmet_need_decrement": unmet_need})
    m = LocalHealthEconomy(s, rng=seed)
    tightening, idle = [], []
    for month in range(1, s.run.steps + 1):
        m.step()
        if month % 12 == 0:
            co = m.councils[0]
            tightening.append(co.lever("eligibility_tightening"))
            idle.append(max(co.packages - co.packages_in_use, 0))
    return float(np.mean(tightening)), float(np.mean(idle))


# unmet need valued low: a package-year (£18,000) buys 0.05 of a QALY, £1,000 at the threshold, less than the
# NHS's share of its cost (social_care.nhs_funded_share 0.08, £1,440) that rationing saves the place when the
# council's own pounds count for nothing; at the scenarios' value (about 0.27, Longo et al. 2023) it buys
# £5,400, more than that share, and rationing gains such a council little. The duty is tested where it pays.
CHEAP_NEED = 0.05


@pytest.mark.slow
def test_a_council_bound_by_its_duty_does_not_ration_care_it_has_paid_for():
    """The teaching place's collaborative council, whose pounds count only while its reserves are forecast
    below zero, where unmet need is valued low (CHEAP_NEED): without the duty it
    tightens eligibility (the NHS's share of the packages saved is worth more to the place than the health
    they buy) and leaves packages it funds idle; with it, it tightens less in every seed of 1-12, by at
    least the lever's step (0.01) in at least three seeds in four (in all twelve; in seed 8, the closest, the
    council without the duty tightens 0.010 on the mean of its years, against -0.014 with it), and
    leaves fewer packages idle on the mean over them (under half) and in at least three
    seeds in four, by a one-sided signed-rank test at 1% (the patterns' criterion). How many stand idle
    without the duty varies widely (8 to 129 in seeds 1-12 and 1001-1012, against 9 to 32 with it), so it
    is judged over the seeds: seed by seed it fails in 8, 1001 and 1009. Ablation: the weight at 0. At the
    scenarios' value a council without the duty rations little (mean tightening -0.004, 0.004 and 0.000 in
    seeds 1-3, against 0.024, 0.016 and 0.018 at CHEAP_NEED)."""
    idle, tight = [], []
    for seed in range(1, 13):
        bound_tight, bound_idle = _council_years(1.0, seed, CHEAP_NEED)
        free_tight, free_idle = _council_years(0.0, seed, CHEAP_NEED)
        tight.append((bound_tight, free_tight))
        idle.append((bound_idle, free_idle))
    bound_tight, free_tight = np.array(tight).T
    assert (bound_tight < free_tight).all(), tight
    assert (bound_tight < free_tight - 0.01).sum() >= 0.75 * len(tight), tight
    bound, free = np.array(idle).T
    fewer = free - bound
    assert bound.mean() < 0.5 * free.mean(), idle
    assert holds(fewer), idle


def test_a_council_that_balances_its_books_pays_for_prevention_out_of_its_packages(year_end, monkeypatch):
    """What a council spends on prevention comes out of its money before packages (Council.plan_year): one
    that does not balance its books spends its reserves and keeps its packages; one that does funds fewer
    packages, for people its duty covers, and its forecast says so. It budgets the lever in full, though it
    spends only what is in post."""
    co = year_end.councils[0]
    more = co.levers["prevention_ratio"] + 0.1
    monkeypatch.setattr(co.behaviour, "balances_books", False)
    spends = View(year_end).change(co, "prevention_ratio", more)
    monkeypatch.setattr(co.behaviour, "balances_books", True)
    balances = View(year_end).change(co, "prevention_ratio", more)
    gross = spends.costs[co.account]
    budgeted = co.base_prevention * year_end.prices.council_index * 0.1
    assert 0 < gross < budgeted
    assert spends.duty.get(co.account, 0.0) == 0.0
    assert balances.duty[co.account] == pytest.approx(-budgeted, rel=1e-6)  # the packages it no longer affords
    assert balances.costs[co.account] < gross
