"""The risk-sharing regimes against cases worked by hand.

Block with a volume corridor, gain/loss share with a cap and collar, an
outcome-linked withhold on PbR or a block, and an alliance's multilateral risk
share. As in test_regimes.py the numbers are small enough to check with a
pencil and the arithmetic is in the comments. Contracts are built directly,
run for twelve months, then settled with a hand-made :class:`YearEnd`.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_regimes import (  # the same hand-worked terms, prices and months
    PRICES,
    month_activity,
    pbr_terms,
)

from model.contracts import Activity, Contract
from model.ledger import Transfer, to_pence
from model.regimes import OUTCOMES, REGIMES, ContractBasis, YearEnd
from model.regimes.alliance import AllianceContract
from model.regimes.block import BlockContract
from model.regimes.corridor import BlockCorridor
from model.regimes.gainloss import GainLossShare
from model.regimes.pbr import PaymentByResults, pbr_value
from model.regimes.withhold import OutcomeWithhold

PAYER = "commissioner:CCG"
PROVIDER = "hospital:General"


NEW = (BlockCorridor, GainLossShare, OutcomeWithhold, AllianceContract)


def contract(regime, terms, scope="acute", provider=PROVIDER) -> Contract:
    return Contract(payer=PAYER, provider=provider, scope=scope, regime=regime, terms=terms)


def net(transfers: list[Transfer], provider: str = PROVIDER) -> int:
    """Net pence from payer to provider in a list of transfers (negative: paid back)."""
    total = 0
    for t in transfers:
        assert {t.payer, t.payee} == {PAYER, provider}
        assert t.pence > 0  # a refund is a positive transfer the other way, never negative pence
        total += t.pence if t.payer == PAYER else -t.pence
    return total


def run_year(c: Contract, months: list[Activity] | None = None) -> list[int]:
    """Twelve months of payments, net pence each."""
    months = months if months is not None else [Activity()] * 12
    return [net(c.month(a), c.provider) for a in months]


def basis(annual_value: float = 1_200_000.0, **kw) -> ContractBasis:
    return ContractBasis(expected=Activity(), prices=dict(PRICES), annual_value=annual_value, **kw)


year_of_months = st.lists(month_activity, min_size=12, max_size=12)
pounds = st.integers(min_value=0, max_value=10**11).map(lambda p: p / 100)  # whole pence, up to £1bn
percent = st.integers(0, 100).map(lambda p: p / 100)


# --- the registry and the regimes' descriptions ----------------------------------------------------


def test_new_regimes_are_registered_under_their_names():
    """Each new regime is in the registry under its name with its scopes."""
    assert {"block_corridor", "gain_loss_share", "outcome_withhold", "alliance"} <= set(REGIMES)
    assert all(name == r.name for name, r in REGIMES.items())
    assert REGIMES["block_corridor"].scopes == {"acute"}
    assert REGIMES["gain_loss_share"].scopes == {"acute"}
    assert REGIMES["outcome_withhold"].scopes == {"acute", "community"}
    assert REGIMES["alliance"].scopes == {"acute", "community"}


@pytest.mark.parametrize("cls", NEW)
def test_parameters_say_their_source_and_defaults_are_in_range(cls):
    """The module says where the regime comes from; every default stands for
    something: its description names seed 004 or says it is an assumption, and
    it lies within the allowed range."""
    doc = sys.modules[cls.__module__].__doc__
    assert "MODEL.md section 5" in doc and "seed 004" in doc
    regime = cls()
    for name, p in regime.parameters.items():
        assert "seed 004" in p.description or "assumption" in p.description, name
        assert p.low <= p.default <= p.high, name
        assert regime.option(None, name) == p.default
        assert regime.option({name: p.high}, name) == p.high


# --- block with a volume corridor ------------------------------------------------------------------


def corridor_contract(annual_value=1_200_000.0, corridor=0.05, outside_rate=0.5) -> Contract:
    terms = {"annual_value": annual_value, "prices": dict(PRICES), "corridor": corridor, "outside_rate": outside_rate}
    return contract(BlockCorridor(), terms)


def test_corridor_terms_from_basis():
    """The corridor's terms: the block value and prices from the basis, the
    corridor and rate from the scenario's options or the defaults."""
    b = basis(1_200_000.0)
    terms = BlockCorridor().terms(b)
    assert terms == {"annual_value": 1_200_000.0, "prices": PRICES, "corridor": 0.05, "outside_rate": 0.5}
    assert terms["prices"] is not b.prices
    assert BlockCorridor().terms(b, {"corridor": 0.1})["corridor"] == 0.1


