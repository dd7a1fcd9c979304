"""Clinical practice's trend in lengths of stay (``demand.practice_los_change``, docs/ODD.md 7.2): every stay
shortens at the scenario's pace whatever the organisations decide, and the decisions' forecasts see the stays
of the year ahead. torbay-2000s sets England's pace of the 2000s (tests/test_torbay_decade.py holds the case's
beds against seed 003's); everywhere else it is 0 and the runs are as they were (tests/golden)."""

import pytest

from model import LocalHealthEconomy, load_scenario
from model.decisions import View

SEEDS = (1, 2, 3)
SHORTER = -0.1  # a tenth shorter a year: big enough to see past the seeds' noise in three years


def third_year(trend: float, seed: int) -> tuple[float, int]:
    """With every lever held where it starts: the third year's bed days other than delayed ones, and its
    emergency admissions."""
    changes = {"population.size": 10_000, "run.steps": 36, "decisions.enabled": False,
               "demand.practice_los_change": trend}
    p = LocalHealthEconomy(load_scenario().with_changes(changes), rng=seed).run().place_table()
    y3 = p[p.month > 24]
    return float((y3.bed_days - y3.delayed_transfer_days).sum()), int(y3.emergency_admissions.sum())


@pytest.mark.parametrize("seed", SEEDS)
def test_stays_shorten_at_the_trends_pace_and_move_nobody_with_the_levers_held(seed):
    """The third year's stays at a tenth shorter a year are 0.9 ** 2.46 = 0.77 of the trend held's on the mean
    over its months; the one-day floor on a stay and the inpatient electives the freed beds let in raise the bed
    days a little (measured 0.81 to 0.82). The emergency admissions are the same to the person: the trend moves
    stays, not who comes in."""
    held_days, held_admissions = third_year(0.0, seed)
    days, admissions = third_year(SHORTER, seed)
    assert admissions == held_admissions
    assert 0.75 < days / held_days < 0.86, days / held_days


def test_the_forecasts_take_the_stays_of_the_year_ahead():
    """At a year end a hospital's forecast of what admitting at the margin does to its beds counts the stays
    at the middle of the year ahead: the trend's factor there, against the forecast with stays as at the start
    (the ablation: the forecasts as they were before the trend, which would count the start's stays)."""
    changes = {"population.size": 10_000, "demand.practice_los_change": SHORTER}
    m = LocalHealthEconomy(load_scenario().with_changes(changes), rng=1)
    for _ in range(24):
        m.step()
    h = m.hospitals[0]
    up = h.levers["admission_threshold"] * 1.05
    shorter = View(m).change(h, "admission_threshold", up).bed_days[h.index]
    m.practice_los = lambda month=None: 1.0  # the stays as at the start
    as_at_start = View(m).change(h, "admission_threshold", up).bed_days[h.index]
    assert as_at_start > 0
    assert shorter / as_at_start == pytest.approx((1 + SHORTER) ** (30 / 12), rel=1e-9)
