"""Payment regimes against cases worked by hand.

Each regime turns a contract's activity into payments. The numbers here are
small enough to check with a pencil; the arithmetic is in the comments.
Contracts are built directly, with account names as payer and provider.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.contracts import Activity, Contract
from model.ledger import Transfer, to_pence
from model.regimes import REGIMES, ContractBasis
from model.regimes.block import BlockContract
from model.regimes.capitation import GPCapitation
from model.regimes.pbr import PaymentByResults, pbr_value

PAYER = "commissioner:CCG"
PROVIDER = "hospital:General"

PRICES = {
    "elective_spell": 1200.0,
    "emergency_spell": 1600.0,
    "ae_attendance": 120.0,
    "outpatient_attendance": 140.0,
}


def pbr_terms(**over) -> dict:
    """PbR terms: baseline of 1,200 emergency admissions a year at 30% above it."""
    terms = {
        "prices": dict(PRICES),
        "emergency_baseline": 1200.0,
        "marginal_rate": 0.3,
        "readmission_rate": 0.0,
        "elective_plan": None,
        "over_plan_rate": 1.0,
    }
    terms.update(over)
    return terms


def contract(regime, terms, scope="acute") -> Contract:
    return Contract(payer=PAYER, provider=PROVIDER, scope=scope, regime=regime, terms=terms)


def pence_paid(transfers: list[Transfer]) -> int:
    """Net pence from payer to provider in a list of transfers."""
    total = 0
    for t in transfers:
        assert {t.payer, t.payee} == {PAYER, PROVIDER}
        total += t.pence if t.payer == PAYER else -t.pence
    return total


# --- Payment by Results: the value of a year's activity ----------------------------------


def test_pbr_emergencies_above_baseline_paid_at_marginal_rate():
    """Emergency admissions above the baseline earn 30% of tariff (the England
    marginal rate rule), those within it the full tariff."""
    year = Activity(emergency_spells=1500)
    # 1,200 within baseline at £1,600 = £1,920,000
    # 300 above baseline at 30% of £1,600 = 300 * 480 = £144,000
    # total £2,064,000
    assert pbr_value(pbr_terms(), year, 12) == pytest.approx(1200 * 1600 + 300 * 0.3 * 1600)
    assert pbr_value(pbr_terms(), year, 12) == pytest.approx(2_064_000.0)


def test_pbr_emergencies_below_baseline_paid_in_full():
    """Below the baseline every emergency admission earns the full tariff."""
    # 1,000 * £1,600 = £1,600,000
    assert pbr_value(pbr_terms(), Activity(emergency_spells=1000), 12) == pytest.approx(1_600_000.0)


def test_pbr_baseline_is_pro_rated_to_months_elapsed():
    """After 6 months only half the annual baseline (600) has been earned, so
    admissions above 600 are already at the marginal rate."""
    year = Activity(emergency_spells=700)
    # baseline 1,200 * 6/12 = 600
    # 600 * £1,600 = £960,000; 100 above at 30%: 100 * £480 = £48,000; total £1,008,000
    assert pbr_value(pbr_terms(), year, 6) == pytest.approx(600 * 1600 + 100 * 0.3 * 1600)
    assert pbr_value(pbr_terms(), year, 6) == pytest.approx(1_008_000.0)
    # the same 700 after a full year are all within the 1,200 baseline: 700 * £1,600
    assert pbr_value(pbr_terms(), year, 12) == pytest.approx(1_120_000.0)


def test_pbr_readmissions_not_paid_at_rate_zero():
    """Emergency readmissions (part of emergency_spells) earn nothing at
    readmission_rate 0 and do not count against the baseline."""
    year = Activity(emergency_spells=1500, emergency_readmissions=100)
    # first admissions 1,500 - 100 = 1,400
    # 1,200 * £1,600 = £1,920,000; 200 above at 30%: 200 * £480 = £96,000
    # readmissions 100 * 0 = 0; total £2,016,000
    assert pbr_value(pbr_terms(readmission_rate=0.0), year, 12) == pytest.approx(2_016_000.0)


def test_pbr_readmissions_paid_at_readmission_rate():
    """A non-zero readmission_rate pays that share of tariff per readmission."""
    year = Activity(emergency_spells=1500, emergency_readmissions=100)
    # £2,016,000 as above + 100 readmissions * 0.5 * £1,600 = £80,000 -> £2,096,000
    assert pbr_value(pbr_terms(readmission_rate=0.5), year, 12) == pytest.approx(2_096_000.0)


def test_pbr_electives_without_plan_paid_in_full():
    """With no elective plan every elective spell earns the full tariff."""
    # 1,100 * £1,200 = £1,320,000
    assert pbr_value(pbr_terms(), Activity(elective_spells=1100), 12) == pytest.approx(1_320_000.0)


def test_pbr_elective_plan_caps_activity_at_over_plan_rate():
    """A commissioner's activity cap pays elective spells above plan at over_plan_rate."""
    terms = pbr_terms(elective_plan=1000.0, over_plan_rate=0.5)
    # in plan: 1,000 * £1,200 = £1,200,000; over plan: 100 * 0.5 * £1,200 = £60,000
    # total £1,260,000
    assert pbr_value(terms, Activity(elective_spells=1100), 12) == pytest.approx(1_260_000.0)
    # after 6 months the plan is 500: 500 * £1,200 + 100 * £600 = £660,000
    assert pbr_value(terms, Activity(elective_spells=600), 6) == pytest.approx(660_000.0)
    # under plan nothing is capped: 900 * £1,200 = £1,080,000
    assert pbr_value(terms, Activity(elective_spells=900), 12) == pytest.approx(1_080_000.0)


