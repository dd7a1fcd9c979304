"""Contracting in the place: regime terms from the scenario, and regime switches mid-run."""

import pytest
from lhe_runs import journal_model

from model import LocalHealthEconomy, ScenarioError, load_scenario
from model.decisions import Change, View, own_money

SMALL = {"population.size": 4_000, "run.steps": 40}


def _journal_model(changes: dict, steps: int = 40) -> LocalHealthEconomy:
    return journal_model({"run.steps": 40, **changes}, steps, size=4_000, seed=5)


@pytest.fixture(scope="module")
def switched():
    return _journal_model({"contracting.switches": [{"step": 30, "scope": "acute", "regime": "block"}]})


def test_a_switch_takes_effect_at_exactly_the_step_named(switched):
    kinds = {}
    for step, t in switched.ledger.journal:
        if t.payee.startswith("hospital:") and t.kind in ("pbr_payment", "block_payment") and t.payer.startswith("commissioner:"):
            kinds.setdefault(t.kind, set()).add(step)
    # community services are paid by block throughout; acute PbR payments stop at step 30
    assert max(kinds["pbr_payment"]) == 29
    acute_blocks = [step for step, t in switched.ledger.journal
                    if t.kind == "block_payment" and any(c.scope == "acute" and c.provider == t.payee and c.payer == t.payer
                                                          and c.regime.name == "block" for c in switched.contracts)]
    assert min(acute_blocks) <= 30


def test_money_is_conserved_through_a_switch(switched):
    switched.ledger.check()  # raises if any account or the totals are out by a penny
    # (contracts let for a year are let again at each year end; the switch closes those running at step 30)
    old = [c for c in switched.contracts if c.scope == "acute" and c.ended_step == 30]
    new = [c for c in switched.contracts if c.scope == "acute" and c.active]
    assert old and len(old) == len(new)
    assert all(c.regime.name == "pbr" for c in old) and all(c.regime.name == "block" and c.start_step == 30 for c in new)


def test_the_new_block_pays_its_annual_value_pro_rata_to_the_year_end():
    # step 30 starts month 7 of the third year (steps 24-35): six months are paid by the year end
    m = _journal_model({"contracting.switches": [{"step": 30, "scope": "acute", "regime": "block"}]}, steps=36)
    for c in (c for c in m.contracts if c.scope == "acute" and c.active):
        assert c.paid_total_pence == round(c.basis.annual_value * 6 / 12 * 100)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"contracting.terms": {"not_a_term": 0.1}}, ["contracting.terms.not_a_term", "not a parameter"]),
        ({"contracting.switches": [{"step": 12, "scope": "acute", "regime": "nope"}]}, ["contracting.switches.0.regime", "'nope'", "unknown regime"]),
        ({"contracting.switches": [{"step": 12, "scope": "primary_care", "regime": "pbr"}]}, ["switches.0.regime", "cannot pay for primary_care"]),
        ({"contracting.switches": [{"step": 0, "scope": "acute", "regime": "block"}]}, ["contracting.switches.0.step", "greater than or equal to 1"]),
    ],
)
def test_bad_contracting_names_the_field_value_and_what_is_allowed(changes, expected):
    with pytest.raises(ScenarioError) as e:
        load_scenario().with_changes(changes)
    for text in expected:
        assert text in str(e.value)


@pytest.fixture(scope="module")
def pacs():
    return _journal_model({"contracting.capitated_budgets": [
        {"commissioner": "Northvale CCG", "lead": "Northvale General", "step": 0}]}, steps=14)


def test_a_capitated_budget_replaces_the_commissioners_contracts_with_one_budget_to_the_lead(pacs):
    m = pacs
    cm, lead = m.organisation("Northvale CCG"), m.organisation("Northvale General")
    mine = [c for c in m.contracts if c.active and c.population_of is cm]
    budget = [c for c in mine if c.scope == "whole_population"]
    assert len(budget) == 1 and budget[0].payer == cm.account and budget[0].provider == lead.account
    # every other contract for this population is now paid by the lead, including its own (in-house)
    assert {c.payer for c in mine if c.scope != "whole_population"} == {lead.account}
    # the commissioner pays no provider but the lead for care
    care = {"pbr_payment", "block_payment", "capitation", "quality_payment"}
    assert not [t for _, t in m.ledger.journal if t.payer == cm.account and t.kind in care]
    # ... and the budget is worth what its contracts were worth when handed over (the commissioner's own:
    # a sub-contract of the lead's may have ended since, at its term, and been let again)
    closed = [c for c in m.contracts if not c.active and c.population_of is cm and c.payer == cm.account]
    assert budget[0].basis.annual_value == pytest.approx(sum(c.basis.annual_value for c in closed))


