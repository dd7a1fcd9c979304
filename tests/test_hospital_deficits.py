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
import pandas as pd

from model import LocalHealthEconomy
from model.metrics import support_drawn
from model.scenario import load_scenario

SEEDS = range(1, 7)
NO_SQUEEZE = {"money.productivity_growth": 0.04}  # the baseline's efficiency_requirement: costs move with prices
NO_OVERRUN = {"money.starting_cost_overrun": 0.0, "money.starting_cost_overrun_spread": 0.0}
FULL_RATE = {"tariff.emergency_marginal_rate": 1.0}
STEPS = {"as is": {}, "no squeeze": NO_SQUEEZE, "nor overrun": {**NO_SQUEEZE, **NO_OVERRUN},
         "nor marginal rate": {**NO_SQUEEZE, **NO_OVERRUN, **FULL_RATE}}


@functools.cache
def last_year(step: str, seed: int) -> pd.DataFrame:
    """Each hospital's last year: its result and income, both without the national support it drew."""
    changes = {"population.size": 10_000, **STEPS[step]}
    m = LocalHealthEconomy(load_scenario("baseline").with_changes(changes), rng=seed)
    m.run()
    orgs = m.organisation_table()
    h = orgs[orgs["kind"] == "hospital"].copy()
    h["drawn"] = support_drawn(h)
    last = h[h["month"] > h["month"].max() - 12]
    out = last.groupby("name")[["surplus", "income", "drawn"]].sum()
    return pd.DataFrame({"result": out["surplus"] - out["drawn"], "income": out["income"] - out["drawn"]})


def margin(step: str, seed: int) -> float:
    """The hospitals' last-year result together, as a share of their income (without national support)."""
    t = last_year(step, seed)
    return float(t["result"].sum() / t["income"].sum())


def test_as_they_are_every_hospital_ends_in_deficit():
    assert all((last_year("as is", s)["result"] < 0).all() for s in SEEDS)
    assert max(margin("as is", s) for s in SEEDS) < -0.10


def test_each_of_the_three_rules_deepens_the_hospitals_deficit_on_every_seed():
    steps = list(STEPS)
    for before, after in zip(steps, steps[1:], strict=False):
        gain = np.array([margin(after, s) - margin(before, s) for s in SEEDS])
        assert (gain > 0.005).all(), (before, after, gain.round(3))
    # the overrun stays: with prices and costs moving alike, taking it away gains about what it was, not less
    kept = np.array([margin("nor overrun", s) - margin("no squeeze", s) for s in SEEDS])
    assert kept.mean() > 0.03, kept.round(3)


def test_without_the_three_rules_some_hospitals_end_in_surplus_and_some_in_deficit():
    results = pd.concat([last_year("nor marginal rate", s)["result"] for s in SEEDS])
    assert (results > 0).sum() >= 3 and (results < 0).sum() >= 3, results.round(-3).tolist()
    assert abs(np.mean([margin("nor marginal rate", s) for s in SEEDS])) < 0.03
