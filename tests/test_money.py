"""Money flows between organisations, checked against the figures that set them."""

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