def test_corridor_pays_block_twelfths_whatever_the_activity():
    """£1,200,000 a year is £100,000 a month, however busy the hospital is."""
    c = corridor_contract()
    paid = run_year(c, [Activity(emergency_spells=500)] * 12)
    assert paid == [10_000_000] * 12
    assert c.paid_this_year_pence == 120_000_000


@pytest.mark.parametrize(
    "shadow",
    [
        1_200_000.0,  # on the block value
        1_260_000.0,  # the corridor's top: (1 + 0.05) * 1,200,000
        1_140_000.0,  # the corridor's bottom: (1 - 0.05) * 1,200,000
        1_250_000.0,
        1_150_000.0,
    ],
)
def test_corridor_settles_nothing_inside_the_corridor(shadow):
    """Activity worth between £1,140,000 and £1,260,000 settles nothing."""
    c = corridor_contract()
    run_year(c)
    assert c.settle_year(YearEnd(shadow_value=shadow)) == []


def test_corridor_above_the_top_payer_pays_half_tariff():
    """Activity worth £1,300,000 is £40,000 above the corridor's top (£1,260,000):
    the payer pays half of it, £20,000."""
    c = corridor_contract()
    run_year(c)
    assert c.settle_year(YearEnd(shadow_value=1_300_000.0)) == [
        Transfer(PAYER, PROVIDER, 2_000_000, "corridor_settlement")
    ]
    # the year: £1,200,000 + £20,000 = £1,220,000
    assert c.paid_total_pence == 122_000_000


def test_corridor_below_the_bottom_provider_pays_back_half_tariff():
    """Activity worth £1,100,000 is £40,000 below the corridor's bottom
    (£1,140,000): the provider pays back half of it, £20,000."""
    c = corridor_contract()
    run_year(c)
    assert c.settle_year(YearEnd(shadow_value=1_100_000.0)) == [
        Transfer(PROVIDER, PAYER, 2_000_000, "corridor_settlement")
    ]
    # the year: £1,200,000 - £20,000 = £1,180,000
    assert c.paid_total_pence == 118_000_000


def test_corridor_just_outside_the_top_settles_a_penny():
    """Two pence beyond the top at half tariff is one penny."""
    c = corridor_contract()
    run_year(c)
    assert net(c.settle_year(YearEnd(shadow_value=1_260_000.02))) == 1


def test_corridor_of_zero_at_full_rate_is_cost_and_volume():
    """With no corridor and the full rate, the year pays exactly the activity's
    value: £1,200,000 block + (£1,234,567.89 - £1,200,000) = £1,234,567.89."""
    c = corridor_contract(corridor=0.0, outside_rate=1.0)
    paid = sum(run_year(c)) + net(c.settle_year(YearEnd(shadow_value=1_234_567.89)))
    assert paid == 123_456_789


def test_corridor_wide_corridor_is_a_plain_block():
    """A corridor of 50% around £1,200,000 (£600,000 to £1,800,000) swallows a
    25% overrun: the year is the block, as BlockContract would pay."""
    c = corridor_contract(corridor=0.5)
    b = contract(BlockContract(), {"annual_value": 1_200_000.0})
    assert run_year(c) == run_year(b)
    assert c.settle_year(YearEnd(shadow_value=1_500_000.0)) == []


