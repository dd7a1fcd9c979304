"""Programmes (model.programmes): capacity built and embedded over time, and a dose-response with
diminishing returns. Zero in gives nothing; more gives more, less than proportionally."""

import numpy as np
import pytest

from model import LocalHealthEconomy, load_scenario
from model.programmes import Programme, dose_response, mean_embedded, mean_in_post


def test_the_dose_response_is_zero_at_zero_rises_and_saturates():
    assert dose_response(0.0, 0.3, 0.1) == 0.0
    assert dose_response(0.1, 0.3, 0.1) == pytest.approx(0.15)  # half the most at the half dose
    a, b, c = (dose_response(x, 0.3, 0.1) for x in (0.05, 0.1, 0.2))
    assert 0 < a < b < c < 0.3
    assert b < 2 * a and c < 2 * b  # less than proportionally



def test_a_cut_below_the_start_harms_more_with_each_further_unit_cut():
    """Below the start the curve continues with its own slope and bend, so the harm grows faster than the cut:
    each further cut costs more health than the last (the mirror image, harm growing less than the cut, made
    every further cut cheaper). Ablation: the mirror image fails the second and third checks."""
    most, half, eps = 0.3, 0.1, 1e-6
    above = (dose_response(eps, most, half) - dose_response(0.0, most, half)) / eps
    below = (dose_response(0.0, most, half) - dose_response(-eps, most, half)) / eps
    assert below == pytest.approx(above, rel=1e-4)  # one slope at the start: no kink
    a, b, c = (dose_response(x, most, half) for x in (-0.05, -0.1, -0.2))
    assert 0 > a > b > c
    assert b < 2 * a and c < 2 * b  # more than proportionally
    mirrored = lambda x: -dose_response(-x, most, half)  # noqa: E731
    assert not (mirrored(-0.1) < 2 * mirrored(-0.05))  # what the mirror image gave instead


def test_capacity_is_recruited_then_embedded_and_paid_for_as_it_is_in_post():
    p = load_scenario().programmes
    prog = Programme(dose=1.0)
    in_post, embedded = [], []
    for _ in range(60):
        prog.advance_month(p)
        in_post.append(prog.in_post)
        embedded.append(prog.embedded)
    assert all(np.diff(in_post) > 0) and all(np.diff(embedded) > 0)
    assert all(e < i for e, i in zip(embedded, in_post, strict=True))  # the effect lags the capacity paid for
    # a first-order lag: about 1 - exp(-12/12) of the dose in post after a year
    assert in_post[11] == pytest.approx(1 - (1 - 1 / p.recruit_months) ** 12)
    # the planning shares match the months averaged
    assert mean_in_post(60, p) == pytest.approx(np.mean(in_post), abs=0.03)
    assert mean_embedded(60, p) == pytest.approx(np.mean(embedded), abs=0.03)
    # cut to nothing: capacity winds down, faster than it was built
    prog.dose = 0.0
    before = prog.in_post
    prog.advance_month(p)
    assert before - prog.in_post == pytest.approx(before / p.wind_down_months)


def _crises_avoided(dose: float, seeds=(1, 2)) -> float:
    """Emergency admissions a year of people with 2+ conditions in years 3 to 5, with every GP federation
    running case management at ``dose`` (levers held), against none."""
    def admissions(d: float, seed: int) -> float:
        s = load_scenario().with_changes({"population.size": 20_000, "run.steps": 60, "decisions.enabled": False,
                                          **{f"strategies.gp_federation.{k}.case_management_share": d
                                             for k in ("fortress", "collaborative")}})
        return LocalHealthEconomy(s, rng=seed).run().place_table()["emergency_admissions_2plus_ltc"].iloc[24:].sum() / 3

    return float(np.mean([admissions(0.0, s) - admissions(dose, s) for s in seeds]))


@pytest.mark.slow
def test_case_management_zero_gives_nothing_and_more_gives_more_less_than_proportionally():
    s = load_scenario().with_changes({"population.size": 5_000, "run.steps": 24, "decisions.enabled": False,
                                      **{f"strategies.gp_federation.{k}.case_management_share": 0.0
                                         for k in ("fortress", "collaborative")}})
    none = LocalHealthEconomy(s, rng=3).run().place_table()
    no_effect = LocalHealthEconomy(s.with_changes({"programmes.case_management_effect": 0.0,
                                                   "programmes.case_management_progression_effect": 0.0}),
                                   rng=3).run().place_table()
    assert none.equals(no_effect)  # zero in: exactly what a programme with no effect gives
    small, large = _crises_avoided(0.04), _crises_avoided(0.08)
    assert 0 < small < large < 2 * small, (small, large)
