"""Money is conserved in whole runs: every penny the organisations hold came in
from a source and has not gone out as spending.

A property test draws small random places (size, length, strategies, regimes,
money and behaviour parameters, seed) and checks the ledger's invariant to the
penny after every month, year ends included.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import LocalHealthEconomy, load_scenario
from model.ledger import AccountType, UnbalancedPosting
from model.regimes import REGIMES
from model.scenario import ORG_KINDS

BASELINE = load_scenario()
ORG_PATHS = [f"{kind}.{i}.strategy" for kind in ORG_KINDS for i in range(len(getattr(BASELINE, kind)))]
STRATEGY = st.sampled_from(["fortress", "collaborative"])


FITS = {scope: sorted(name for name, r in REGIMES.items() if scope in r.scopes) for scope in ("acute", "community", "primary_care")}
# events start within the run (a month before its end), as the scenario requires
def switch(steps: int) -> st.SearchStrategy:
    return st.sampled_from(sorted(FITS)).flatmap(lambda scope: st.fixed_dictionaries({
        "step": st.integers(1, steps - 1), "scope": st.just(scope), "regime": st.sampled_from(FITS[scope])}))


def capitated(steps: int) -> st.SearchStrategy:
    return st.fixed_dictionaries({
        "commissioner": st.sampled_from([c.name for c in BASELINE.commissioners]),
        "lead": st.sampled_from([o.name for o in (*BASELINE.hospitals, *BASELINE.gp_federations)]),
        "step": st.integers(0, steps - 1),
    })


def pooled(steps: int) -> st.SearchStrategy:
    return st.fixed_dictionaries({
        "commissioner": st.sampled_from([c.name for c in BASELINE.commissioners]),
        "council": st.sampled_from([c.name for c in BASELINE.councils]),
        "nhs_contribution": st.floats(0.0, 0.1),
        "step": st.integers(0, steps - 1),
    })

BIDDER = st.fixed_dictionaries({
    "name": st.sampled_from([o.name for o in (*BASELINE.hospitals, *BASELINE.gp_federations)] + ["New Prime Contractor"]),
    "cost_bias": st.floats(-0.3, 0.3), "cost_error": st.floats(0.0, 0.2), "optimism": st.floats(0.0, 0.2),
    "capital": st.floats(0.01, 0.2),
}).map(lambda b: b if b["name"] == "New Prime Contractor" else {**b, "capital": 0.0})
TENDER = st.fixed_dictionaries({
    "step": st.integers(0, 12),
    "commissioner": st.sampled_from([c.name for c in BASELINE.commissioners]),
    "scope": st.sampled_from(["acute", "community"]),
    "ceiling": st.floats(0.8, 1.2), "cost_gap": st.floats(0.8, 1.5), "top_up": st.booleans(),
    "termination_cost": st.floats(0.0, 0.2), "termination_commissioner_share": st.floats(0.0, 1.0),
    "bidders": st.lists(BIDDER, min_size=1, max_size=3, unique_by=lambda b: b["name"]),
})


@st.composite
def small_places(draw) -> dict:
    """Changes to the baseline giving a small, short, randomly configured place."""
    steps = draw(st.integers(13, 30))  # at least one year end
    changes = {
        "population.size": draw(st.integers(1000, 4000)),
        "run.steps": steps,
        "run.seed": draw(st.integers(0, 2**32 - 1)),
        "contracting.acute": draw(st.sampled_from(FITS["acute"])),
        "contracting.community": draw(st.sampled_from(FITS["community"])),
        "contracting.primary_care": draw(st.sampled_from(FITS["primary_care"])),
        "contracting.switches": draw(st.lists(switch(steps), max_size=2)),
        "contracting.capitated_budgets": draw(st.lists(capitated(steps), max_size=1)),
        "contracting.pooled_budgets": draw(st.lists(pooled(steps), max_size=1)),
        "contracting.tenders": draw(st.lists(TENDER, max_size=1)),
        "adaptation.policy": draw(st.sampled_from(["fixed", "adaptive"])),
        "commons.shared_measures": draw(st.booleans()),
        "commons.graduated_sanctions": draw(st.booleans()),
        "commons.sanction_per_harm": draw(st.floats(0.0, 3.0)),
        "regulation.focus": draw(st.sampled_from(["organisation", "system"])),
        "regulation.transformation_fund_share": draw(st.floats(0.0, 0.05)),
        "regulation.transformation_fund_years": draw(st.integers(0, 3)),
        "regulation.failure_months": draw(st.floats(0.0, 6.0)),
        "money.allocation_growth": draw(st.floats(-0.02, 0.04)),
        "money.council_grant_growth": draw(st.floats(-0.05, 0.02)),
        "money.efficiency_requirement": draw(st.floats(0.0, 0.06)),
        "money.productivity_growth": draw(st.floats(0.0, 0.03)),
        "money.cost_growth": draw(st.floats(0.0, 0.04)),
        "money.starting_cost_overrun": draw(st.floats(0.0, 0.1)),
        "money.opening_reserves_months": draw(st.floats(0.0, 2.0)),
        "tariff.emergency_marginal_rate": draw(st.floats(0.0, 1.0)),
        "social_care.nhs_funded_share": draw(st.floats(0.0, 0.2)),
        "strategies.commissioner.collaborative.pooled_share": draw(st.floats(0.0, 0.1)),
        "strategies.commissioner.fortress.over_plan_payment_rate": draw(st.floats(0.0, 1.0)),
        "regulation.council_failure_regime": draw(st.booleans()),
        "regulation.council_notice_months": draw(st.floats(0.0, 2.0)),
        "regulation.council_intervention_years": draw(st.integers(0, 2)),
    }
    for path in ORG_PATHS:
        changes[path] = draw(STRATEGY)
    return changes


def assert_books_balance(m: LocalHealthEconomy) -> None:
    """The ledger's invariant, checked two ways: by `check()` and by summing the
    organisations' own accounts against what came in and went out."""
    led = m.ledger
    led.check()
    t = led.totals()
    org_accounts = [o.account for o in m.organisations]
    assert sorted(led.accounts(AccountType.ORGANISATION)) == sorted(org_accounts)
    held = sum(led.balance(a) for a in org_accounts)
    inflows = -sum(led.balance(a) for a in led.accounts(AccountType.SOURCE))
    spending = sum(led.balance(a) for a in led.accounts(AccountType.SINK))
    assert held == t["organisations"]
    assert inflows == t["inflows"]
    assert spending == t["spending"]
    assert held == inflows - spending
    assert all(type(led.balance(a)) is int for a in led.accounts())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=small_places())