def test_the_budget_is_paid_per_registered_person_each_month(pacs):
    m = pacs
    cm = m.organisation("Northvale CCG")
    budget = next(c for c in m.contracts if c.active and c.scope == "whole_population")
    paid = [t.pence for step, t in m.ledger.journal if t.kind == "capitated_budget" and step == 13]
    people = sum(g.list_size for g in m.gp_federations if g.commissioner is cm)
    assert paid == [round(budget.terms["per_head"] * people / 12 * 100)]


def test_the_lead_provider_pays_itself_nothing_and_stops_earning_by_activity(pacs):
    m = pacs
    lead = m.organisation("Northvale General")
    assert not [t for _, t in m.ledger.journal if t.payer == lead.account and t.payee == lead.account]
    own = [c for c in m.contracts if c.active and c.payer == lead.account and c.provider == lead.account]
    assert {c.scope for c in own} == {"acute", "community"}
    # one more admission of the population whose budget it holds earns it nothing: its own costs only;
    # one of the other commissioner's population is still paid by PbR
    view = View(m)
    for c in view.acute_contracts(lead):
        change = Change()
        change.units[(id(c), "elective_spell")] = 1.0
        earned = own_money(view, lead, change)
        assert earned == (0.0 if c.payer == lead.account else pytest.approx(view.marginal(c, "elective_spell"))) != 0 or \
            c.payer == lead.account
    assert {c.payer == lead.account for c in view.acute_contracts(lead)} == {True, False}


def test_money_is_conserved_when_a_budget_is_handed_over_mid_year():
    m = _journal_model({"contracting.capitated_budgets": [
        {"commissioner": "Eastmoor CCG", "lead": "Brookside GP Federation", "step": 17}]}, steps=30)
    m.ledger.check()
    assert [c.start_step for c in m.contracts if c.scope == "whole_population"] == [17]


def test_a_capitated_budget_must_name_a_commissioner_and_a_provider():
    with pytest.raises(ScenarioError) as e:
        load_scenario().with_changes({"contracting.capitated_budgets": [{"commissioner": "Northvale CCG", "lead": "Northvale Council"}]})
    assert "contracting.capitated_budgets.0.lead" in str(e.value) and "hospital or a GP federation" in str(e.value)


def test_a_pooled_budget_pays_the_contribution_and_shares_the_councils_result():
    m = _journal_model({"contracting.pooled_budgets": [
        {"commissioner": "Northvale CCG", "council": "Northvale Council", "nhs_contribution": 0.02}],
        "contracting.terms": {"pooled_risk_share": 0.4}}, steps=12)
    cm, co = m.organisation("Northvale CCG"), m.organisation("Northvale Council")
    pot = next(c for c in m.contracts if c.scope == "social_care")
    paid = sum(t.pence for _, t in m.ledger.journal if t.kind == "pooled_budget" and t.payer == cm.account and t.payee == co.account)
    # twelve months of the contribution: 2% of the allocation for the council's share of the CCG's population
    assert paid == round(0.02 * cm.allocation * m.catchments.resident_share(cm, co) * 100)
    assert pot.basis.annual_value == pytest.approx(paid / 100, abs=0.01)
    shared = [t for step, t in m.ledger.journal if t.kind == "pooled_risk_share"]
    assert len(shared) == 1
    share = shared[0].pence if shared[0].payer == cm.account else -shared[0].pence
    # the council's year result before the share: what it ends with, less what the NHS's share moved
    result_before = co.memory[-1] - share / 100
    assert share == round(-0.4 * result_before * 100)
    m.ledger.check()


def test_a_council_pooling_with_two_commissioners_shares_its_result_once():
    m = _journal_model({"contracting.pooled_budgets": [
        {"commissioner": c.name, "council": "Eastmoor Council", "nhs_contribution": 0.02} for c in load_scenario().commissioners],
        "contracting.terms": {"pooled_risk_share": 0.5}}, steps=12)
    co = m.organisation("Eastmoor Council")
    moved = sum(t.pence if t.payee == co.account else -t.pence for _, t in m.ledger.journal if t.kind == "pooled_risk_share")
    result_before = co.memory[-1] - moved / 100
    # the NHS's half of the council's result, split between the two pots, once in all
    assert moved == pytest.approx(-0.5 * result_before * 100, abs=2)


