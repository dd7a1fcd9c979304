"""The money audit (model.audit): every source, contract and cost line checked to the penny
against the scenario's rules, under every regime and arrangement of the scenario library and in
random small places; and deliberately broken variants of the model, each caught.

The ledger's own invariant (tests/test_conservation.py) proves no posting makes or loses
money. It is blind to a payment never made, a payment drawn from the wrong account and a cost
booked twice, since each is a balanced posting: the broken variants below show it passing while
the audit fails. Three faults the audit found in the model are shown by their own tests, marked
as expected to fail until the model is fixed (see "Faults the audit found").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_conservation import BASELINE, assert_books_balance, small_places

from model import list_scenarios, load_scenario
from model.audit import Discrepancy, MoneyAudit, MoneyAuditError, audited_model
from model.economy import LocalHealthEconomy
from model.ledger import Ledger, Transfer
from model.organisations import Organisation
from model.regimes import REGIMES
from model.regimes.pbr import PaymentByResults

SIZE = 1_000  # people: the audit checks money, so a small place shows every flow


def run_audited(name: str, changes: dict[str, Any], *, size: int = SIZE, seed: int = 3) -> tuple[LocalHealthEconomy, MoneyAudit]:
    model, audit = audited_model(load_scenario(name).with_changes({"population.size": size, **changes}), rng=seed)
    return model.run(), audit


# --- the scenario library, every regime and arrangement ---------------------------------------------------
ARRANGEMENTS = ("switches", "capitated_budgets", "pooled_budgets", "tenders")


def library_case(name: str) -> dict[str, Any]:
    """A scenario's changes for a short run that still sees its arrangements: 36 months if one starts
    after the first year, else 24; one starting after month 24 starts a whole number of years earlier."""
    s = load_scenario(name)
    changes: dict[str, Any] = {}
    latest = 0
    for field in ARRANGEMENTS:
        specs = [spec.model_dump() for spec in getattr(s.contracting, field)]
        for spec in specs:
            while spec["step"] > 24:
                spec["step"] -= 12
            latest = max(latest, spec["step"])
        if specs:
            changes[f"contracting.{field}"] = specs
    changes["run.steps"] = 36 if latest >= 12 else 24
    return changes


# part-years the library does not have, the transformation fund and a failure: (scenario, changes)
EXTRA = {
    "switches mid-year to a corridor, an outcome withhold and a block for GPs, with the fund": ("baseline", {
        "run.steps": 24, "regulation.transformation_fund_share": 0.02, "regulation.transformation_fund_years": 1,
        "contracting.switches": [{"step": 7, "scope": "acute", "regime": "block_corridor"},
                                 {"step": 7, "scope": "community", "regime": "outcome_withhold"},
                                 {"step": 7, "scope": "primary_care", "regime": "block"}]}),
    "a corridor, a gain/loss share and an outcome withhold on acute care, each ended mid-year": ("teach-block-corridor", {
        "run.steps": 24, "contracting.switches": [{"step": 16, "scope": "acute", "regime": "gain_loss_share"},
                                                  {"step": 19, "scope": "acute", "regime": "outcome_withhold"},
                                                  {"step": 22, "scope": "acute", "regime": "pbr"}]}),
    "an alliance starting mid-year": ("all-fortress", {
        "run.steps": 24, "contracting.switches": [{"step": 7, "scope": "acute", "regime": "alliance"}]}),
    "a budget handed over mid-year": ("teach-place", {
        "run.steps": 24, "contracting.capitated_budgets": [{"commissioner": "Middleton CCG", "lead": "Middleton General", "step": 5}]}),
    "a tender mid-year, handed back": ("unitingcare", {"run.steps": 24, "population.size": 3_000}),
    "a GP-led budget whose lead fails, with the fund": ("teach-mcp", {
        "run.steps": 24, "regulation.failure_months": 0.0, "money.gp_federation_reserves_months": 0.0,
        "regulation.transformation_fund_share": 0.02, "regulation.transformation_fund_years": 1}),
}
CASES = {name: (name, library_case(name)) for name in list_scenarios()} | EXTRA


@pytest.fixture(scope="module")
def audited_runs() -> dict[str, tuple[LocalHealthEconomy, MoneyAudit, list[Discrepancy]]]:
    out = {}
    for case, (name, changes) in CASES.items():
        model, audit = run_audited(name, changes, size=changes.get("population.size", SIZE))
        out[case] = (model, audit, audit.discrepancies())
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_penny_of_the_library_adds_up(case, audited_runs):
    """Every source, contract and cost line of the case adds up to the penny."""
    _, _, found = audited_runs[case]
    assert not found, "\n".join(map(str, found[:10]))


def test_the_library_audit_covers_every_regime_and_arrangement(audited_runs):
    """The audit is not vacuous: across the cases it replayed payments under every regime,
    settlements of every regime that settles, part-years ended by a switch, a hand-over, a tender,
    a hand-back and a failure, and money from every source."""
    paid, settled, part_years, sources = set(), set(), set(), set()
    events: Counter[str] = Counter()
    for model, _, _ in audited_runs.values():
        events.update(e["event"] for e in model.events)
        sources.update(t.payer for _, t in model.ledger.journal if t.payer.startswith("source:"))
        for c in model.contracts:
            for r in c.records:
                if r.kind == "month" and r.transfers:
                    paid.add(c.regime.name)
                if r.kind == "settlement" and r.transfers:
                    settled.add(c.regime.name)
                if r.kind == "settlement" and r.months < 12 and not c.active and r is c.records[-1]:
                    part_years.add(c.regime.name)
    assert paid == set(REGIMES)
    assert settled >= {"capitation", "block_corridor", "gain_loss_share", "outcome_withhold", "alliance", "pooled_budget"}
    assert part_years >= {"pbr", "block", "capitation", "block_corridor", "gain_loss_share", "outcome_withhold"}
    assert {"tender_won", "top_up", "contract_ended", "failed"} <= set(events)
    assert sources == {"source:nhs_allocation", "source:council_grants", "source:transformation_fund", "source:opening_balances",
                       "source:national_support"}


# --- random small places ----------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=small_places().map(lambda c: {**c, "population.size": min(c["population.size"], 2_000)}))
def test_every_penny_adds_up_in_random_small_places(changes):
    """In random small places (strategies, regimes, switches, budgets, pooling, tenders, the fund,
    failures, money and behaviour parameters), every source, contract and cost line adds up."""
    model, audit = audited_model(BASELINE.with_changes(changes))
    model.run()
    found = audit.discrepancies()
    assert not found, "\n".join(map(str, found[:10]))


# --- broken variants: each caught by the audit, none by the ledger's invariant ------------------------------------
BROKEN_MONTH = 5


@contextmanager
def broken(monkeypatch: pytest.MonkeyPatch, variant: str) -> Iterator[None]:
    """The model with one deliberate fault in month 5, once."""
    done = []

    def once(ledger: Ledger, kind: str) -> bool:
        if ledger.step == BROKEN_MONTH and not done:
            done.append(kind)
            return True
        return False

    apply = Ledger.apply

    def booked(self: Ledger, transfers: list[Transfer]) -> None:
        out = []
        for t in transfers:
            if t.kind == "pbr_payment" and once(self, t.kind):
                if variant == "payment skipped":
                    continue
                if variant == "payment drawn from a source":
                    t = Transfer("source:nhs_allocation", t.payee, t.pence, t.kind)
                if variant == "payment booked twice":
                    out.append(t)
            out.append(t)
        apply(self, out)

    monthly = PaymentByResults.monthly

    def regime_skips(self: PaymentByResults, contract: Any, activity: Any) -> list[Transfer]:
        transfers = monthly(self, contract, activity)
        return [] if transfers and once(contract.payer_org.model.ledger, "pbr") else transfers

    spend = Organisation.spend

    def spent(self: Organisation, pounds: float, kind: str) -> None:
        spend(self, pounds, kind)
        if kind == "beds_and_staff" and once(self.model.ledger, kind):
            spend(self, pounds, kind)

    if variant == "payment skipped by its regime":
        monkeypatch.setattr(PaymentByResults, "monthly", regime_skips)
    elif variant == "cost booked twice":
        monkeypatch.setattr(Organisation, "spend", spent)
    elif variant != "none":
        monkeypatch.setattr(Ledger, "apply", booked)
    yield
    assert variant == "none" or done, f"the fault {variant!r} never happened"


# the variant and the checks that catch it
VARIANTS: dict[str, set[str]] = {
    "none": set(),
    "payment skipped": {"contracts"},
    "payment skipped by its regime": {"contracts"},
    "payment drawn from a source": {"inflows", "contracts"},
    "payment booked twice": {"contracts"},
    "cost booked twice": {"costs"},
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_broken_model_fails_the_audit_and_passes_the_ledgers_invariant(variant, monkeypatch):
    """Each fault is caught by the audit's checks named in VARIANTS, and by no other; the ledger's
    invariant, checked every month and again at the end, passes on every one of them. The model
    unbroken passes the audit."""
    with broken(monkeypatch, variant):
        model, audit = run_audited("baseline", {"run.steps": 13})
    assert_books_balance(model)  # the invariant alone sees nothing wrong
    found = audit.discrepancies()
    assert {d.check for d in found} == VARIANTS[variant], "\n".join(map(str, found[:10]))
    if VARIANTS[variant]:
        with pytest.raises(MoneyAuditError):
            audit.check()
        assert min(d.step for d in found) == BROKEN_MONTH
    else:
        audit.check()


def test_the_audit_starts_on_a_journal_before_the_first_month():
    """An audit needs the journal from the opening balances on: a place without one, or one already
    running, is refused with a message that says so."""
    scenario = BASELINE.with_changes({"population.size": SIZE})
    with pytest.raises(ValueError, match="keep_journal=True, before its first month"):
        MoneyAudit(LocalHealthEconomy(scenario))
    model = LocalHealthEconomy(scenario, keep_journal=True)
    model.step()
    with pytest.raises(ValueError, match="before its first month"):
        MoneyAudit(model)


def test_keeping_the_journal_changes_no_result():
    """The audit trail (the journal and the contracts' records) only records: a run keeping it gives
    the same tables as one without."""
    scenario = load_scenario("teach-alliance").with_changes({"population.size": SIZE, "run.steps": 14})
    plain = LocalHealthEconomy(scenario).run()
    kept = LocalHealthEconomy(scenario, keep_journal=True).run()
    assert plain.place_table().equals(kept.place_table())
    assert plain.organisation_table().equals(kept.organisation_table())
    assert not any(c.records for c in plain.contracts) and all(c.records for c in kept.contracts if c.active)


# --- faults the audit found, now mended: each case once failed the audit -----------------------------------------
def test_an_alliance_ended_part_way_through_a_year_shares_its_result_among_its_members():
    """An alliance's settlements net to zero for the payer: its members share the alliance's result.
    Ended part-way through a year, the members are settled one at a time against the contract book
    as it changes: once a member's contract has closed, the next member's settlement no longer counts
    the closed member's result, so the payer's settlements no longer net to zero (here Northvale CCG
    paid its alliance £980 net in month 6); the settlements now read the contracts as they stood when the
    batch began. Smallest case: the all-collaborative place, acute
    alliance switched to PbR in month 6."""
    _, audit = run_audited("all-collaborative", {"run.steps": 7, "contracting.switches": [
        {"step": 6, "scope": "acute", "regime": "pbr"}]})
    audit.check()


def test_a_failures_write_off_counts_in_the_years_results():
    """A failed GP federation's debts written off by its commissioner were paid after the year's books
    closed, so the payment was in neither organisation's result for that year, nor any other (here
    £126.85 written off by Middleton CCG); failures are now judged before the books close. Smallest case: the MCP teaching place with no GP reserves and failure at
    any deficit, 12 months."""
    _, audit = run_audited("teach-mcp", {"run.steps": 12, "regulation.failure_months": 0.0,
                                         "money.gp_federation_reserves_months": 0.0})
    audit.check()


def test_a_councils_exceptional_financial_support_is_replayed_to_the_penny():
    """A council under a section 114 notice gets government intervention and exceptional financial support
    from national support; the audit replays it from the council's reserves and income in the journal (with
    the councils' rule left out of the replay, 2 discrepancies here). Councils judged by no regulator,
    intervention at the first notice, grants falling 5% a year, 36 months."""
    model, audit = run_audited("baseline", {
        "population.size": 2_000, "run.steps": 36, "regulation.council_failure_regime": True,
        "regulation.council_intervention_years": 0, "regulation.judged_kinds": ["hospital"],
        "money.council_grant_growth": -0.05}, seed=1)
    assert model.events_of("government_intervention")
    assert any(t.kind == "exceptional_financial_support" for _, t in model.ledger.journal)
    audit.check()


def test_a_budget_handed_over_after_a_tender_pays_for_its_services_once():
    """A commissioner that hands over its budget after tendering its acute services re-let both the
    winner's contract and the winner's sub-contracts to the lead, and sized the budget on both (here a
    £236k block to the winner beside £236k a year of sub-contracts for the same care); the lead now
    takes over the commissioner's own contracts, and the winner keeps paying its sub-contractors.
    Smallest case: the baseline place, Northvale CCG's acute care tendered
    in month 0 and its budget handed to a GP federation in month 12."""
    _, audit = run_audited("baseline", {"run.steps": 13, "contracting.tenders": [
        {"step": 0, "commissioner": "Northvale CCG", "scope": "acute", "ceiling": 1.0, "cost_gap": 1.0,
         "bidders": [{"name": "Northvale General"}]}],
        "contracting.capitated_budgets": [{"commissioner": "Northvale CCG", "lead": "Abbey GP Federation", "step": 12}]})
    audit.check()