def test_pbr_elective_plan_with_zero_over_plan_rate_pays_nothing_above_plan():
    """An over_plan_rate of 0 is a hard cap: activity above plan earns nothing."""
    terms = pbr_terms(elective_plan=1000.0, over_plan_rate=0.0)
    assert pbr_value(terms, Activity(elective_spells=1500), 12) == pytest.approx(1_200_000.0)


def test_pbr_attendances_paid_at_tariff():
    """A&E and outpatient attendances earn their tariff, with no baseline."""
    year = Activity(ae_attendances=1000, outpatient_attendances=500)
    # 1,000 * £120 + 500 * £140 = £120,000 + £70,000 = £190,000
    assert pbr_value(pbr_terms(), year, 12) == pytest.approx(190_000.0)


def test_pbr_all_activity_adds_up():
    """The value of mixed activity is the sum of its parts."""
    year = Activity(elective_spells=1100, emergency_spells=1500, emergency_readmissions=100,
                    ae_attendances=1000, outpatient_attendances=500)
    terms = pbr_terms(elective_plan=1000.0, over_plan_rate=0.5)
    # emergencies £2,016,000 + electives £1,260,000 + attendances £190,000 = £3,466,000
    assert pbr_value(terms, year, 12) == pytest.approx(3_466_000.0)


# --- Payment by Results: monthly payments through a contract ----------------------------------


def test_pbr_monthly_payments_settle_the_annual_rule_exactly():
    """Paying each month on the year to date against a pro-rated baseline gives,
    after 12 months, exactly the annual value in pence."""
    c = contract(PaymentByResults(), pbr_terms())
    payments = []
    for _ in range(12):
        payments.append(pence_paid(c.month(Activity(emergency_spells=125))))
    # each month: baseline 100 a month, 125 first admissions
    # 100 * £1,600 + 25 * £480 = £160,000 + £12,000 = £172,000 = 17,200,000p
    assert payments == [17_200_000] * 12
    # 12 * £172,000 = £2,064,000 = 1,200 * 1,600 + 300 * 0.3 * 1,600
    assert sum(payments) == 206_400_000
    assert c.paid_this_year_pence == 206_400_000
    assert c.months_this_year == 12
    assert c.year_activity.emergency_spells == 1500


def test_pbr_monthly_payment_is_from_payer_to_provider():
    """A PbR payment is one transfer from the commissioner to the provider."""
    c = contract(PaymentByResults(), pbr_terms())
    transfers = c.month(Activity(elective_spells=10))
    # 10 * £1,200 = £12,000
    assert transfers == [Transfer(PAYER, PROVIDER, 1_200_000, "pbr_payment")]