def test_a_failed_lead_provider_hands_its_budget_back_and_its_debts_are_written_off():
    # an MCP led by a small GP federation; any deficit at a year end counts as failure here
    m = _journal_model({"contracting.capitated_budgets": [
        {"commissioner": "Eastmoor CCG", "lead": "Brookside GP Federation", "step": 0}],
        "regulation.failure_months": 0.0, "demand.unexplained_growth": 0.3}, steps=24)
    m.ledger.check()
    failed = m.events_of("failed")
    lead = m.organisation("Brookside GP Federation")
    assert failed and failed[0]["organisation"] == lead.name
    step = failed[0]["step"]
    cm = m.organisation("Eastmoor CCG")
    # the budget ended, and the commissioner pays the providers again
    assert not [c for c in m.contracts if c.active and c.scope == "whole_population"]
    assert all(c.payer == cm.account for c in m.contracts if c.active and c.population_of is cm and c.scope == "acute")
    # the commissioner whose budget it held wrote off its debts at that year end (the month's
    # postings are numbered from 0: the twelfth month is step 11)
    written = [t for s, t in m.ledger.journal if t.kind == "failure_write_off" and s == step - 1 and t.payee == lead.account]
    assert [t.payer for t in written] == [cm.account]
    assert written[0].pence == round(failed[0]["deficit"] * 100)


def test_next_years_elective_plan_counts_the_whole_year_across_a_mid_year_switch():
    """A commissioner capping electives plans next year on the electives done last year. A switch part-way
    through the year closes each acute contract and lets a successor of the same name: the plan counts the
    electives done under both, not the successor's part year alone."""
    s = load_scenario("all-fortress").with_changes({
        "population.size": 4_000,
        "contracting.switches": [{"step": 18, "scope": "acute", "regime": "outcome_withhold"}],
    })
    m = LocalHealthEconomy(s, rng=5)
    m.ledger.keep_journal = True
    for _ in range(24):  # through the second year (months 12 to 23) and its year end
        m.step()

    def done_in_year(c) -> int:  # electives of the year under every contract for the same services
        return sum(r.activity.elective_spells for x in m.contracts
                   if (x.payer, x.provider, x.scope, x.population_of) == (c.payer, c.provider, c.scope, c.population_of)
                   for r in x.records if r.kind == "month" and 12 <= r.step < 24)

    planned = [c for c in m.contracts if c.active and c.scope == "acute" and c.terms.get("elective_plan") is not None]
    split = 0  # services whose electives were done under both contracts
    for c in planned:
        assert c.start_step == 18  # the successor, let at the switch, ran half the year
        successor = sum(r.activity.elective_spells for r in c.records if r.kind == "month")
        whole = done_in_year(c)
        split += whole > successor > 0
        assert c.terms["elective_plan"] == pytest.approx(whole * (1 + c.payer_org.behaviour.plan_growth))
    assert split >= 2


def test_a_lead_in_its_own_alliance_is_attributed_at_most_its_whole_result():
    """A member's result counts in an alliance by the alliance's share of its contract income; a lead
    that is also a member holds a contract with itself, which is not income, so its share stops at
    its whole result (a fuzzed place where its income from others was next to nothing divided by
    about 1e-321 and overflowed)."""
    from types import SimpleNamespace

    from model.contracting import ContractBook

    def contract(payer, provider, value, members=None):
        terms = {"annual_value": value, **({"members": members} if members else {})}
        return SimpleNamespace(payer=payer, provider=provider, scope="community", terms=terms, basis=None)

    lead, other = "hospital:lead", "hospital:other"
    own = contract(lead, lead, 12_900.0, members=[lead, other])
    theirs = contract(lead, other, 4_200.0, members=[lead, other])
    income = contract("commissioner:c", lead, 7.2e-321)  # next to nothing from anyone else
    others_income = contract("commissioner:c", other, 8_400.0)
    active = (own, theirs, income, others_income)
    out = ContractBook._alliance_results(own, {lead: -2_351.9, other: 334.8}, active)
    assert out[lead] == -2_351.9  # its whole result, not 12,900 / 7.2e-321 times it
    assert out[other] == pytest.approx(334.8 * 4_200 / (4_200 + 8_400))  # half its income is the alliance's