@settings(max_examples=200, deadline=None)
@given(months=year_of_months, annual=pounds, shadow=pounds, corridor=st.integers(0, 50).map(lambda p: p / 100),
       rate=percent)
def test_corridor_year_never_pays_beyond_the_activity_or_the_corridor(months, annual, shadow, corridor, rate):
    """For any year: the block is paid to the penny; inside the corridor nothing
    is settled; outside it the year's income moves from the block towards the
    activity's value, by ``rate`` of the distance beyond the corridor, never past it."""
    c = corridor_contract(annual, corridor, rate)
    paid = run_year(c, months)
    assert all(p >= 0 for p in paid)
    assert sum(paid) == to_pence(annual)
    settled = net(c.settle_year(YearEnd(shadow_value=shadow)))
    if (1 - corridor) * annual <= shadow <= (1 + corridor) * annual:
        assert settled == 0
    elif shadow > annual:
        assert 0 <= settled <= to_pence(shadow) - to_pence(annual) + 1
        assert abs(settled - to_pence(rate * (shadow - (1 + corridor) * annual))) <= 1
    else:
        assert to_pence(shadow) - to_pence(annual) - 1 <= settled <= 0
        assert abs(settled + to_pence(rate * ((1 - corridor) * annual - shadow))) <= 1
    assert c.paid_total_pence == sum(paid) + settled


# --- gain/loss share with a cap and collar ---------------------------------------------------------


def gain_loss_contract(target=1_000_000.0, cap=0.03, collar=0.03, loss_share=0.5) -> Contract:
    terms = {"target": target, "prices": dict(PRICES), "cap": cap, "collar": collar, "loss_share": loss_share}
    return contract(GainLossShare(), terms)


def settle_gain_loss(shadow: float, **kw) -> int:
    """A year at a £1,000,000 target (cap and collar £30,000 each), settled on ``shadow``."""
    c = gain_loss_contract(**kw)
    assert sum(run_year(c)) == 100_000_000
    return net(c.settle_year(YearEnd(shadow_value=shadow)))


def test_gain_loss_terms_from_basis():
    """The target is the basis's annual value; cap, collar and loss share default."""
    terms = GainLossShare().terms(basis(1_000_000.0), {"cap": 0.05})
    assert terms == {"target": 1_000_000.0, "prices": PRICES, "cap": 0.05, "collar": 0.03, "loss_share": 0.5}


def test_gain_loss_on_target_settles_nothing():
    assert settle_gain_loss(1_000_000.0) == 0


def test_gain_loss_gain_under_the_cap_is_kept():
    """A £10,000 saving (under the £30,000 cap) is the provider's to keep."""
    assert settle_gain_loss(990_000.0) == 0


def test_gain_loss_gain_exactly_at_the_cap_is_kept():
    """A saving of exactly 3% of £1,000,000 = £30,000 is kept whole."""
    assert settle_gain_loss(970_000.0) == 0


def test_gain_loss_gain_just_above_the_cap_returns_the_excess():
    """A saving of £30,000.01 is a penny over the cap: the penny goes back."""
    assert settle_gain_loss(969_999.99) == -1


def test_gain_loss_gain_above_the_cap_is_reinvested():
    """A saving of £40,000: the provider keeps £30,000 and pays back £10,000."""
    c = gain_loss_contract()
    run_year(c)
    assert c.settle_year(YearEnd(shadow_value=960_000.0)) == [Transfer(PROVIDER, PAYER, 1_000_000, "gain_loss_share")]
    # the provider: £1,000,000 paid - £960,000 of activity - £10,000 back = £30,000, the cap
    assert c.paid_total_pence - 96_000_000 == 3_000_000


def test_gain_loss_loss_exactly_at_the_collar_is_borne_alone():
    """A loss of exactly 3% of £1,000,000 = £30,000 is the provider's alone."""
    assert settle_gain_loss(1_030_000.0) == 0


