"""What a council's levers are forecast to cost: the pounds a package moves are counted once."""

import pytest

from model import LocalHealthEconomy, load_scenario
from model.decisions import Change, View, _packages, own_money


@pytest.fixture(scope="module")
def pooled():
    """A year of teach-pooled, small: a council holding a pooled budget, at its first year end."""
    m = LocalHealthEconomy(load_scenario("teach-pooled").with_changes({"population.size": 5_000}), rng=3)
    m.run(11)
    m.step()  # the twelfth month: the year end has been planned on, and the tally closed
    return m


def test_a_care_package_costs_the_place_a_package_year_split_between_council_and_nhs(pooled):
    view = View(pooled)
    co = pooled.councils[0]
    change = Change()
    _packages(view, change, co, 1.0)
    care = change.costs[co.account] + sum(change.costs[cm.account] for cm in pooled.commissioners)
    assert care == pytest.approx(view.package_year)
    assert 0 < sum(change.costs[cm.account] for cm in pooled.commissioners) < change.costs[co.account]


def test_withdrawing_pooled_money_saves_the_council_the_packages_it_no_longer_buys_and_no_more(pooled):
    view = View(pooled)
    co = pooled.councils[0]
    co.pooled_in_year = 1e6  # as at the year end, before its plan starts the next year's count
    change = view.change(co, "pooled_substitution", co.levers["pooled_substitution"] + 0.25)
    saved = -change.costs[co.account]
    assert saved > 0
    # the pot's money comes in whatever the council does with it: no transfer to count beside the saving
    assert change.transfers.get(co.account, 0.0) == 0.0
    assert own_money(view, co, change) == pytest.approx(saved * (1 - view.shared_cost(co)))
