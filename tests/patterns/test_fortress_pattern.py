"""Pattern (MODEL.md section 9; seed 002, '1 From fortresses to systems'): everyone a fortress under
Payment by Results. Each organisation's fortress behaviour secures its own result and pushes costs
onto the others; admissions and delayed transfers rise, and the place's deficit grows year on year.

The place is the all-fortress scenario (10,000 people, ten years, 20 seeds). Each push is measured
by turning one kind of organisation collaborative with everyone else a fortress, on the same seeds
(paired: common random numbers), and comparing ten-year results:

* hospitals: under PbR a fortress hospital grows electives and admits at the margin, and is paid for
  it; its result is better and its commissioners', who pay, worse. Ablation: under block contracts
  activity earns nothing, and the hospitals' strategy no longer moves the commissioners' result.
* commissioners: a fortress commissioner tightens continuing healthcare, and the council pays.
  Ablation: with that tightening off the councils' result does not depend on it.

In the everyone-fortress place admissions and delayed transfers rise year on year, and the place's
result falls year on year; it falls much less when the pool keeps up with the
pressure on it (MODEL.md section 3a: productivity meets the efficiency asked and the NHS and council
money grow at 4% a year, the long-run NHS average of seed 003).
"""

import numpy as np
import pytest
from lhe_runs import yearly
from pattern_settings import FORTRESS, SEEDS, trend
from pattern_settings import holds as higher

EVERYONE_A_FORTRESS = "all-fortress"


@pytest.fixture(scope="module")
def runs():
    return {name: [yearly(EVERYONE_A_FORTRESS, ch, seed) for seed in SEEDS] for name, ch in FORTRESS.items()}


def total(runs, setting: str, figure: str) -> np.ndarray:
    """Each seed's ten-year total of a figure."""
    return np.array([r[figure].sum() for r in runs[setting]])


def fortress_minus(runs, other: str, figure: str, base: str = "fortress") -> np.ndarray:
    return total(runs, base, figure) - total(runs, other, figure)


def lower(diff: np.ndarray) -> bool:
    return higher(-diff)


@pytest.mark.slow
def test_fortress_hospitals_gain_what_their_commissioners_pay_for_under_pbr(runs):
    hospital = fortress_minus(runs, "hospitals collaborative", "hospital")
    commissioner = fortress_minus(runs, "hospitals collaborative", "commissioner")
    assert higher(hospital), hospital
    assert lower(commissioner), commissioner
    assert higher(fortress_minus(runs, "hospitals collaborative", "emergency_admissions"))


@pytest.mark.slow
def test_under_block_contracts_the_hospitals_strategy_costs_the_commissioners_nothing(runs):
    hospital = fortress_minus(runs, "block, hospitals collaborative", "hospital", base="block")
    commissioner = fortress_minus(runs, "block, hospitals collaborative", "commissioner", base="block")
    assert hospital.mean() < 0, hospital  # a fortress no longer gains: activity is not paid
    scale = np.abs(total(runs, "block", "commissioner")).mean() + 1.0
    assert np.abs(commissioner).max() < 0.01 * scale + 1.0, commissioner


@pytest.mark.slow
def test_fortress_commissioners_push_costs_onto_the_councils(runs):
    council = fortress_minus(runs, "commissioners collaborative", "council")
    assert lower(council), council


@pytest.mark.slow
def test_without_the_continuing_healthcare_shift_the_councils_do_not_pay(runs):
    council = fortress_minus(runs, "no chc shift, commissioners collaborative", "council", base="no chc shift")
    pushed = fortress_minus(runs, "commissioners collaborative", "council")
    assert abs(council.mean()) < 0.2 * abs(pushed.mean()), (council.mean(), pushed.mean())


def slopes(runs, setting: str, figure: str = "place") -> np.ndarray:
    """Each seed's trend in a yearly figure, per year."""
    return trend(np.array([r[figure] for r in runs[setting]]))


@pytest.mark.slow
def test_in_the_everyone_fortress_place_admissions_and_delayed_transfers_rise_and_the_deficit_grows_year_on_year(runs):
    assert higher(slopes(runs, "fortress", "emergency_admissions"))
    assert higher(slopes(runs, "fortress", "delayed_transfer_days"))
    trend = slopes(runs, "fortress")
    assert lower(trend), trend
    final = np.array([r["place"][-1] for r in runs["fortress"]])
    assert (final < 0).all(), final


@pytest.mark.slow
def test_the_deficit_barely_grows_when_the_pool_keeps_up_with_the_pressure(runs):
    assert abs(slopes(runs, "pool keeps up").mean()) < 0.25 * abs(slopes(runs, "fortress").mean())
