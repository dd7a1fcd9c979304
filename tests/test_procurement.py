"""Procurement: tenders, bids with error and optimism, the lowest bid wins, hand-back and its costs.

The UnitingCare case (seed 004) is set up from its scenario file alone.
"""

import numpy as np
import pytest

from model import LocalHealthEconomy, ScenarioError, load_scenario


@pytest.fixture(scope="module")
def unitingcare():
    m = LocalHealthEconomy(load_scenario("unitingcare").with_changes({"population.size": 30_000}), rng=2)
    m.ledger.keep_journal = True
    return m.run()


def test_the_lowest_bid_wins_and_it_is_below_the_true_cost(unitingcare):
    won = unitingcare.events_of("tender_won")
    assert len(won) == 1
    e = won[0]
    assert e["winner"] == "UnitingCare Partnership"
    assert e["bids"]["UnitingCare Partnership"] == min(e["bids"].values())
    assert e["bids"]["UnitingCare Partnership"] < e["value"] < e["true_cost"]  # below the ceiling, below cost
    # the others bid the ceiling, as Virgin Care and Care UK did
    assert all(b == pytest.approx(e["value"]) for n, b in e["bids"].items() if n != e["winner"])


def test_the_winner_loses_more_than_its_reserves_asks_for_more_and_hands_the_contract_back(unitingcare):
    m = unitingcare
    asked = m.events_of("top_up")
    ended = m.events_of("contract_ended")
    assert len(asked) == 1 and not asked[0]["granted"] and asked[0]["pounds"] > 0
    assert len(ended) == 1
    start = m.events_of("tender_won")[0]["step"]
    # it asks first (one month in, in 2015), and hands back within the contract's first year
    assert start <= asked[0]["step"] < ended[0]["step"] < start + 12
    won = m.events_of("tender_won")[0]
    capital = load_scenario("unitingcare").contracting.tenders[0].bidders[0].capital
    assert ended[0]["loss"] > capital * won["value"] * 0.9  # its capital (set on the value at the start; prices fell since)
    # the services went back to the commissioner: it pays the providers directly again
    cm = m.organisation("Northvale CCG")
    community = [c for c in m.contracts if c.active and c.scope == "community" and c.population_of is cm]
    assert community and all(c.payer == cm.account for c in community)


def test_termination_costs_are_booked_to_the_commissioner_and_the_winner(unitingcare):
    m = unitingcare
    spec = load_scenario("unitingcare").contracting.tenders[0]
    cost = m.events_of("contract_ended")[0]["termination_cost"]
    booked = {t.payer: t.pence for _, t in m.ledger.journal if t.kind == "termination_costs"}
    assert booked["commissioner:Northvale CCG"] == round(cost * spec.termination_commissioner_share * 100)
    assert booked["prime_contractor:UnitingCare Partnership"] == round(cost * (1 - spec.termination_commissioner_share) * 100)
    m.ledger.check()


def test_a_commissioner_that_tops_up_keeps_the_contract_for_longer(unitingcare):
    s = load_scenario("unitingcare").with_changes({"population.size": 30_000, "contracting.tenders.0.top_up": True})
    m = LocalHealthEconomy(s, rng=2).run()
    asked = m.events_of("top_up")
    assert asked and asked[0]["granted"]
    # (the winner asks once; if its sub-contractors' costs keep outgrowing its block it may still hand back)
    ended, refused = m.events_of("contract_ended"), unitingcare.events_of("contract_ended")
    assert not ended or ended[0]["step"] > refused[0]["step"] + 12


def test_a_top_up_stays_with_the_services_when_the_contract_is_let_again_and_is_asked_once():
    s = load_scenario("unitingcare").with_changes({"population.size": 30_000, "contracting.tenders.0.top_up": True})
    m = LocalHealthEconomy(s, rng=2)
    while not m.events_of("top_up"):
        m.step()
    c = next(x for x in m.contracting.contracts if x.active and x.tendered is not None)
    granted = m.events_of("top_up")[0]["pounds"]
    assert c.terms["annual_value"] == pytest.approx(m.contracting.current_basis(c).annual_value + granted)
    # let again from this month to the same payer (as a regime switch or a budget handed over does): the
    # new contract is paid the top-up too, at today's prices, and its winner does not ask a second time
    m.contracting.close(c, m.year_to_date())
    new = m.contracting.relet(c, c.payer_org)
    assert new.tendered is c.tendered
    assert new.terms["annual_value"] == pytest.approx(m.contracting.current_basis(new).annual_value + granted)
    for _ in range(24):
        m.step()
    assert len(m.events_of("top_up")) == 1
    m.ledger.check()


