"""The papers' patterns (MODEL.md section 9): the places and settings that make or break each one,
the runs that measure them and the test each must pass over the seeds.

``tests/patterns/`` asserts the patterns; ``tools/pattern_charts.py`` (``make pattern-charts``)
draws each against its ablation and writes docs/patterns.md with the figures. Both take their
settings from here, so a chart always shows what a test checks. It lives beside the tests, not in the model
package, so a plain run never imports the statistics (scipy.stats).

Every pattern compares places on the same money and the same seeds (a paired difference, common
random numbers), on net monetary benefit and on admissions, under both accounting conventions for
the headroom commissioners' plans find (spent on services outside the model, or banked), and has
an ablation that removes the mechanism it is credited to.
"""

from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from model import LocalHealthEconomy, load_scenario
from model.metrics import yearly_figures


def _first_seed() -> int:
    """The first seed the claims are judged on: 1, or ``LHE_PATTERN_FIRST_SEED`` (tools/pattern_replication.py
    judges every claim again on other seeds with the same code)."""
    text = os.environ.get("LHE_PATTERN_FIRST_SEED", "1")
    try:
        first = int(text)
    except ValueError:
        first = 0
    if first < 1:
        raise ValueError(f"LHE_PATTERN_FIRST_SEED: got {text!r}; a whole number from 1 is allowed")
    return first


FIRST_SEED = _first_seed()
SEEDS = range(FIRST_SEED, FIRST_SEED + 12)
SIZE = 10_000
SHARE = 0.75  # a difference holds when it has the expected sign in at least three seeds in four ...
P_VALUE = 0.01  # ... and by a one-sided Wilcoxon signed-rank test at the 1% level
# A claim whose difference is small beside the seeds' own spread is judged over three times the seeds, by
# the same criterion. Measured over seeds 1-36: the regulation pattern's share collaborating (+0.10 with
# the headroom spent, +0.16 banked; from -0.30 to +0.41 by seed), its net monetary benefit (+£0.97m and
# +£0.43m; from -£3.3m to +£4.2m), its ablation of the line (what is left, about +110 admissions avoided
# against +415) and the fortress pattern's delayed transfers (about +1,200 bed days; from -800 to
# +4,100). Judged the same way over each block of twelve seeds (with unmet need valued at the 0.05 once
# assumed), the blocks disagreed: of the three, the share with the headroom spent held in one, the
# delayed transfers banked in one, and the line's ablation banked held (so the ablation failed) in one.
# On twelve seeds whether they pass is partly luck, and a change elsewhere in the model flips them. Over
# the 36 they were a seed or so either side of the least the criterion allows: the share and the net
# benefit held in 28 of 36 (p < 0.001) until a hospital's elective forecast counted only what there is to
# do and a month passed between listing and treatment; since, with the same means, the share with the
# headroom spent was higher in 25 of 36 and the net benefit banked in 26 (p < 0.001 both), short of three
# in four. Since a council's forecast of its eligibility counts whom its own rule would make eligible: the
# share with the headroom spent 26 of 36 (a strict xfail), the net benefit 27 and 27 (holding, at the
# least allowed), the line's ablation with the headroom spent 27 (so by the criterion what is left still
# holds: a strict xfail) and banked 23. Since the forecasts of what one more on a waiting list costs in
# health count the waits of everyone behind them: the share 31 and 33 (holding), the net benefit 28 and 28,
# the line's ablation 29 and 28 (what is left holds under both: strict xfails, with most of it gone, below
# half, the test that passes). Before community services gave health of their own (docs/ODD.md 7.5): the
# share 27 and 27, the net benefit 32 of 36 spent and 66 of 72 banked, the line's ablation 17 and 24 (it
# goes under both). As measured now (test_regulation_pattern.py's docstring; the outcomes are tested in
# test_regulation_outcomes.py): the share 25 (a strict xfail) and 27, the net benefit 30 of 36 spent and
# 41 of 72 banked (a strict xfail). The others hold (docs/patterns.md counts each). The fortress pattern's commissioners' results,
# by contrast, have the claimed sign on every seed (12 of 12; 36 of 36 when measured over the 36 with
# unmet need at 0.05); its GP federations' no longer do (0 of 12: not asserted).


def widened(seeds: int) -> range:
    """Three times ``seeds`` seeds, from the first: how a claim small beside the seeds' spread is judged."""
    return range(FIRST_SEED, FIRST_SEED + 3 * seeds)


WIDE_SEEDS = widened(len(SEEDS))
# Twice that again, for the two net-benefit claims that held over WIDE_SEEDS at the criterion's edge (27 and 28 of
# 36) and fell short of it on a second 36 seeds (1001-1036), with the same code: the collaborative sanctions' with
# the headroom spent and the whole-system regulator's with it banked (docs/patterns.md, "Replication").
WIDEST_SEEDS = range(FIRST_SEED, FIRST_SEED + 6 * len(SEEDS))

