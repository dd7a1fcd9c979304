"""Sizing the place at the start (model.sizing): capacity, money and the first contracts, checked
against the figures that set them."""

import pytest

from model import LocalHealthEconomy, load_scenario


@pytest.fixture(scope="module")
def place():
    return LocalHealthEconomy(load_scenario().with_changes({"population.size": 6_000}), rng=5)


def test_a_hospitals_costs_at_the_start_are_its_expected_income_plus_the_overrun(place):
    s = place.params
    for h in place.hospitals:
        income = sum(c.basis.annual_value for c in place.contracts if c.provider_org is h and c.scope == "acute")
        fixed = 12 * (h.overhead_month + h.beds * h.cost_per_bed_month)
        variable = s.tariff.variable_cost_share * income
        capacity = 12 * h.elective_capacity_cost_month()
        assert fixed + variable + capacity == pytest.approx(income * (1 + h.starting_overrun))
        assert h.beds == round(s.capacity.beds_per_1000 * h.catchment / 1000)


def test_hospitals_start_from_different_financial_positions_about_the_mean_overrun():
    s = load_scenario().with_changes({"population.size": 6_000, "hospitals.0.share": 0.25, "hospitals.1.share": 0.25,
                                      "hospitals.2.share": 0.5})
    overruns = [h.starting_overrun for h in LocalHealthEconomy(s, rng=5).hospitals]
    assert len(set(overruns)) == 3
    same = LocalHealthEconomy(s.with_changes({"money.starting_cost_overrun_spread": 0.0}), rng=5).hospitals
    assert [h.starting_overrun for h in same] == [s.money.starting_cost_overrun] * 3
    many = [h.starting_overrun for seed in range(40) for h in LocalHealthEconomy(
        s.with_changes({"population.size": 500}), rng=seed).hospitals]
    assert abs(sum(many) / len(many) - s.money.starting_cost_overrun) < 0.01
    assert min(many) < 0 < max(many)  # some start in surplus


def test_the_allocation_pays_the_contracts_running_costs_and_the_planned_surplus(place):
    s = place.params
    for cm in place.commissioners:
        contracts = sum(c.basis.annual_value for c in place.contracts if c.payer_org is cm)
        # continuing healthcare: the NHS-funded share of the packages of its population in each council
        chc = sum(co.packages * s.social_care.package_cost_per_month * 12 * s.social_care.nhs_funded_share
                  * place.catchments.commissioner_council_share[cm.index, co.index] for co in place.councils)
        spend = (contracts + chc) / (1 - s.money.commissioner_running_cost_share)
        assert cm.allocation == pytest.approx(spend / (1 - s.money.commissioner_planned_surplus))
        assert cm.running_costs == pytest.approx(cm.allocation * s.money.commissioner_running_cost_share)


def test_a_councils_money_pays_its_share_of_care_and_its_prevention(place):
    s = place.params
    for co in place.councils:
        care = co.packages * s.social_care.package_cost_per_month * 12 * (1 - s.social_care.nhs_funded_share)
        assert co.grant == pytest.approx(care + co.base_prevention)
        assert co.base_prevention / co.grant == pytest.approx(s.money.prevention_share_of_council)


def test_every_organisation_opens_with_the_reserves_the_scenario_sets(place):
    months = place.params.money.opening_reserves_months
    for cm in place.commissioners:
        assert place.ledger.balance(cm.account) == round(cm.allocation * months / 12 * 100)
    for co in place.councils:
        assert place.ledger.balance(co.account) == round(co.grant * months / 12 * 100)
    for o in place.organisations:
        assert o.reserves == place.ledger.balance(o.account) / 100


def test_every_strategy_mix_gets_the_same_place_and_money():
    def place(name: str) -> LocalHealthEconomy:
        return LocalHealthEconomy(load_scenario(name).with_changes({"population.size": 5_000}), rng=2)

    fortress, collaborative = place("all-fortress"), place("all-collaborative")
    for a, b in zip(fortress.commissioners, collaborative.commissioners, strict=True):
        assert a.allocation == b.allocation
    for a, b in zip(fortress.hospitals, collaborative.hospitals, strict=True):
        assert (a.beds, a.elective_capacity) == (b.beds, b.elective_capacity)
    for a, b in zip(fortress.councils, collaborative.councils, strict=True):
        assert a.grant == b.grant