def test_pbr_month_with_no_new_value_pays_nothing():
    """When the year-to-date value does not change, no transfer is made."""
    c = contract(PaymentByResults(), pbr_terms())
    c.month(Activity(elective_spells=10))
    assert c.month(Activity()) == []


def test_pbr_front_loaded_emergencies_are_topped_up_as_baseline_grows():
    """Emergencies bunched early in the year are paid at the marginal rate at
    first, and topped up as the pro-rated baseline catches up."""
    c = contract(PaymentByResults(), pbr_terms())
    # month 1: baseline 100, 400 admissions -> 100 * 1,600 + 300 * 480 = £304,000
    first = pence_paid(c.month(Activity(emergency_spells=400)))
    assert first == 30_400_000
    # month 2: baseline 200, still 400 -> 200 * 1,600 + 200 * 480 = £416,000; pays £112,000
    assert pence_paid(c.month(Activity())) == 11_200_000
    # months 3 and 4: baseline reaches 400, all in full: 400 * 1,600 = £640,000
    rest = sum(pence_paid(c.month(Activity())) for _ in range(2))
    assert first + 11_200_000 + rest == 64_000_000


month_activity = st.integers(min_value=0, max_value=400).flatmap(
    lambda e: st.builds(
        Activity,
        elective_spells=st.integers(0, 300),
        emergency_spells=st.just(e),
        emergency_readmissions=st.integers(0, e),
        ae_attendances=st.integers(0, 2000),
        outpatient_attendances=st.integers(0, 1000),
    )
)
price = st.integers(min_value=0, max_value=500_000).map(lambda p: p / 100)  # whole pence


@settings(max_examples=200, deadline=None)
@given(
    months=st.lists(month_activity, min_size=12, max_size=12),
    prices=st.fixed_dictionaries({k: price for k in PRICES}),
    baseline=st.integers(0, 5000),
    marginal=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    readmission=st.sampled_from([0.0, 0.25, 1.0]),
    plan=st.one_of(st.none(), st.integers(0, 3000).map(float)),
    over_plan=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_pbr_year_of_payments_sums_to_annual_value_and_never_goes_negative(
    months, prices, baseline, marginal, readmission, plan, over_plan
):
    """For any year of (non-decreasing, cumulative) activity, the monthly
    payments are never negative and add up to the penny to the annual value."""
    terms = pbr_terms(prices=prices, emergency_baseline=float(baseline), marginal_rate=marginal,
                      readmission_rate=readmission, elective_plan=plan, over_plan_rate=over_plan)
    c = contract(PaymentByResults(), terms)
    paid = []
    for a in months:
        paid.append(pence_paid(c.month(a)))
    assert all(p >= 0 for p in paid), paid
    year = Activity()
    for a in months:
        year.add(a)
    assert sum(paid) == to_pence(pbr_value(terms, year, 12))
    assert c.paid_this_year_pence == sum(paid)


def test_pbr_terms_from_basis():
    """PbR terms take the baseline from expected first admissions (emergencies
    less readmissions), the marginal rate from the basis and pay no readmissions."""
    basis = ContractBasis(expected=Activity(emergency_spells=1300, emergency_readmissions=100),
                          prices=PRICES, annual_value=1.0, marginal_rate=0.3)
    terms = PaymentByResults().terms(basis)
    assert terms["emergency_baseline"] == 1200.0
    assert terms["marginal_rate"] == 0.3
    assert terms["readmission_rate"] == 0.0
    assert terms["elective_plan"] is None
    assert terms["prices"] == PRICES and terms["prices"] is not PRICES


# --- Block contract ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "annual_value",
    [
        1_200_000.0,  # 120,000,000p: twelfths of 10,000,000p
        1_000.01,  # 100,001p: not divisible by 12 (100,001 = 12 * 8,333 + 5)
        0.11,  # 11p: less than a penny a month
        987_654.33,
    ],
)
def test_block_twelve_payments_sum_exactly_to_annual_value(annual_value):
    """Twelve monthly block payments add up to the annual value in pence, even
    when that is not divisible by 12: the rounding is caught up month by month."""
    c = contract(BlockContract(), {"annual_value": annual_value}, scope="community")
    paid = [pence_paid(c.month(Activity())) for _ in range(12)]
    assert sum(paid) == to_pence(annual_value)
    exact = to_pence(annual_value) / 12
    assert all(abs(p - exact) < 1 for p in paid), paid