def test_gain_loss_loss_just_beyond_the_collar_is_shared():
    """A loss of £30,000.02: two pence beyond the collar, half paid by the payer."""
    assert settle_gain_loss(1_030_000.02) == 1


def test_gain_loss_loss_beyond_the_collar_is_half_shared():
    """A loss of £40,000: £10,000 beyond the collar, of which the payer pays half, £5,000."""
    assert settle_gain_loss(1_040_000.0) == 500_000


def test_gain_loss_large_loss():
    """Activity worth £1,500,000 against a £1,000,000 target: a £500,000 loss,
    £470,000 beyond the collar; the payer pays 0.5 * £470,000 = £235,000 and the
    provider bears £30,000 + £235,000 = £265,000."""
    c = gain_loss_contract()
    run_year(c)
    assert c.settle_year(YearEnd(shadow_value=1_500_000.0)) == [
        Transfer(PAYER, PROVIDER, 23_500_000, "gain_loss_share")
    ]
    assert 150_000_000 - c.paid_total_pence == 26_500_000


def test_gain_loss_full_loss_share_caps_the_providers_loss_at_the_collar():
    """With the payer taking all losses beyond the collar, a £500,000 loss costs
    the provider only the £30,000 collar: the payer pays £470,000."""
    assert settle_gain_loss(1_500_000.0, loss_share=1.0) == 47_000_000


@settings(max_examples=200, deadline=None)
@given(months=year_of_months, target=pounds, shadow=pounds, cap=st.integers(0, 50).map(lambda p: p / 100),
       collar=st.integers(0, 50).map(lambda p: p / 100), loss_share=percent)
def test_gain_loss_provider_gain_and_loss_stay_within_cap_and_collar(months, target, shadow, cap, collar, loss_share):
    """For any year, with the provider's result = payments - the activity's value:
    a gain is never more than cap * T (nor more than the saving); a loss never
    more than collar * T + (1 - loss_share) * (l - collar * T) (nor more than the loss)."""
    c = gain_loss_contract(target, cap, collar, loss_share)
    paid = run_year(c, months)
    assert all(p >= 0 for p in paid)
    assert sum(paid) == to_pence(target)
    settled = net(c.settle_year(YearEnd(shadow_value=shadow)))
    result = c.paid_total_pence - to_pence(shadow)  # the provider's gain (+) or loss (-), pence
    if shadow <= target:
        assert settled <= 0  # gains flow back, never the other way
        assert 0 <= result <= to_pence(cap * target) + 1
        assert result <= to_pence(target - shadow) + 1
    else:
        loss = shadow - target
        assert settled >= 0  # losses are shared, never added to
        beyond = max(loss - collar * target, 0.0)
        assert -result <= to_pence(collar * target + (1 - loss_share) * beyond) + 1
        assert -result >= to_pence(min(loss, collar * target)) - 1  # the collar is borne in full
        assert -result <= to_pence(loss) + 1


# --- outcome-linked withhold -------------------------------------------------------------------------




def withhold_contract(withhold=0.1, improvement=0.0, base="pbr", baseline=None, **over) -> Contract:
    """On PbR (acute) or a £120,000 block (community)."""
    if base == "pbr":
        terms, scope = pbr_terms(**over), "acute"
    else:
        terms, scope = {"annual_value": 120_000.0, **over}, "community"
    terms.update(base=base, withhold=withhold, improvement=improvement)
    if baseline is not None:
        terms["baseline_outcomes"] = dict(baseline)
    return contract(OutcomeWithhold(), terms, scope=scope)


# a first year's outcomes, which become the baseline; one value for each outcome
BASELINE = dict(zip(OUTCOMES, (10.0, 20.0, 0.3, 5.0), strict=True))
EMERGENCIES = [Activity(emergency_spells=125)] * 12  # £172,000 a month under PbR, £2,064,000 a year