def test_honest_bidders_at_the_true_cost_do_not_fail():
    s = load_scenario("unitingcare").with_changes({
        "population.size": 30_000,
        "contracting.tenders.0.cost_gap": 1.0,
        "contracting.tenders.0.bidders.0.cost_bias": 0.0,
        "contracting.tenders.0.bidders.0.optimism": 0.0,
        "contracting.tenders.0.bidders.1.cost_error": 0.0,
        "contracting.tenders.0.bidders.2.cost_error": 0.0,
    })
    m = LocalHealthEconomy(s, rng=2).run()
    assert m.events_of("tender_won") and not m.events_of("contract_ended")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"contracting.tenders.0.bidders.0.capital": 0.0}, ["tenders.0.bidders.0.capital", "new prime contractor"]),
        ({"contracting.tenders.0.bidders.1.name": "Northvale Council"}, ["tenders.0.bidders.1.name", "hospital, a GP federation"]),
        ({"contracting.tenders.0.commissioner": "Nowhere CCG"}, ["tenders.0.commissioner", "no such commissioner"]),
        ({"contracting.tenders.0.scope": "primary_care"}, ["tenders.0.scope", "'primary_care'"]),
    ],
)
def test_bad_tenders_name_the_field(changes, expected):
    with pytest.raises(ScenarioError) as e:
        load_scenario("unitingcare").with_changes(changes)
    for text in expected:
        assert text in str(e.value)


def test_the_command_line_reports_the_tender_and_the_hand_back(tmp_path, capsys):
    from model.cli import main

    code = main(["run", "unitingcare", "--set", "population.size=20000", "--out", str(tmp_path), "--quiet", "--no-charts"])
    out = capsys.readouterr().out
    assert code == 0
    assert "tender won by UnitingCare Partnership" in out and "refused" in out and "handed back" in out
    import json

    events = json.loads((tmp_path / "run.json").read_text())["events"]
    contracting = [e["event"] for e in events if e["event"] in ("tender_won", "top_up", "contract_ended")]
    assert contracting == ["tender_won", "top_up", "contract_ended"]


