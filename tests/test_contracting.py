"""Contracting in the place: regime terms from the scenario, and regime switches mid-run."""

import pytest

from model import LocalHealthEconomy, ScenarioError, load_scenario

SMALL = {"population.size": 4_000, "run.steps": 40}


def _journal_model(changes: dict, steps: int = 40) -> LocalHealthEconomy:
    m = LocalHealthEconomy(load_scenario().with_changes({**SMALL, **changes}), rng=5)
    m.ledger.keep_journal = True
    for _ in range(steps):
        m.step()
    return m


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
    old = [c for c in switched.contracts if c.scope == "acute" and not c.active]
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