def test_money_is_conserved_every_month(changes):
    """In any small place under any mix of strategies and regimes, after every
    month the organisations hold exactly inflows minus spending, to the penny,
    and the month's recorded flows agree with the change in the stocks."""
    m = LocalHealthEconomy(BASELINE.with_changes(changes))
    assert_books_balance(m)
    led = m.ledger
    sources, sinks = led.accounts(AccountType.SOURCE), led.accounts(AccountType.SINK)
    for _ in range(changes["run.steps"]):
        before = led.totals()
        m.step()
        assert_books_balance(m)
        after = led.totals()
        # flows this month (reset at the start of each step) explain the change in stocks
        came_in = sum(led.period_out[a] - led.period_in[a] for a in sources)
        went_out = sum(led.period_in[a] - led.period_out[a] for a in sinks)
        assert after["inflows"] - before["inflows"] == came_in
        assert after["spending"] - before["spending"] == went_out
        assert after["organisations"] - before["organisations"] == came_in - went_out
    assert m.month == changes["run.steps"]
    assert not m.running


def test_place_table_money_matches_the_ledger():
    """The place table's cumulative money columns are the ledger's totals in pounds."""
    m = LocalHealthEconomy(BASELINE.with_changes({"population.size": 2000, "run.steps": 14})).run()
    last = m.place_table().iloc[-1]
    t = m.ledger.totals()
    assert last["place_balance"] == pytest.approx(t["organisations"] / 100)
    assert last["cumulative_inflows"] == pytest.approx(t["inflows"] / 100)
    assert last["cumulative_spending"] == pytest.approx(t["spending"] / 100)


def test_unbalanced_posting_on_a_live_model_is_refused():
    """A deliberately unbalanced posting on a running model's ledger raises
    UnbalancedPosting, leaves every balance as it was, and the model carries on
    with its books intact."""
    m = LocalHealthEconomy(BASELINE.with_changes({"population.size": 1000, "run.steps": 14}))
    m.run(3)
    led = m.ledger
    hospital, commissioner = m.hospitals[0].account, m.commissioners[0].account
    before = {a: led.balance(a) for a in led.accounts()}
    with pytest.raises(UnbalancedPosting):
        led.post([(commissioner, -1_000_000), (hospital, 1_000_001)], "money from nowhere")
    with pytest.raises(UnbalancedPosting):
        led.post([(hospital, 5)], "a gift from nobody")
    assert {a: led.balance(a) for a in led.accounts()} == before
    m.run(11)
    assert_books_balance(m)
