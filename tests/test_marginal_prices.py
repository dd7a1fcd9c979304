"""What one more unit of activity earns under each regime (PaymentRegime.marginal and cost_share),
from the terms alone, against cases worked by hand."""

import math

import pytest

from model.contracts import Activity, Contract
from model.regimes import REGIMES, ContractBasis
from model.regimes.base import UNITS, Outlook

PAYER, PROVIDER = "commissioner:CCG", "hospital:General"
PRICES = {"elective_spell": 1200.0, "emergency_spell": 1600.0, "ae_attendance": 120.0, "outpatient_attendance": 140.0}
# a year: 1,000 electives, 1,100 emergencies (100 of them readmissions), 5,000 A&E, 4,000 outpatients
YEAR = Activity(elective_spells=1000, emergency_spells=1100, emergency_readmissions=100, ae_attendances=5000,
                outpatient_attendances=4000)
# at full prices: 1.2m + 1.76m + 0.6m + 0.56m = 4.12m
SHADOW = 4_120_000.0


def contract(name: str, value: float = SHADOW, options: dict | None = None, scope: str = "acute", **terms) -> Contract:
    regime = REGIMES[name]
    basis = ContractBasis(expected=Activity(emergency_spells=1000), prices=dict(PRICES), annual_value=value, marginal_rate=0.3)
    t = regime.terms(basis, {**(options or {}), "scope": scope})
    t.update(terms)
    return Contract(payer=PAYER, provider=PROVIDER, scope=scope, regime=regime, terms=t)


def at(c: Contract, unit: str, year: Activity = YEAR, **outlook) -> float:
    return c.regime.marginal(c, unit, Outlook(activity=year, **outlook))


def test_pbr_pays_the_tariff_and_emergencies_beyond_the_baseline_at_the_marginal_rate():
    c = contract("pbr")  # baseline 1,000 first admissions; the year has exactly 1,000: beyond it
    assert at(c, "emergency_spell") == pytest.approx(0.3 * 1600)
    below = Activity(emergency_spells=900)
    assert at(c, "emergency_spell", below) == 1600
    assert at(c, "emergency_readmission") == 0  # readmissions unpaid (readmission_rate 0)
    assert at(c, "elective_spell") == 1200 and at(c, "ae_attendance") == 120 and at(c, "outpatient_attendance") == 140


def test_pbr_electives_beyond_a_plan_at_the_over_plan_rate():
    c = contract("pbr", elective_plan=900.0, over_plan_rate=0.5)
    assert at(c, "elective_spell") == 600  # 1,000 done against a plan of 900
    assert at(c, "elective_spell", Activity(elective_spells=800)) == 1200


def test_a_block_and_capitation_pay_nothing_for_more_activity():
    for name, scope in (("block", "acute"), ("capitation", "primary_care"), ("alliance", "acute")):
        c = contract(name, scope=scope)
        assert all(at(c, u) == 0 for u in UNITS), name


def test_a_corridor_pays_nothing_inside_and_the_outside_rate_beyond_either_edge():
    inside = contract("block_corridor", value=SHADOW)  # corridor 5%, outside rate 0.5
    assert at(inside, "emergency_spell") == 0
    above = contract("block_corridor", value=SHADOW / 1.10)  # activity 10% over the block: beyond the top
    assert at(above, "emergency_spell") == pytest.approx(0.5 * 1600)
    below = contract("block_corridor", value=SHADOW / 0.90)  # 10% under: each unit lowers what is paid back
    assert at(below, "elective_spell") == pytest.approx(0.5 * 1200)


def test_gain_loss_pays_the_tariff_beyond_the_cap_its_share_beyond_the_collar_and_nothing_between():
    # cap 3%, collar 3%, loss share 0.5
    assert at(contract("gain_loss_share", value=SHADOW / 0.9), "emergency_spell") == 1600  # a 10% gain: beyond the cap
    assert at(contract("gain_loss_share", value=SHADOW / 0.99), "emergency_spell") == 0  # a 1% gain: kept
    assert at(contract("gain_loss_share", value=SHADOW / 1.01), "emergency_spell") == 0  # a 1% loss: borne alone
    assert at(contract("gain_loss_share", value=SHADOW / 1.10), "emergency_spell") == pytest.approx(800)  # shared


def test_a_withhold_pays_the_base_less_the_withhold_and_prices_the_risk_to_the_target():
    c = contract("outcome_withhold", options={"withhold": 0.1, "target_uncertainty": 0.05})
    assert at(c, "elective_spell") == pytest.approx(0.9 * 1200)
    # no baseline yet: the first year sets it, so an admission risks nothing beyond its price
    outlook = {"outcomes": {"emergency_admissions_per_1000": 100.0}, "people": 10_000}
    assert at(c, "emergency_spell", **outlook) == pytest.approx(0.9 * 0.3 * 1600)
    # on target exactly: p = 0.5; at stake: 10% of the year's PbR value over 1 outcome
    c.terms["baseline_outcomes"] = {"emergency_admissions_per_1000": 100.0}
    # the PbR value of the year: electives 1.2m; 1,000 first admissions, all within the baseline, 1.6m;
    # readmissions unpaid; A&E 0.6m; outpatients 0.56m: 3.96m, of which 10% is at stake on one outcome
    value = 1_200_000 + 1_600_000 + 600_000 + 560_000
    assert REGIMES["pbr"].year_value(c, YEAR) == pytest.approx(value)
    at_stake = 0.1 * value
    slope = at_stake * 0.25 / (0.05 * 100.0) * (1000 / 10_000)  # pounds per admission
    assert at(c, "emergency_spell", **outlook) == pytest.approx(0.9 * 0.3 * 1600 - slope)
    # far below target: the target is safe, nothing more at stake
    far = {"outcomes": {"emergency_admissions_per_1000": 50.0}, "people": 10_000}
    assert at(c, "emergency_spell", **far) == pytest.approx(0.9 * 0.3 * 1600, abs=1.0)  # within a pound
    assert math.isfinite(at(c, "emergency_spell", outcomes={"emergency_admissions_per_1000": 1e9}, people=10_000))


def test_a_withholds_year_value_is_what_its_instalments_pay_the_base_less_the_withhold():
    """Before its year-end outcome payment a withhold pays (1 - w) of its base regime's value in
    instalments: that is its year value, as a PbR contract's is its payments and a block's its value."""
    pbr_year = 1_200_000 + 1_600_000 + 600_000 + 560_000  # the PbR value of the year (see above)
    acute = contract("outcome_withhold", options={"withhold": 0.1})
    assert acute.regime.year_value(acute, YEAR) == pytest.approx(0.9 * pbr_year)
    community = contract("outcome_withhold", value=2_000_000.0, options={"withhold": 0.2}, scope="community")
    assert community.regime.year_value(community, YEAR) == pytest.approx(0.8 * 2_000_000)
    for c in (acute, community):  # what twelve months of that year pay in instalments
        c.year_activity, c.months_this_year = YEAR, 12
        assert c.regime.year_value(c, YEAR) == pytest.approx(c.regime.due_to_date(c))


def test_result_sharing_regimes_bear_a_share_of_the_providers_extra_costs():
    alliance = contract("alliance", members={PROVIDER: 0.25, "hospital:Other": 0.75})
    assert alliance.regime.cost_share(alliance) == pytest.approx(0.75)
    pooled = contract("pooled_budget", scope="social_care")
    assert pooled.regime.cost_share(pooled) == pytest.approx(0.5)
    for name in ("pbr", "block", "gain_loss_share", "block_corridor"):
        assert contract(name).regime.cost_share(contract(name)) == 0
