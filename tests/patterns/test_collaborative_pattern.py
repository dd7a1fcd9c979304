"""Pattern (MODEL.md section 9; seeds 001, 002 and 004): everyone collaborative under an alliance
budget. Demand growth bends after a lag, with an early dip, and the place ends the horizon in a
better position than the fortress economy.

The all-collaborative place (acute and community care under alliance contracts, multilateral risk
share) against the all-fortress place (PbR), the same place and money, on the same 20 seeds
(10,000 people, ten years). The collaborative programmes (proactive case management, specialist
outreach, early supported discharge, community investment, prevention) cost money from the start
and mature over three to five years (seed 004): the place's result dips in years two and three
and recovers, emergency admissions fall after the lag while the fortress place's keep rising, and
in the last two years the place's result is better than the fortress place's. Ablation: with the
programmes' effects set to zero (their costs kept), admissions do not bend, the result does not
recover, and the place ends worse off than the fortress place.
"""

import numpy as np
import pytest
from lhe_runs import yearly
from pattern_settings import COLLABORATIVE, SEEDS, bend, dip, holds, recovery


@pytest.fixture(scope="module")
def runs():
    return {name: [yearly(place, ch, seed) for seed in SEEDS] for name, (place, ch) in COLLABORATIVE.items()}


def per_year(runs, setting: str, figure: str) -> np.ndarray:
    """Seeds x years."""
    return np.array([r[figure] for r in runs[setting]])


@pytest.mark.slow
def test_demand_bends_after_the_lag(runs):
    collaborative = per_year(runs, "collaborative", "emergency_admissions")
    fortress = per_year(runs, "fortress", "emergency_admissions")
    assert holds(bend(collaborative)), bend(collaborative)
    assert holds(-bend(fortress)), bend(fortress)  # the fortress place's keep rising


@pytest.mark.slow
def test_the_place_dips_first_and_recovers(runs):
    result = per_year(runs, "collaborative", "place")
    assert holds(dip(result)), result[:, :3]
    assert holds(recovery(result)), recovery(result)


@pytest.mark.slow
def test_the_collaborative_place_ends_the_horizon_better_off_than_the_fortress_place(runs):
    late = per_year(runs, "collaborative", "place")[:, -2:].mean(axis=1) - per_year(runs, "fortress", "place")[:, -2:].mean(axis=1)
    assert holds(late), late


@pytest.mark.slow
def test_without_the_programmes_effects_there_is_no_bend_no_recovery_and_no_gain(runs):
    admissions = per_year(runs, "collaborative, no effects", "emergency_admissions")
    result = per_year(runs, "collaborative, no effects", "place")
    assert holds(-bend(admissions)), bend(admissions)
    assert holds(-recovery(result)), recovery(result)
    late = result[:, -2:].mean(axis=1) - per_year(runs, "fortress", "place")[:, -2:].mean(axis=1)
    assert holds(-late), late
