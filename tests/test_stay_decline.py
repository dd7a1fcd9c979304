"""A decline an emergency stay brings, which wears off (health.stay_decline_*), and councils' reviews of the
packages they fund (social_care.reviews_per_year): options, off in the scenarios (docs/calibration.md, Known
gaps, measures what they do to the baseline)."""

import numpy as np
import pytest
from lhe_runs import journal_model

from model import LocalHealthEconomy, load_scenario
from model.effects import behaviour_effects

DECLINE = {"health.stay_decline_share": 1.0, "health.stay_decline_frailty": 0.05, "health.stay_decline_age": 70.0,
           "health.stay_decline_recovery_months": 6.0}


@pytest.mark.parametrize("share", [1.0, 0.0])
def test_an_emergency_stay_adds_the_decline_to_those_old_enough_and_no_one_else(share):
    """Everyone admitted at 70 or over leaves 0.05 frailer, the decline kept apart as what will wear off; those
    younger do not. At a share of 0 (the ablation) nobody's frailty moves."""
    m = journal_model({**DECLINE, "health.stay_decline_share": share, "social_care.delay_exit_per_month": 0.0},
                      0, size=3_000, seed=7)
    pop = m.population
    alive = np.flatnonzero(pop.alive & ~pop.sc_met & (pop.frailty < 0.2))
    old, young = alive[pop.age[alive] >= 70][:4], alive[pop.age[alive] < 60][:4]
    admitted = np.concatenate([old, young])
    before = pop.frailty[admitted].copy()
    m.delivery.allocate_social_care(admitted, np.zeros(len(m.hospitals)))
    assert pop.frailty[old] == pytest.approx(before[:4] + 0.05 * share, abs=1e-6)
    assert pop.stay_decline[old] == pytest.approx(np.full(4, 0.05 * share), abs=1e-6)
    assert (pop.frailty[young] == before[4:]).all() and (pop.stay_decline[young] == 0).all()


def test_the_decline_wears_off_at_its_rate_and_goes_with_the_person():
    """A month on, a sixth of a six-month decline has worn off, from the decline and from frailty alike (people
    under 40 with no new condition, no care need and no new stay: nothing else moves their frailty); a place
    freed by a death and filled again starts with none."""
    m = journal_model(DECLINE, 0, size=3_000, seed=7)
    pop = m.population
    people = np.flatnonzero(pop.alive & (pop.age < 39) & (pop.frailty < 0.1))[:200]
    pop.frailty[people] = np.float32(0.10)
    pop.stay_decline[people] = np.float32(0.05)
    ltc = pop.ltc[people].copy()
    m.step()
    same = people[pop.alive[people] & (pop.ltc[people] == ltc) & (pop.stay_decline[people] < 0.05)]
    assert same.size > 150
    assert not pop.delayed[same].any()
    assert pop.stay_decline[same] == pytest.approx(np.full(same.size, 0.05 * 5 / 6), abs=1e-6)
    assert pop.frailty[same] == pytest.approx(np.full(same.size, 0.10 - 0.05 / 6), abs=1e-6)
    # in a hospital bed, waiting for care, it does not wear off
    waiting = same[:5]
    pop.delayed[waiting] = True
    kept = pop.stay_decline[waiting].copy()
    m.population.evolve(behaviour_effects(m), waiting[:0])
    assert (pop.stay_decline[waiting] == kept).all()
    # the decline goes with the person: a place freed by a death, filled by a birth, starts with none
    first_free = 0
    pop.alive[first_free] = False
    pop.stay_decline[first_free] = np.float32(0.05)
    born, moved_in = pop._register()
    assert born + moved_in > 0 and pop.alive[first_free] and pop.stay_decline[first_free] == 0


def test_a_decline_shorter_than_a_month_is_gone_in_a_month_and_no_more():
    """Recovering over less than a month, the whole decline wears off in the next, and frailty goes back to
    where it was, not below."""
    m = journal_model({**DECLINE, "health.stay_decline_recovery_months": 0.25}, 0, size=3_000, seed=7)
    pop = m.population
    people = np.flatnonzero(pop.alive & (pop.age < 39) & (pop.frailty < 0.1))[:200]
    pop.frailty[people] = np.float32(0.15)
    pop.stay_decline[people] = np.float32(0.05)
    ltc = pop.ltc[people].copy()
    pop.evolve(behaviour_effects(m), people[:0])
    same = people[pop.alive[people] & (pop.ltc[people] == ltc)]
    assert same.size > 150
    assert (pop.stay_decline[same] == 0).all()
    assert pop.frailty[same] == pytest.approx(np.full(same.size, 0.10), abs=1e-6)


@pytest.mark.parametrize("reviews", [12.0, 0.0])
def test_a_review_ends_the_package_of_someone_no_longer_eligible(reviews):
    """Reviewed every month, the packages of people now below their council's eligibility end and the others
    go on; with no reviews (the ablation) packages end only at death."""
    m = journal_model({"social_care.reviews_per_year": reviews}, 0, size=3_000, seed=7)
    pop = m.population
    co = m.councils[0]
    held = np.flatnonzero(pop.sc_met & pop.alive & (pop.council == co.index))
    assert held.size >= 6
    below, above = held[:3], held[3:6]
    pop.frailty[below] = np.float32(co.eligibility - 0.02)
    pop.frailty[above] = np.float32(co.eligibility + 0.05)
    m.delivery.allocate_social_care(held[:0], np.zeros(len(m.hospitals)))
    assert pop.sc_met[above].all()
    assert (~pop.sc_met[below]).all() == (reviews > 0)
    assert m.delivery.tally.ended_at_review[co.index] == (3 if reviews > 0 else 0)


def _first_year(changes: dict, seed: int) -> float:
    s = load_scenario().with_changes({"population.size": 20_000, "run.steps": 12, **changes})
    return float(LocalHealthEconomy(s, rng=seed).run().place_table().care_needed_on_discharge.sum())


def test_the_decline_brings_people_needing_council_care_out_of_hospital():
    """England's flow into council care from hospital (docs/calibration.md) is ten times the model's: with a
    third of older people leaving a stay 0.05 frailer, more leave needing care they did not have, seed by
    seed; without the decline (the ablation) the flow is the baseline's."""
    for seed in (1, 2):
        with_decline = _first_year({**DECLINE, "health.stay_decline_share": 0.3}, seed)
        without = _first_year({}, seed)
        assert with_decline > 3 * without, (with_decline, without)


def test_with_every_option_on_the_same_seed_gives_the_same_place_and_money_balances():
    """The decline, reviews, reablement and discharge to assess draw only from the care stream: two runs on one
    seed give the same tables, and the place's money still balances (the ledger's invariant, checked monthly)."""
    changes = {**DECLINE, "health.stay_decline_share": 0.3, "social_care.reviews_per_year": 2.0,
               "social_care.intermediate_care_most_per_1000": 2.0, "social_care.intermediate_care_takes_assessed": True,
               "social_care.discharge_assessment_days": 1.5, "population.size": 5_000, "run.steps": 36}
    tables = []
    for _ in range(2):
        m = LocalHealthEconomy(load_scenario().with_changes(changes), rng=11)
        for _ in range(36):
            m.step()
            m.ledger.check()
        tables.append((m.place_table(), m.organisation_table()))
        assert m.delivery.last_year.ended_at_review.sum() > 0 and m.population.stay_decline.any()
    for a, b in zip(*tables, strict=True):
        assert a.equals(b)