CONVENTIONS = {
    "headroom spent": {"money.commissioner_headroom_spent": 1.0},
    "headroom banked": {"money.commissioner_headroom_spent": 0.0},
}
def conventions_short(reason: str, *short: str) -> list:
    """The conventions to parametrise a claim over, those in ``short`` marked a strict xfail for ``reason``."""
    return [pytest.param(c, marks=[pytest.mark.xfail(strict=True, reason=reason)] if c in short else [])
            for c in CONVENTIONS]


FROZEN = {"decisions.enabled": False}  # levers held where their bundles put them: the ablation of decisions


def _p_value(diff: np.ndarray) -> float:
    """The one-sided Wilcoxon signed-rank test's p-value that ``diff`` is higher than 0 (1 when every seed gives 0)."""
    if np.all(diff == 0):
        return 1.0
    return float(stats.wilcoxon(diff, alternative="greater").pvalue)


# A folder each judgement below is written to, a line of JSON each (the test, the seeds with the claimed sign, the
# p-value, the verdict), when the environment names one: how tools/pattern_replication.py counts what each test found.
RECORD = os.environ.get("LHE_PATTERN_RECORD")


def _judged(check: str, diff: np.ndarray, p: float, verdict: bool) -> bool:
    if RECORD:
        line = {"test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0], "check": check,
                "n": int(diff.size), "positive": int((diff > 0).sum()), "mean": float(diff.mean()),
                "p": p, "verdict": verdict}
        with open(Path(RECORD) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
    return verdict


def on_the_mean(diff: np.ndarray) -> bool:
    """Higher on the mean, by a one-sided Wilcoxon signed-rank test at 1%: the criterion without its share of
    seeds, for a difference that goes the other way in more than a seed in four."""
    diff = np.asarray(diff, dtype=float)
    p = _p_value(diff)
    return _judged("on the mean", diff, p, bool(diff.mean() > 0 and p < P_VALUE))


def holds(diff: np.ndarray) -> bool:
    """Positive in at least three seeds in four, and by a one-sided Wilcoxon signed-rank test at 1%."""
    diff = np.asarray(diff, dtype=float)
    p = _p_value(diff)  # 1 when every seed gives 0
    return _judged("holds", diff, p, bool((diff > 0).sum() >= math.ceil(SHARE * diff.size) and p < P_VALUE))


@functools.lru_cache(maxsize=512)
def _run(place: str, changes: tuple, seed: int) -> dict[str, Any]:
    s = load_scenario(place).with_changes({"population.size": SIZE, **dict(changes)})
    m = LocalHealthEconomy(s, rng=seed)
    start = float(np.mean([o.strategy == "collaborative" for o in m.organisations]))
    m.run()
    y = yearly_figures(m)
    t = m.place_table()
    harm = [o.harm for o in m.organisations]
    kinds = sorted({o.kind for o in m.organisations})
    return {
        **{k: np.asarray(v, dtype=float) for k, v in y.items()},
        "share_start": start,
        "share_late": float(t["share_collaborative"].iloc[-24:].mean()),
        "share": t["share_collaborative"].to_numpy(),
        "harm": float(np.sum(harm)),
        "harm_by_kind": {k: float(sum(o.harm for o in m.organisations if o.kind == k)) for k in kinds},
        "table": t,
    }


def run(place: str, changes: dict[str, Any], seed: int) -> dict[str, Any]:
    """A place run for its scenario's months at ``SIZE`` people: its figures by financial year
    (model.metrics.yearly_figures), the share collaborating, the harm measured in its last year (in all and by kind
    of organisation)."""
    return _run(place, tuple(sorted(changes.items(), key=lambda kv: kv[0])), seed)


def paired(a: tuple[str, dict], b: tuple[str, dict], measure, seeds=SEEDS) -> np.ndarray:
    """measure(a) - measure(b) on each seed."""
    return np.array([measure(run(*a, s)) - measure(run(*b, s)) for s in seeds])


def total(name: str):
    return lambda r: float(r[name].sum())


def harm_of(kinds: tuple[str, ...]):
    """The harm measured in the last year of the organisations of these kinds."""
    return lambda r: sum(r["harm_by_kind"].get(k, 0.0) for k in kinds)


# --- everyone a fortress: what the fortress objective does, all else equal ---------------------------
FORTRESS_PLACE = "all-fortress"


@functools.cache
def objective_only(place: str) -> tuple[tuple[str, Any], ...]:
    """The same place with every organisation collaborative, and the collaborative bundles set to the
    fortress ones: the same starting levers and the same policies, so the strategies differ only in
    their objective (whose results and whose health each weighs)."""
    s = load_scenario(place)
    changes: dict[str, Any] = {}
    for kind in ("hospital", "gp_federation", "commissioner", "council"):
        for field, value in getattr(s.strategies, kind).fortress.model_dump().items():
            changes[f"strategies.{kind}.collaborative.{field}"] = value
    for kind in ("commissioners", "councils", "hospitals", "gp_federations"):
        for i in range(len(getattr(s, kind))):
            changes[f"{kind}.{i}.strategy"] = "collaborative"
    return tuple(changes.items())


# --- everyone collaborative under alliance contracts, against everyone a fortress -----------------------
# the collaborative pattern's early dip is judged over the first two years, where the gap in net benefit is
# deepest: in the first year alone it is short in 2 of 12 seeds under both values of unmet social care need
# (docs/patterns.md section 2; at the assumed 0.05 it passed the criterion's 1% test, at Longo et al.'s 0.27
# it does not), and in the second it is the larger
EARLY_YEARS = 2
NO_EFFECTS = {f"programmes.{name}": 0.0 for name in (
    "case_management_effect", "case_management_progression_effect", "outreach_effect", "outreach_referral_effect",
    "discharge_los_effect", "discharge_readmission_effect", "prevention_effect", "community_admission_effect")}
COLLABORATIVE_PLACE, AGAINST = "all-collaborative", "all-fortress"
# the kinds the regulators of 2015 judged: councils left out of the organisation-focused regulator's judgement
# (a tuple: settings are cache keys)
NHS_KINDS = ("commissioner", "hospital", "gp_federation", "prime_contractor")


def early(yearly: np.ndarray) -> np.ndarray:
    """A figure by year summed over the first EARLY_YEARS years (per seed, the years on the last axis): where
    the collaborative pattern's dip is judged."""
    return np.asarray(yearly)[..., :EARLY_YEARS].sum(axis=-1)


def gap_growth(admissions_gap: np.ndarray) -> np.ndarray:
    """How much further a place's admissions fell below the other's from years 1-2 to years 6-10 (per
    seed): positive when its demand bent after a lag."""
    return admissions_gap[:, :2].mean(axis=1) - admissions_gap[:, 5:].mean(axis=1)


# --- learning places: the rules of the commons, and the regulator ----------------------------------------
LEARNING = {"adaptation.policy": "adaptive"}
COMMONS_PLACE = "baseline"
COMMONS_BASE = {**LEARNING, "regulation.focus": "system"}
COMMONS = {
    "no rules": {},
    "shared measures and graduated sanctions": {"commons.shared_measures": True, "commons.graduated_sanctions": True},
    "shared measures only": {"commons.shared_measures": True},
}
SANCTIONS = {**COMMONS_BASE, **COMMONS["shared measures and graduated sanctions"]}  # both rules, learning
NO_SANCTION = {"commons.sanction_per_harm": 0.0}  # the same rules with no sanction: what sanctions are judged against
NOT_FORESEEN = {"decisions.sanction_weight": 0.0}  # sanctions paid, counted by no lever's objective: the ablation
REGULATION_PLACE = "all-collaborative"
REGULATION = {
    "whole-system regulator": {**LEARNING, "regulation.focus": "system"},
    "organisation-focused regulator": {**LEARNING, "regulation.focus": "organisation"},
}
# what the share collaborating counts: special measures with new leadership (what was learned erased, relationships
# started again) that chooses its strategy as any organisation does, instead of being run as a fortress
NO_FORTRESS_IMPOSED = {"regulation.special_measures_fortress": False}
# the ablation: the regulator's judgement gone from decisions and from learning, and no special measures
NO_JUDGEMENT = {"decisions.regulator_weight": 0.0, "adaptation.weight_regulation": 0.0,
                "regulation.special_measures_deficit": 1.0}
# outcomes are judged where hospitals are paid by activity (the baseline's mixed place under Payment by
# Results, the tariff the papers wrote under): there a provider judged on its own deficit can earn its way
# out with admissions; under the alliance's block budgets it has no activity to earn
REGULATION_OUTCOME_PLACE = "baseline"


def regulators(extra: dict[str, Any], place: str = REGULATION_PLACE) -> tuple[tuple[str, dict], tuple[str, dict]]:
    """The place under the whole-system regulator and under the organisation-focused one, with ``extra``."""
    return ((place, {**REGULATION["whole-system regulator"], **extra}),
            (place, {**REGULATION["organisation-focused regulator"], **extra}))
# the outcomes' ablation: the organisation-focused regulator's line out of reach (a deficit of a whole year's
# income), so it puts nobody in special measures and no organisation's decisions or learning count a pound below it
LINE_OUT_OF_REACH = {"regulation.special_measures_deficit": 1.0}
# councils' prevention spending held where each council's starting strategy puts it, in both places (as a ring-fenced
# public health grant would hold it): what the whole-system regulator's net benefit rests on with the headroom banked
# (test_regulation_outcomes.py; a tuple: settings are cache keys)
PREVENTION_HELD = {"decisions.held_levers": ("prevention_ratio",)}
