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


@pytest.fixture(scope="module")
def rationing():
    """teach-pbr at its first year end: a council on its own money, no pooled budget."""
    m = LocalHealthEconomy(load_scenario("teach-pbr").with_changes({"population.size": 20_000}), rng=2)
    m.run(12)
    return m


@pytest.mark.parametrize("pools", [False, True])
def test_the_forecast_of_a_tightening_counts_whom_the_councils_own_rule_would_make_eligible(rationing, pools, monkeypatch):
    """A council's eligibility is the higher of its rationing threshold and its criteria (Council.eligibility):
    with its rationing 0.015 above its starting criteria, a tightening of less than that moves no one, and
    the forecast says so; beyond it, those it counts. Checked against the rule itself at each level; a council
    holding a pooled budget, whose criteria start at the need threshold, as well."""
    co = rationing.councils[0]
    monkeypatch.setattr(co, "pools", pools)
    monkeypatch.setattr(co, "base_eligibility", co.start_eligibility + 0.015)
    monkeypatch.setitem(co.levers, "eligibility_tightening", -0.02)
    view = View(rationing)
    for x in (-0.04, -0.02, 0.0, 0.01, 0.02, 0.03):
        forecast = view.eligible_under(co, x)
        monkeypatch.setitem(co.levers, "eligibility_tightening", x)
        assert forecast == rationing.delivery.eligible_count(co), x
    monkeypatch.setitem(co.levers, "eligibility_tightening", -0.02)
    idle = view.change(co, "eligibility_tightening", 0.01)
    assert idle.costs.get(co.account, 0.0) == 0.0 and idle.duty.get(co.account, 0.0) == 0.0
    most = view.change(co, "eligibility_tightening", 0.03)
    if pools:  # its criteria start at the need threshold, 0.06 below: no tightening reaches its rationing
        assert most.costs.get(co.account, 0.0) == 0.0
    else:
        assert most.costs[co.account] < 0  # fewer packages