def test_block_payments_for_indivisible_value_by_hand():
    """£1,000.12 a year (100,012p = 12 * 8,334 + 4): each month pays the step in
    the rounded cumulative twelfths, so pennies are spread, not lost."""
    c = contract(BlockContract(), {"annual_value": 1000.12}, scope="community")
    paid = [pence_paid(c.month(Activity())) for _ in range(12)]
    # due to date after m months = round(100,012 * m / 12) = round(8,334.33 * m) pence:
    # 8334, 16669, 25003, 33337, 41672, 50006, 58340, 66675, 75009, 83343, 91678, 100012
    # so the payments are 8,334, 8,335, 8,334 repeating; 4 * 8,335 + 8 * 8,334 = 100,012
    assert paid == [8334, 8335, 8334] * 4
    assert sum(paid) == 100_012


@settings(max_examples=100, deadline=None)
@given(
    pence=st.integers(min_value=0, max_value=10**11),
    months=st.lists(month_activity, min_size=12, max_size=12),
)
def test_block_payments_ignore_activity(pence, months):
    """Whatever the activity, a year of block payments is the annual value to the penny."""
    annual_value = pence / 100
    c = contract(BlockContract(), {"annual_value": annual_value}, scope="community")
    paid = [pence_paid(c.month(a)) for a in months]
    assert sum(paid) == pence
    assert all(p >= 0 for p in paid)


def test_block_second_year_pays_the_annual_value_again():
    """After the year-end settlement a block contract starts paying twelfths afresh."""
    c = contract(BlockContract(), {"annual_value": 1000.01}, scope="community")
    for _ in range(12):
        c.month(Activity())
    assert c.settle_year() == []
    year2 = [pence_paid(c.month(Activity(emergency_spells=999))) for _ in range(12)]
    assert sum(year2) == 100_001
    assert c.paid_total_pence == 200_002


# --- GP capitation ------------------------------------------------------------------------------


def capitation_contract(per_patient=120.0, quality=15.0) -> Contract:
    return contract(GPCapitation(), {"per_patient": per_patient, "quality_per_patient": quality},
                    scope="primary_care")


def test_capitation_monthly_is_per_patient_times_list_over_twelve():
    """Capitation pays a twelfth of the annual per-patient sum on this month's list."""
    c = capitation_contract()
    # £120 * 1,000 / 12 = £10,000 = 1,000,000p
    assert c.month(Activity(registered_patients=1000)) == [Transfer(PAYER, PROVIDER, 1_000_000, "capitation")]
    # the list grew to 1,003: £120 * 1,003 / 12 = £10,030
    assert pence_paid(c.month(Activity(registered_patients=1003))) == 1_003_000


def test_capitation_monthly_rounds_to_pence():
    """An awkward per-patient figure is rounded to the nearest penny each month."""
    c = capitation_contract(per_patient=140.0)
    # £140 * 1,000 / 12 = £11,666.666... -> 1,166,667p
    assert pence_paid(c.month(Activity(registered_patients=1000))) == 1_166_667


def test_capitation_empty_list_pays_nothing():
    """No registered patients, no capitation (and no zero-pence transfer)."""
    assert capitation_contract().month(Activity(registered_patients=0)) == []


def test_capitation_quality_pay_settled_at_year_end():
    """QOF pay is quality_per_patient * list * achievement, settled at year end
    on the latest list and achievement (they are levels, not sums)."""
    c = capitation_contract()
    for m in range(11):
        c.month(Activity(registered_patients=990 + m, quality_achievement=0.5))
    c.month(Activity(registered_patients=1000, quality_achievement=0.8))
    # £15 * 1,000 * 0.8 = £12,000 = 1,200,000p
    assert c.settle_year() == [Transfer(PAYER, PROVIDER, 1_200_000, "quality_payment")]