def outcomes(*met: bool) -> dict[str, float]:
    """This year's outcomes against BASELINE: 10% better where met, 10% worse where not."""
    return {k: v * (0.9 if m else 1.1) for (k, v), m in zip(BASELINE.items(), met, strict=True)}


def test_withhold_terms_wrap_the_base_regime_by_scope():
    """The terms are the base regime's (PbR for acute, block for community) plus the withhold."""
    b = basis(120_000.0, marginal_rate=0.3)
    acute = OutcomeWithhold().terms(b)
    assert acute == {**PaymentByResults().terms(b), "base": "pbr", "withhold": 0.1, "improvement": 0.0,
                     "target_uncertainty": 0.05}
    community = OutcomeWithhold().terms(b, {"scope": "community", "withhold": 0.018})
    assert community == {"annual_value": 120_000.0, "base": "block", "withhold": 0.018, "improvement": 0.0,
                         "target_uncertainty": 0.05}
    with pytest.raises(ValueError, match="primary_care"):
        OutcomeWithhold().terms(b, {"scope": "primary_care"})


def test_withhold_on_a_scope_its_base_cannot_pay_is_refused():
    """PbR terms on a community contract would pay nothing for community work: refused."""
    c = withhold_contract(base="pbr")
    c.scope = "community"
    with pytest.raises(ValueError, match="community"):
        c.month(Activity())


def test_withhold_monthly_pays_the_base_less_the_withhold():
    """Each month pays 90% of PbR's £172,000 = £154,800."""
    c = withhold_contract()
    paid = run_year(c, EMERGENCIES)
    assert paid == [15_480_000] * 12
    # 0.9 * £2,064,000 = £1,857,600
    assert c.paid_this_year_pence == 185_760_000


def test_withhold_first_year_sets_the_baseline_and_pays_in_full():
    """The first settlement has nothing to compare with: its outcomes become the
    targets and the whole withheld 10% of £2,064,000 = £206,400 is paid."""
    c = withhold_contract()
    run_year(c, EMERGENCIES)
    assert c.settle_year(YearEnd(outcomes=BASELINE)) == [Transfer(PAYER, PROVIDER, 20_640_000, "outcome_payment")]
    assert c.terms["baseline_outcomes"] == BASELINE
    # year 2, everything 10% worse than the baseline: no target met, nothing more paid
    run_year(c, EMERGENCIES)
    assert c.settle_year(YearEnd(outcomes=outcomes(False, False, False, False))) == []
    assert c.terms["baseline_outcomes"] == BASELINE  # the baseline stays the first year's


def test_withhold_half_the_targets_met_pays_half_the_withheld():
    """2 of 4 targets met: half of the withheld £206,400 = £103,200."""
    c = withhold_contract(baseline=BASELINE)
    run_year(c, EMERGENCIES)
    assert net(c.settle_year(YearEnd(outcomes=outcomes(True, False, True, False)))) == 10_320_000
    # the year: £1,857,600 + £103,200 = £1,960,800
    assert c.paid_total_pence == 196_080_000


def test_withhold_all_targets_met_pays_what_the_base_would():
    """All 4 met: the year is PbR's £2,064,000 exactly."""
    c = withhold_contract(baseline=BASELINE)
    run_year(c, EMERGENCIES)
    assert net(c.settle_year(YearEnd(outcomes=outcomes(True, True, True, True)))) == 20_640_000
    assert c.paid_total_pence == 206_400_000


def test_withhold_no_targets_met_loses_the_withheld():
    c = withhold_contract(baseline=BASELINE)
    run_year(c, EMERGENCIES)
    assert c.settle_year(YearEnd(outcomes=outcomes(False, False, False, False))) == []
    assert c.paid_total_pence == 185_760_000


def test_withhold_no_worse_than_baseline_meets_the_target():
    """With no improvement asked, an outcome equal to its baseline meets its target."""
    c = withhold_contract(baseline=BASELINE)
    run_year(c, EMERGENCIES)
    assert net(c.settle_year(YearEnd(outcomes=BASELINE))) == 20_640_000


