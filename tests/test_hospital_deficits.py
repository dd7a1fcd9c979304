"""Why every hospital ends the baseline in deficit: three rules of the scenario, each shown by taking it away.

Without the national support they draw (docs/ODD.md 7.28) every hospital of every case in the scenario library
ends its last year in deficit (docs/scenarios.md). The explanation there names three rules, none of them a
hospital's choice, and this checks it on the baseline (10,000 people, ten years, seeds 1-6, paired):

* the tariff squeeze: prices move by (1 + cost growth)(1 - efficiency asked), unit costs by (1 + cost growth)(1 -
  productivity achieved), and the baseline achieves 3% of the 4% asked (``money.productivity_growth``);
* the starting overrun: hospitals start with costs about 5% above their income (``money.starting_cost_overrun``
  and its spread), and their levers (beds, electives, admissions at the margin, outreach, supported discharge)
  trim what varies with activity, not that;
* emergency admissions above the baseline paid at 30% of the tariff (``tariff.emergency_marginal_rate``) while
  demand grows.

Each taken away in turn raises the hospitals' last-year result on every seed; as they are, every hospital ends in
deficit on every seed, and with all three taken away some hospitals end in surplus and some in deficit.
"""

from __future__ import annotations

import functools

import numpy as np
from scenario_charts import DEFICIT_STEPS, HospitalYears, hospitals

from model import LocalHealthEconomy
from model.scenario import load_scenario

SEEDS = range(1, 7)
# the steps docs/scenarios.md measures at full size (tools/scenario_charts.py), each taking one more rule away
STEPS = {k: v for k, v in DEFICIT_STEPS.items() if k != "overrun alone"}


@functools.cache
def hospitals_of(step: str, seed: int) -> HospitalYears:
    """The hospitals' last year, with and without the national support they drew (tools/scenario_charts.py)."""
    m = LocalHealthEconomy(load_scenario("baseline").with_changes({"population.size": 10_000, **STEPS[step]}), rng=seed)
    m.run()
    return hospitals(m.organisation_table())


def margin(step: str, seed: int) -> float:
    """The hospitals' last-year result together, as a share of their income (without national support)."""
    return hospitals_of(step, seed).last_unsupported


def test_as_they_are_every_hospital_ends_in_deficit():
    assert all(hospitals_of("as they are", s).short == hospitals_of("as they are", s).count for s in SEEDS)
    assert max(margin("as they are", s) for s in SEEDS) < -0.10


def test_each_of_the_three_rules_deepens_the_hospitals_deficit_on_every_seed():
    steps = list(STEPS)
    for before, after in zip(steps, steps[1:], strict=False):
        gain = np.array([margin(after, s) - margin(before, s) for s in SEEDS])
        assert (gain > 0.005).all(), (before, after, gain.round(3))
    # the overrun stays: with prices and costs moving alike, taking it away gains about what it was, not less
    kept = np.array([margin("nor overrun", s) - margin("no squeeze", s) for s in SEEDS])
    assert kept.mean() > 0.03, kept.round(3)


def test_without_the_three_rules_some_hospitals_end_in_surplus_and_some_in_deficit():
    short = sum(hospitals_of("nor marginal rate", s).short for s in SEEDS)
    count = sum(hospitals_of("nor marginal rate", s).count for s in SEEDS)
    assert short >= 3 and count - short >= 3, (short, count)
    assert abs(np.mean([margin("nor marginal rate", s) for s in SEEDS])) < 0.03
