"""The papers' patterns (MODEL.md section 9): the places and settings that make or break each one,
the runs that measure them and the test each must pass over the seeds.

``tests/patterns/`` asserts the patterns; ``tools/pattern_charts.py`` (``make pattern-charts``)
draws them and measures the parameter ranges over which they hold. Both take their settings from
here, so a chart always shows what a test checks. It lives beside the tests, not in the model
package, so a plain run never imports the statistics (scipy.stats).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from model import LocalHealthEconomy, load_scenario

SEEDS = range(1, 21)
SIZE = 10_000
MIN_SEEDS = 17  # a difference holds when it has the expected sign in at least 17 of the 20 seeds


def holds(diff: np.ndarray) -> bool:
    """Positive in at least 17 of the 20 paired seeds, and by a one-sided Wilcoxon signed-rank test
    at the 1% level."""
    diff = np.asarray(diff)
    return bool((diff > 0).sum() >= MIN_SEEDS and stats.wilcoxon(diff, alternative="greater").pvalue < 0.01)


def collaborative(kind: str, n: int) -> dict[str, str]:
    return {f"{kind}.{i}.strategy": "collaborative" for i in range(n)}


# --- everyone a fortress under PbR (fixed strategies, the all-fortress place) ------------------------
HOSPITALS, COMMISSIONERS = collaborative("hospitals", 3), collaborative("commissioners", 2)
BLOCK = {"contracting.acute": "block"}
NO_CHC_SHIFT = {"strategies.commissioner.fortress.chc_share_ratio": 1.0}
POOL_KEEPS_UP = {"money.efficiency_requirement": 0.03, "money.allocation_growth": 0.04, "money.council_grant_growth": 0.04}
FORTRESS = {
    "fortress": {}, "hospitals collaborative": HOSPITALS, "commissioners collaborative": COMMISSIONERS,
    "block": BLOCK, "block, hospitals collaborative": {**BLOCK, **HOSPITALS},
    "no chc shift": NO_CHC_SHIFT, "no chc shift, commissioners collaborative": {**NO_CHC_SHIFT, **COMMISSIONERS},
    "pool keeps up": POOL_KEEPS_UP,
}

# --- everyone collaborative under alliance contracts, against everyone a fortress --------------------
NO_EFFECTS = {f"programmes.{name}": 0.0 for name in (
    "case_management_effect", "case_management_progression_effect", "outreach_effect", "outreach_referral_effect",
    "discharge_los_effect", "discharge_readmission_effect", "prevention_effect", "community_admission_effect")}
COLLABORATIVE = {"fortress": ("all-fortress", {}), "collaborative": ("all-collaborative", {}),
                 "collaborative, no effects": ("all-collaborative", NO_EFFECTS)}

# --- learning places: the regulator, and the rules of the commons -----------------------------------
LEARNING = {"population.size": SIZE, "adaptation.policy": "adaptive"}
REGULATION_PLACE = "all-collaborative"
REGULATION = {
    "whole-system regulator": {"regulation.focus": "system"},
    "organisation-focused regulator": {"regulation.focus": "organisation"},
    "organisation-focused, no special measures": {"regulation.focus": "organisation", "regulation.special_measures_deficit": 1.0},
}
REGULATION_GAP = 0.05  # the least difference in the share collaborating that counts as breaking collaboration


def regulation_breaks(system: np.ndarray, organisation: np.ndarray) -> bool:
    """The regulation pattern's test: over the paired seeds, the share collaborating in the last two
    years is at least ``REGULATION_GAP`` higher on average under the whole-system regulator, and
    higher by a one-sided Wilcoxon signed-rank test at the 1% level."""
    diff = np.asarray(system) - np.asarray(organisation)
    return bool(diff.mean() > REGULATION_GAP and stats.wilcoxon(diff, alternative="greater").pvalue < 0.01)


COMMONS_PLACE = "baseline"
COMMONS_BASE = {"regulation.focus": "system"}
COMMONS = {
    "no rules": {},
    "shared measures and graduated sanctions": {"commons.shared_measures": True, "commons.graduated_sanctions": True},
    "shared measures only": {"commons.shared_measures": True},
    "no rules, own result not weighed": {"adaptation.weight_finance": 0.0},
}


def learning_run(place: str, changes: dict[str, Any], seed: int) -> dict[str, Any]:
    """A learning place run for ten years: the share collaborating at the start, by month, and over
    the last two years; and, each year and kind, how far fortresses' mean result (as a share of
    income) was ahead of collaborators' (the mean over the years and kinds with both)."""
    model = LocalHealthEconomy(load_scenario(place).with_changes({**LEARNING, **changes}), rng=seed)
    start = float(np.mean([o.strategy == "collaborative" for o in model.organisations]))
    gaps = []
    while model.running:
        model.step()
        if model.month % 12:
            continue
        for kind in sorted({o.kind for o in model.organisations}):
            margin = {s: [o.last_result / o.last_income for o in model.organisations
                          if o.kind == kind and o.strategy == s and o.last_income > 0]
                      for s in ("fortress", "collaborative")}
            if margin["fortress"] and margin["collaborative"]:
                gaps.append(np.mean(margin["fortress"]) - np.mean(margin["collaborative"]))
    share = model.place_table()["share_collaborative"].to_numpy()
    return {"start": start, "share": share, "late": float(share[-24:].mean()),
            "fortress_ahead": float(np.mean(gaps)) if gaps else float("nan")}


# --- what the fixed-strategy patterns measure, seeds x years ------------------------------------------
def trend(a: np.ndarray) -> np.ndarray:
    """Each seed's linear trend in a yearly figure, per year."""
    return np.array([np.polyfit(np.arange(row.size), row, 1)[0] for row in a])


def dip(result: np.ndarray) -> np.ndarray:
    """The place's result in year 1 less its worst in years 2-3: positive when it dipped."""
    return result[:, 0] - result[:, 1:3].min(axis=1)


def bend(admissions: np.ndarray) -> np.ndarray:
    """Admissions in years 2-3 less those in years 5-6: positive when they fell after the lag."""
    return admissions[:, 1:3].mean(axis=1) - admissions[:, 4:6].mean(axis=1)


def recovery(result: np.ndarray) -> np.ndarray:
    """The place's result in years 5-6 less its worst in years 2-3: positive when it came back from the dip."""
    return result[:, 4:6].mean(axis=1) - result[:, 1:3].min(axis=1)


def last_two_years(a: np.ndarray) -> np.ndarray:
    return a[:, -2:].mean(axis=1)