def test_withhold_improvement_raises_the_bar():
    """Asking for 20% improvement: targets are 8, 16, 0.24 and 4. Being 10%
    better (9, 18, 0.27, 4.5) meets none; 25% better meets the two that are."""
    c = withhold_contract(improvement=0.2, baseline=BASELINE)
    run_year(c, EMERGENCIES)
    assert c.settle_year(YearEnd(outcomes=outcomes(True, True, True, True))) == []
    run_year(c, EMERGENCIES)
    better = {k: v * (0.75 if i < 2 else 1.0) for i, (k, v) in enumerate(BASELINE.items())}
    # 2 of 4: half of £206,400 = £103,200
    assert net(c.settle_year(YearEnd(outcomes=better))) == 10_320_000


def test_withhold_no_outcomes_reported_counts_as_achieved():
    c = withhold_contract(baseline=BASELINE)
    run_year(c, EMERGENCIES)
    assert net(c.settle_year(YearEnd())) == 20_640_000


def test_withhold_new_outcome_sets_its_own_baseline():
    """An outcome first reported in a later year sets its baseline then and counts as met:
    1 of 2 old targets missed, the new one met -> 2 of 3."""
    first = dict(list(BASELINE.items())[:2])
    c = withhold_contract(baseline=first)
    run_year(c, EMERGENCIES)
    names = list(BASELINE)
    year = {names[0]: 9.0, names[1]: 25.0, names[2]: 0.3}
    # 2/3 of £206,400 = £137,600
    assert net(c.settle_year(YearEnd(outcomes=year))) == 13_760_000
    assert c.terms["baseline_outcomes"] == {names[0]: 10.0, names[1]: 20.0, names[2]: 0.3}


def test_withhold_on_a_community_block():
    """A £120,000 community block with 10% withheld: £9,000 a month (90% of
    £10,000); 3 of 4 targets met pays 0.75 * £12,000 = £9,000 at year end."""
    c = withhold_contract(base="block", baseline=BASELINE)
    assert run_year(c) == [900_000] * 12
    assert c.settle_year(YearEnd(outcomes=outcomes(True, True, True, False))) == [
        Transfer(PAYER, PROVIDER, 900_000, "outcome_payment")
    ]
    assert c.paid_total_pence == 11_700_000


def test_withhold_mid_nottinghamshire_share():
    """Mid-Nottinghamshire's CQUIN put about 1.8% at stake: on a £120,000 block
    that is £2,160 a year; each month pays 98.2% of £10,000 = £9,820."""
    c = withhold_contract(withhold=0.018, base="block", baseline=BASELINE)
    assert run_year(c) == [982_000] * 12
    assert net(c.settle_year(YearEnd(outcomes=outcomes(False, False, False, False)))) == 0
    assert c.paid_total_pence == 11_784_000


@pytest.mark.parametrize("base", ["pbr", "block"])
def test_withhold_zero_pays_exactly_the_base_regime(base):
    """With nothing withheld, month by month and at year end the payments are the base regime's."""
    c = withhold_contract(withhold=0.0, base=base, baseline=BASELINE)
    b = contract(PaymentByResults(), pbr_terms()) if base == "pbr" else contract(
        BlockContract(), {"annual_value": 120_000.0}, scope="community")
    assert run_year(c, EMERGENCIES) == run_year(b, EMERGENCIES)
    assert c.settle_year(YearEnd(outcomes=outcomes(False, False, False, False))) == []


@settings(max_examples=200, deadline=None)
@given(months=year_of_months, withhold=st.integers(0, 50).map(lambda p: p / 100),
       met=st.lists(st.booleans(), min_size=4, max_size=4), base=st.sampled_from(["pbr", "block"]),
       annual=pounds)