def test_bad_contract_terms_in_a_file_exit_2_naming_the_field(tmp_path, capsys):
    from model.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nextends = "baseline"\n[contracting]\nacute = "gain_loss_share"\n[contracting.terms]\ncap = 2.0\n')
    assert main(["run", str(bad), "--steps", "2", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "contracting.terms.cap" in err and "between 0 and 0.5" in err


def test_a_sub_contract_re_let_under_another_regime_still_counts_in_the_winners_loss(monkeypatch):
    """A prime contractor that wins an acute tender is a lead that may change how it pays a hospital at a
    year end: the old sub-contract closes and a new one is let. What it paid under the closed one is still
    part of its loss on the tendered contract, so it hands back when that whole loss exceeds its reserves."""
    import model.decisions as decisions

    s = load_scenario("unitingcare").with_changes({
        "population.size": 4_000,
        "contracting.tenders.0.scope": "acute",
        "contracting.tenders.0.bidders.0.capital": 1.0,  # reserves enough to carry a year's loss
    })
    m = LocalHealthEconomy(s, rng=3)
    winner = m.organisation("UnitingCare Partnership")
    # the year after the tender, up to its last month
    for _ in range(23):
        m.step()
    (tendered,) = [c for c in m.contracts if c.active and c.tendered is not None]
    assert not m.events_of("contract_ended")
    # at the year end the winner changes how it pays each hospital (the choice forced: the other regime)
    monkeypatch.setattr(decisions, "_logit_choice", lambda scores, scale, rng: int(np.argmin(scores)))
    m.step()
    changed = m.events_of("subcontract_changed")
    assert changed and all(e["lead"] == winner.name for e in changed)
    monkeypatch.undo()
    m.step()  # a month under the new sub-contracts
    subs = [c for c in m.contracts if c.payer == winner.account and c.scope == "acute" and c.payer != c.provider]
    closed = [c for c in subs if not c.active]
    assert closed and any(c.paid_total_pence > 0 for c in closed)
    loss = (sum(c.paid_total_pence for c in subs) - tendered.paid_total_pence) / 100
    closed_paid = sum(c.paid_total_pence for c in closed) / 100
    assert loss > 0 and closed_paid > 0.1 * loss
    # reserves short of the whole loss, more than the loss counted on the open sub-contracts alone: it hands back
    tendered.tendered.start_reserves = 0.9 * loss
    m.procurement.review_tendered_contracts()
    (ended,) = m.events_of("contract_ended")
    assert ended["loss"] == pytest.approx(loss)
    assert not tendered.active and not any(c.active for c in subs)


def test_a_tendered_contract_re_let_by_a_switch_still_counts_what_the_winner_was_paid_before():
    """A regime switch closes the tendered contract and re-lets it (carrying its tender) with the winner's
    sub-contracts: the winner's loss is what it paid under all the sub-contracts since the tender less what it
    was paid under both tendered contracts, not under the new one alone."""
    s = load_scenario("unitingcare").with_changes({
        "population.size": 4_000,
        "contracting.tenders.0.bidders.0.capital": 1.0,  # reserves enough to carry the loss
        "contracting.switches": [{"step": 15, "scope": "community", "regime": "block"}],
    })
    m = LocalHealthEconomy(s, rng=3)
    for _ in range(16):
        m.step()
    (tendered,) = [c for c in m.contracts if c.active and c.tendered is not None]
    before = [c for c in m.contracts if c.tendered is tendered.tendered and c is not tendered]
    assert tendered.start_step == 15 and len(before) == 1 and before[0].paid_total_pence > 0
    winner = tendered.provider_org
    subs = [c for c in m.contracts if c.payer == winner.account and c.scope == "community" and c.start_step >= 12]
    loss = (sum(c.paid_total_pence for c in subs) - tendered.paid_total_pence - before[0].paid_total_pence) / 100
    assert loss > 0 and m.events_of("top_up")
    # reserves above the whole loss, below it counted against the new contract's payments alone: it carries on
    tendered.tendered.start_reserves = loss + before[0].paid_total_pence / 100 / 2
    m.procurement.review_tendered_contracts()
    assert not m.events_of("contract_ended") and tendered.active
    tendered.tendered.start_reserves = 0.9 * loss  # below the loss: it hands back, on the whole loss
    m.procurement.review_tendered_contracts()
    (ended,) = m.events_of("contract_ended")
    assert ended["loss"] == pytest.approx(loss)


@pytest.mark.parametrize("regime", ["pbr", "alliance"])
def test_a_switch_after_a_tender_keeps_the_winner_answering_for_the_services_and_every_penny_adds_up(regime):
    """A hospital wins the acute tender; acute care then moves to another regime. The winner still
    answers for every hospital's services (its sub-contracts stay), so each spell is recorded once and
    the money audit finds nothing (with the tender dropped at the switch, the winner's own spells were
    counted twice and it was paid for none of the others')."""
    from model.audit import audited_model

    bidder = {"name": "Riverside Hospitals", "cost_bias": 0.0, "cost_error": 0.0, "optimism": 0.0, "capital": 0.0}
    tender = {"step": 0, "commissioner": "Northvale CCG", "scope": "acute", "ceiling": 1.0, "cost_gap": 1.0,
              "top_up": False, "termination_cost": 0.0, "termination_commissioner_share": 0.5, "bidders": [bidder]}
    m, audit = audited_model(load_scenario().with_changes({
        "population.size": 2_000, "run.steps": 26, "contracting.tenders": [tender],
        "contracting.switches": [{"step": 5, "scope": "acute", "regime": regime}]}), rng=5)
    m.run()
    assert not audit.discrepancies()
    tendered = [c for c in m.contracts if c.active and c.tendered is not None]
    assert [c.regime.name for c in tendered] == [regime]
