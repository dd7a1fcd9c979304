"""Money flows between organisations, checked against the figures that set them."""

import numpy as np
import pytest

from model import LocalHealthEconomy, load_scenario


@pytest.fixture(scope="module")
def pooled_year():
    s = load_scenario().with_changes({
        "population.size": 5_000, "run.steps": 12,
        "commissioners.0.strategy": "collaborative", "commissioners.1.strategy": "collaborative",
        "councils.0.strategy": "collaborative", "councils.1.strategy": "collaborative",
    })
    m = LocalHealthEconomy(s, rng=3)
    m.ledger.keep_journal = True
    m.run()
    return m


def test_a_commissioner_pools_its_share_of_its_allocation_across_the_councils_of_its_population(pooled_year):
    m = pooled_year
    share = m.params.strategies.commissioner.collaborative.pooled_share
    for cm in m.commissioners:
        pooled = sum(t.pence for _, t in m.ledger.journal if t.kind == "pooled_budget" and t.payer == cm.account) / 100
        assert pooled == pytest.approx(cm.allocation * share, rel=1e-6), cm.name


def test_each_council_receives_pooled_money_in_proportion_to_its_residents_of_each_commissioner(pooled_year):
    m = pooled_year
    pop = m.population
    for cm in m.commissioners:
        mine = pop.alive & (pop.geo.gp_commissioner[pop.gp] == cm.index)
        got = {co.index: sum(t.pence for _, t in m.ledger.journal if t.kind == "pooled_budget"
                             and t.payer == cm.account and t.payee == co.account) for co in m.councils}
        total = sum(got.values())
        for co in m.councils:
            living_there = (mine & (pop.council == co.index)).sum() / mine.sum()
            # the split was fixed at the start; people moving and dying since shift it a little
            assert got[co.index] / total == pytest.approx(living_there, abs=0.02)



def care_cost(m: LocalHealthEconomy, cm, steps: range) -> float:
    """What the commissioner's modelled care cost it over ``steps``, net, from the journal."""
    own = ("running_costs", "other_services", "pooled_budget")  # its own spending, and pooling it plans afresh
    paid = sum(t.pence for step, t in m.ledger.journal if step in steps and t.payer == cm.account and t.kind not in own)
    back = sum(t.pence for step, t in m.ledger.journal if step in steps and t.payee == cm.account and t.kind != "nhs_allocation")
    return (paid - back) / 100


@pytest.fixture(scope="module")
def planned():
    """The baseline (5,000 people) after its first year, planned; and the same with the headroom banked.
    (Levers as their bundles set them: the plan's arithmetic with a commissioner's commitments as its
    strategy makes them, never below what it spent.)"""
    from lhe_runs import journal_model

    return {share: journal_model({"money.commissioner_headroom_spent": share, "decisions.enabled": False}, 12, size=5_000, seed=5)
            for share in (1.0, 0.0)}


def test_a_commissioner_plans_on_last_years_care_at_next_years_prices(planned):
    m = planned[1.0]
    money = m.params.money
    for cm in m.commissioners:
        assert cm.care_cost_last_year == pytest.approx(care_cost(m, cm, range(12)), abs=0.5)  # float sums of pence
        # the headroom: next year's allocation less the planned surplus and running costs, less
        # last year's care at next year's prices and what its policy commits on top
        budget = cm.allocation * (1 + money.allocation_growth) * (1 - money.commissioner_planned_surplus) - cm.running_costs
        at_new_prices = cm.care_cost_last_year * (1 + money.cost_growth) * (1 - money.efficiency_requirement)
        assert 0 < cm.other_services <= budget - at_new_prices, cm.name
        if cm.strategy == "collaborative":  # it commits community investment and pooling on top
            assert cm.other_services < budget - at_new_prices, cm.name
        assert planned[0.0].organisation(cm.name).other_services == 0.0


def test_a_commissioner_that_spends_its_headroom_ends_the_next_year_near_its_planned_surplus():
    """Its second year, levers held, over seeds 1-6 of 20,000 people: with the headroom spent the
    commissioners' margins are, on the mean, within two points of the planned surplus (each year's care
    costs more than the plan's forecast from the last, by chance and by demand's growth: over seeds 1-10
    and 1001-1010 the margins spread -1.5% to +2.1% about a mean of -0.2%, against the plan's 1%; at
    5,000 people, as this test once ran on one seed, -2.7% to +4.6%); with it banked each ends the year
    higher by exactly what the plan put into services outside the model (the same patients either way)."""
    from lhe_runs import journal_model

    margins, headroom = [], []
    for seed in range(1, 7):
        ms = {share: journal_model({"money.commissioner_headroom_spent": share, "decisions.enabled": False}, 12,
                                   size=20_000, seed=seed) for share in (1.0, 0.0)}
        plan = {cm.name: cm.other_services for cm in ms[1.0].commissioners}  # the first year end's plan
        for m in ms.values():
            for _ in range(12):
                m.step()
        for spent, banked in zip(ms[1.0].commissioners, ms[0.0].commissioners, strict=True):
            headroom.append(plan[spent.name])  # none where the plan finds none
            assert banked.last_result - spent.last_result == pytest.approx(plan[spent.name], abs=1.0), (seed, spent.name)
            margins.append(spent.last_result / spent.last_income)
    assert sum(h > 0 for h in headroom) >= len(headroom) / 2, headroom
    surplus = ms[1.0].params.money.commissioner_planned_surplus
    assert abs(np.mean(margins) - surplus) < 0.02, margins