def test_withhold_year_is_the_base_less_the_unearned_withhold(months, withhold, met, base, annual):
    """For any year: monthly payments are never negative; the year pays
    D * (1 - w * (1 - achievement)) to the penny, between (1 - w) D and D; and
    with w = 0 every payment is the base regime's."""
    over = {} if base == "pbr" else {"annual_value": annual}
    c = withhold_contract(withhold=withhold, base=base, baseline=BASELINE, **over)
    paid = run_year(c, months)
    assert all(p >= 0 for p in paid)
    settled = net(c.settle_year(YearEnd(outcomes=outcomes(*met))))
    assert settled >= 0
    year = Activity()
    for a in months:
        year.add(a)
    full = pbr_value(pbr_terms(), year, 12) if base == "pbr" else annual
    achieved = sum(met) / 4
    total = sum(paid) + settled
    # to the penny, up to how the float product rounds at a half penny
    assert abs(total - to_pence(full * (1 - withhold * (1 - achieved)))) <= 1
    assert to_pence((1 - withhold) * full) - 1 <= total <= to_pence(full)
    if withhold == 0.0:
        base_contract = contract(PaymentByResults(), pbr_terms()) if base == "pbr" else contract(
            BlockContract(), {"annual_value": annual}, scope="community")
        assert run_year(base_contract, months) == paid
        assert settled == 0


# --- alliance: a multilateral risk share -----------------------------------------------------------------

HOSPITAL, COMMUNITY, GPS = "hospital:General", "hospital:Community", "gp_federation:North"
SHARES = {HOSPITAL: 0.5, COMMUNITY: 0.3, GPS: 0.2}


def alliance_contracts(members=SHARES, annual_value=1_200_000.0) -> list[Contract]:
    """One contract per member, all from the same payer, with the same members and shares."""
    return [contract(AllianceContract(), {"annual_value": annual_value, "members": dict(members)},
                     provider=m) for m in members]


def settle_alliance(results: dict[str, float], members=SHARES) -> dict[str, int]:
    """Each member's year-end settlement, net pence from the payer."""
    year = YearEnd(results=results)
    out = {}
    for c in alliance_contracts(members):
        run_year(c)
        out[c.provider] = net(c.settle_year(year), c.provider)
    return out


def test_alliance_terms_from_basis():
    """A block budget; the members are filled in by the economy."""
    assert AllianceContract().terms(basis(1_200_000.0)) == {"annual_value": 1_200_000.0, "members": {}}
    assert AllianceContract().parameters == {}


def test_alliance_pays_each_member_its_block_budget():
    for c in alliance_contracts():
        assert run_year(c) == [10_000_000] * 12


def test_alliance_three_members_share_the_whole_result():
    """Results: hospital -£600,000, community +£100,000, GPs +£200,000, so the
    alliance's result is R = -£300,000. Shares 50/30/20:
    hospital: 0.5 * -300,000 - (-600,000) = +£450,000 from the payer
    community: 0.3 * -300,000 - 100,000 = -£190,000 back to the payer
    GPs: 0.2 * -300,000 - 200,000 = -£260,000 back to the payer
    and 450,000 - 190,000 - 260,000 = 0."""
    results = {HOSPITAL: -600_000.0, COMMUNITY: 100_000.0, GPS: 200_000.0, "council:Town": 5_000.0}
    settled = settle_alliance(results)
    assert settled == {HOSPITAL: 45_000_000, COMMUNITY: -19_000_000, GPS: -26_000_000}
    assert sum(settled.values()) == 0
    # afterwards each ends with its share of R: -£150,000, -£90,000, -£60,000
    after = {m: to_pence(results[m]) + settled[m] for m in SHARES}
    assert after == {HOSPITAL: -15_000_000, COMMUNITY: -9_000_000, GPS: -6_000_000}


def test_alliance_refund_is_a_transfer_from_member_to_payer():
    c = alliance_contracts()[1]  # the community member, which pays back £190,000
    run_year(c)
    year = YearEnd(results={HOSPITAL: -600_000.0, COMMUNITY: 100_000.0, GPS: 200_000.0})
    assert c.settle_year(year) == [Transfer(COMMUNITY, PAYER, 19_000_000, "alliance_risk_share")]