def test_capitation_quality_pay_for_part_of_a_year():
    """A contract let with four months of the year left earns four twelfths of its quality pay:
    £15 * 1,000 * 0.8 * 4/12 = £4,000."""
    c = capitation_contract()
    for _ in range(4):
        c.month(Activity(registered_patients=1000, quality_achievement=0.8))
    assert c.settle_year() == [Transfer(PAYER, PROVIDER, 400_000, "quality_payment")]


def test_capitation_full_year_by_hand():
    """A steady list of 1,000 with 80% achievement: 12 * £10,000 + £12,000 = £132,000."""
    c = capitation_contract()
    total = sum(pence_paid(c.month(Activity(registered_patients=1000, quality_achievement=0.8))) for _ in range(12))
    total += pence_paid(c.settle_year())
    assert total == 13_200_000
    assert c.paid_total_pence == 13_200_000


def test_capitation_zero_achievement_pays_no_quality():
    """With no quality points achieved there is no year-end quality payment."""
    c = capitation_contract()
    for _ in range(12):
        c.month(Activity(registered_patients=1000, quality_achievement=0.0))
    assert c.settle_year() == []


# --- contract bookkeeping -------------------------------------------------------------------------


def test_contract_settle_year_resets_the_year_but_keeps_the_total():
    """settle_year books the settlement, then starts a new contract year: months,
    activity and paid_this_year_pence reset; paid_total_pence carries on."""
    c = capitation_contract()
    for _ in range(12):
        c.month(Activity(registered_patients=1000, quality_achievement=0.8))
    assert c.paid_this_year_pence == 12_000_000
    c.settle_year()
    assert c.paid_this_year_pence == 0
    assert c.months_this_year == 0
    assert c.year_activity == Activity()
    assert c.paid_total_pence == 13_200_000


def test_pbr_new_year_is_paid_from_zero_after_settlement():
    """After settlement a PbR contract's new year starts from a clean slate, so
    the first month of year 2 is paid in full and not netted against year 1."""
    c = contract(PaymentByResults(), pbr_terms())
    for _ in range(12):
        c.month(Activity(emergency_spells=125))
    assert c.settle_year() == []
    # year 2, month 1: baseline 100, 125 admissions -> £172,000 again
    assert pence_paid(c.month(Activity(emergency_spells=125))) == 17_200_000
    assert c.paid_this_year_pence == 17_200_000
    assert c.paid_total_pence == 206_400_000 + 17_200_000


def test_contract_books_refunds_from_provider_as_negative():
    """A transfer from provider back to payer reduces what the payer has paid."""
    c = capitation_contract()
    booked = c._book([Transfer(PROVIDER, PAYER, 500, "refund"), Transfer(PAYER, PROVIDER, 200, "pay")])
    assert len(booked) == 2
    assert c.paid_this_year_pence == -300
    assert c.paid_total_pence == -300


def test_contract_name_names_scope_payer_and_provider():
    """A contract's name says what it is for and who pays whom."""
    c = contract(BlockContract(), {"annual_value": 1.0}, scope="community")
    assert c.name == f"community:{PAYER}->{PROVIDER}"


def test_activity_add_sums_flows_and_takes_latest_stocks():
    """Accumulating activity adds flows (spells, attendances) but takes the
    latest list size and quality achievement, which are levels, not flows."""
    year = Activity(elective_spells=5, registered_patients=100, quality_achievement=0.3)
    year.add(Activity(elective_spells=7, emergency_spells=2, registered_patients=90, quality_achievement=0.6))
    assert year == Activity(elective_spells=12, emergency_spells=2, registered_patients=90, quality_achievement=0.6)


# --- the registry ---------------------------------------------------------------------------------


def test_regime_registry_and_scopes():
    """The registry has each regime under its name, and each regime says which
    scopes it can pay: capitation is for primary care only, PbR not for GPs."""
    assert {"pbr", "block", "capitation", "block_corridor", "gain_loss_share", "outcome_withhold", "alliance",
            "capitated", "pooled_budget"} <= set(REGIMES)
    assert all(name == r.name for name, r in REGIMES.items())
    assert REGIMES["capitation"].scopes == {"primary_care"}
    assert "primary_care" not in REGIMES["pbr"].scopes
    assert REGIMES["block"].scopes == {"acute", "community", "primary_care"}
