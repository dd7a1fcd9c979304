"""The organisations' year-end plans (model.organisations), checked on a small place.

A council rations care by a frailty threshold: it funds packages, and the threshold is
set so that its residents at or above it are about as many as the packages. A council
holding a pooled budget is held to that: a package the pot pays for must have someone
eligible to take it up, or the money for it sits unspent.
"""

import pytest
from lhe_runs import journal_model

from model.organisations import Council

POT = "Eastmoor CCG", "Eastmoor Council"  # a collaborative commissioner and council of the baseline


def place(changes: dict | None = None, steps: int = 12, size: int = 8_000, seed: int = 3):
    return journal_model(changes or {}, steps, size=size, seed=seed)


def pooled(contribution: float) -> dict:
    return {"contracting.pooled_budgets": [{"commissioner": POT[0], "council": POT[1], "nhs_contribution": contribution}],
            "contracting.terms": {"pooled_risk_share": 0.5}}


def eligible(m, council: Council) -> int:
    return m.delivery.eligible_count(council)


def test_pooled_money_reaches_people_below_the_starting_threshold():
    """A pot worth a fifth of the commissioner's allocation funds far more packages than residents
    eligible at the starting threshold: the council rations down to the need threshold to use them."""
    m = place(pooled(0.2))  # the first year's plan has been made at month 12
    co = m.organisation(POT[1])
    assert co.packages > co.packages_in_use  # the pot pays for more packages than are in use
    assert co.eligibility < co.start_eligibility
    assert co.eligibility >= m.params.social_care.need_threshold
    assert eligible(m, co) >= co.packages  # each package it funds has someone eligible for it


def test_without_a_pooled_budget_a_council_keeps_its_starting_threshold():
    """Ablation: the same council on its own money and the collaborative commissioner's Better
    Care Fund-sized share, with no pooled budget, is held to its policy's threshold, as before."""
    m = place()
    co = m.organisation(POT[1])
    bcf = sum(t.pence for _, t in m.ledger.journal if t.kind == "pooled_budget" and t.payee == co.account)
    assert bcf > 0 and not co.pools  # pooled money came in, but no pooled budget
    assert co.eligibility >= co.start_eligibility


def test_a_pooled_council_kept_to_its_own_floor_does_not_reach_below_it():
    """``social_care.pooled_reaches_further`` false: the same pot, and the council's eligibility stays at or above
    its starting threshold (the first test, with the rule, finds it below): it funds the same packages, but fewer
    of its residents are eligible than it funds, so part of the pot waits for someone to take it up."""
    reach = place(pooled(0.2))
    kept = place({**pooled(0.2), "social_care.pooled_reaches_further": False})
    co_reach, co_kept = reach.organisation(POT[1]), kept.organisation(POT[1])
    assert co_kept.pools and co_kept.eligibility >= co_kept.start_eligibility > co_reach.eligibility
    assert co_kept.packages == co_reach.packages
    assert eligible(kept, co_kept) < co_kept.packages <= eligible(reach, co_reach)


def test_without_a_pooled_budget_where_a_pot_reaches_changes_nothing():
    """The rule reads only a council holding a pooled budget: without one, the place is the same to the penny."""
    a, b = place(steps=24), place({"social_care.pooled_reaches_further": False}, steps=24)
    assert a.ledger.journal == b.ledger.journal


def test_a_pot_is_spent_on_care_not_left_in_the_councils_reserves():
    """Through the second year the packages the pot funds are taken up, and the council does not bank it."""
    m = place(pooled(0.2), steps=23)
    co = m.organisation(POT[1])
    assert co.packages_in_use >= 0.95 * co.packages, (co.packages_in_use, co.packages)
    m.step()  # the second year closes
    cm = m.organisation(POT[0])
    pot = 0.2 * cm.allocation * m.catchments.resident_share(cm, co)
    # what it kept of the year's pot, after the NHS's half of its result went back
    assert co.memory[-1] < 0.15 * pot, (co.memory, pot)


@pytest.mark.parametrize("most", [0.03, 0.0])
def test_a_hospitals_beds_move_no_further_in_a_year_than_the_scenario_allows(most):
    """``capacity.bed_change_most`` caps its ``bed_change`` lever both ways (at 0 its beds stay as they are).
    Ablation: at the lever's own range (0.06) hospitals of the same place close beds faster than 3% a year."""
    start = journal_model({}, 0, size=20_000, seed=7)
    capped = journal_model({"capacity.bed_change_most": most}, 12, size=20_000, seed=7)
    for h, h0 in zip(capped.hospitals, start.hospitals, strict=True):
        assert -most <= h.levers["bed_change"] <= most
        assert abs(h.beds - h0.beds) <= max(most * h0.beds, 0.5)  # the year end applied it (rounded)
    uncapped = journal_model({"capacity.bed_change_most": 0.06}, 12, size=20_000, seed=7)
    assert min(h.levers["bed_change"] for h in uncapped.hospitals) < -0.03