def test_alliance_member_missing_from_results_breaks_even():
    """The GPs report no result (0): R = -600,000 + 100,000 + 0 = -£500,000.
    hospital: -250,000 + 600,000 = +£350,000; community: -150,000 - 100,000 = -£250,000;
    GPs: 0.2 * -500,000 - 0 = -£100,000; sum 0."""
    settled = settle_alliance({HOSPITAL: -600_000.0, COMMUNITY: 100_000.0})
    assert settled == {HOSPITAL: 35_000_000, COMMUNITY: -25_000_000, GPS: -10_000_000}
    assert sum(settled.values()) == 0


def test_alliance_of_one_settles_nothing():
    """An empty members dict is the provider alone with share 1: it keeps its own result."""
    c = contract(AllianceContract(), AllianceContract().terms(basis(1_200_000.0)))
    run_year(c)
    assert c.settle_year(YearEnd(results={PROVIDER: -123_456.78, "hospital:Other": 1e6})) == []


def test_alliance_refuses_bad_membership():
    """A provider outside the members, or shares not summing to 1, is a mistake in the terms."""
    c = contract(AllianceContract(), {"annual_value": 1.0, "members": {"hospital:Other": 1.0}})
    with pytest.raises(ValueError, match="not a member"):
        c.settle_year(YearEnd())
    c = contract(AllianceContract(), {"annual_value": 1.0, "members": {PROVIDER: 0.5, "hospital:Other": 0.4}})
    with pytest.raises(ValueError, match="sum to 1"):
        c.settle_year(YearEnd())


@settings(max_examples=200, deadline=None)
@given(
    data=st.integers(1, 6).flatmap(lambda n: st.tuples(
        st.lists(st.integers(1, 100), min_size=n, max_size=n),
        st.lists(st.one_of(st.none(), st.integers(-10**11, 10**11).map(lambda p: p / 100)), min_size=n, max_size=n),
    )),
    annual=pounds,
)
def test_alliance_settlements_net_to_zero_and_leave_each_its_share(data, annual):
    """For any members, shares and results: the payer's net flow over all
    settlements is zero (to a penny a member), and each member ends the year with
    its share of the alliance's whole result (to a penny)."""
    weights, values = data
    names = [f"hospital:M{i}" for i in range(len(weights))]
    members = {m: w / sum(weights) for m, w in zip(names, weights, strict=True)}
    results = {m: v for m, v in zip(names, values, strict=True) if v is not None}
    whole = sum(results.values())
    total = 0
    for c in alliance_contracts(members, annual):
        assert sum(run_year(c)) == to_pence(annual)
        settled = net(c.settle_year(YearEnd(results=results)), c.provider)
        total += settled
        assert abs(to_pence(results.get(c.provider, 0.0)) + settled - to_pence(members[c.provider] * whole)) <= 1
    assert abs(total) <= len(names)


# --- a contract let part way through a year (a regime switch) ------------------------------------


def test_a_part_year_gain_loss_contract_is_judged_on_its_part_of_the_target():
    # let with six months left: target £1m a year -> £500,000 for the part year; activity worth £600,000
    # loss 100,000; collar 3% of 500,000 = 15,000 borne alone; payer pays 50% of 85,000 = 42,500
    c = gain_loss_contract()
    for _ in range(6):
        c.month(Activity())
    assert net(c.settle_year(YearEnd(shadow_value=600_000.0))) == to_pence(42_500)


def test_a_part_year_corridor_contract_is_judged_on_its_part_of_the_value():
    # £1.2m a year, three months run: £300,000; corridor 5% -> top 315,000; activity £335,000
    # payer pays 50% of 20,000 = 10,000
    c = corridor_contract()
    for _ in range(3):
        c.month(Activity())
    assert net(c.settle_year(YearEnd(shadow_value=335_000.0))) == to_pence(10_000)
