"""Compare payment arrangements on one place, on the same seeds.

An *arrangement* is a way of paying for care in a place, written as changes to
its scenario by dotted path: each payment regime that can pay for acute care is
one (``{"contracting.acute": "block"}``), and arrangements that are not one
regime in one scope (a capitated lead provider, a pooled budget) are added with
:func:`register`.

:func:`compare` runs every arrangement on every seed (seed, seed+1, ...) with
:mod:`model.experiments.runner`. Arrangement k and arrangement j run on the same
seeds, and each mechanism of the model draws from its own random stream, so the
runs of one seed differ by the arrangement, not by a reshuffle of unrelated
draws (common random numbers). Each run is summarised into the measures in
:data:`OUTCOMES`; :func:`summarise` gives each arrangement's mean with a 95%
interval across seeds and :func:`rank` orders the arrangements on one measure.

>>> long = compare("baseline", ["pbr", "block"], seeds=20, steps=60)
>>> rank(summarise(long), by="place_balance")
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.runner import RunResult, RunSpec, run_many
from model.population import Geography
from model.regimes import REGIMES
from model.scenario import Scenario, ScenarioError, load_scenario

ChangesFn = Callable[[Scenario], "dict[str, Any] | None"]

LONG_COLUMNS = ["arrangement", "seed", "outcome", "value"]
SUMMARY_COLUMNS = ["arrangement", "outcome", "mean", "low", "high", "n"]
TERMS = "contracting.terms"


# --- arrangements ------------------------------------------------------------------
ARRANGEMENTS: dict[str, tuple[str, ChangesFn]] = {}


def register(name: str, description: str, changes_fn: ChangesFn, *, replace: bool = False) -> None:
    """Add an arrangement: ``changes_fn(scenario)`` gives the changes by dotted path
    that put the place under it, or None when it does not apply to that place."""
    if not name or "," in name or "/" in name or name != name.strip():
        raise ValueError(f"arrangement name {name!r}: a name without commas, slashes or outer spaces is allowed")
    if name in ARRANGEMENTS and not replace:
        raise ValueError(f"arrangement {name!r} is already registered (pass replace=True to replace it)")
    ARRANGEMENTS[name] = (description, changes_fn)


def _acute_regime(name: str) -> ChangesFn:
    def changes(scenario: Scenario) -> dict[str, Any]:
        out: dict[str, Any] = {"contracting.acute": name}
        switches = scenario.contracting.switches
        if any(sw.scope == "acute" for sw in switches):
            # the arrangement pays acute care under `name` throughout: drop scheduled acute switches
            out["contracting.switches"] = [sw.model_dump() for sw in switches if sw.scope != "acute"]
        return out

    changes.__qualname__ = f"acute_regime[{name}]"
    return changes


for _name, _regime in REGIMES.items():
    if "acute" in _regime.scopes:
        register(_name, _regime.description, _acute_regime(_name))


# --- outcomes ----------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """A measure compared: a place-table column summarised over a run."""

    column: str
    # "last": the last month's value; "last_12": the mean of the last 12 months; "run": the last value
    # of a running total (the whole run's)
    over: str
    higher_is_better: bool
    label: str  # for charts and tables
    unit: str = ""
    scale: float = 1.0  # value x scale is shown
    fmt: str = ",.0f"
    short: str = ""  # a table column's heading (default: the label)

    def of(self, place: pd.DataFrame) -> float:
        series = place.sort_values("month")[self.column]
        if self.over in ("last", "run"):
            return float(series.iloc[-1])
        if self.over == "last_12":
            return float(series.iloc[-12:].mean())
        raise ValueError(f"unknown summary {self.over!r}")

    @property
    def when(self) -> str:
        return {"last": "at the end", "last_12": "mean of the last 12 months", "run": "over the run"}[self.over]

    @property
    def when_short(self) -> str:
        return {"last": "end", "last_12": "12-mo mean", "run": "run"}[self.over]

    @property
    def heading(self) -> str:
        return self.short or self.label


OUTCOMES: dict[str, Outcome] = {
    # the place's own money: its balance less the national support its organisations drew over the run (distress
    # finance, write-offs), which would otherwise rank higher the arrangement under which more of them fail
    "place_balance_own": Outcome("place_balance_own", "last", True, "place balance without national support", "£m",
                                 1e-6, ",.2f", "place, own"),
    "place_balance": Outcome("place_balance", "last", True, "place balance", "£m", 1e-6, ",.2f", "place"),
    "balance_commissioner": Outcome("balance_commissioner", "last", True, "commissioners' balance", "£m", 1e-6, ",.2f", "commissioners"),
    "balance_council": Outcome("balance_council", "last", True, "councils' balance", "£m", 1e-6, ",.2f", "councils"),
    "balance_hospital": Outcome("balance_hospital", "last", True, "hospitals' balance", "£m", 1e-6, ",.2f", "hospitals"),
    "balance_gp_federation": Outcome("balance_gp_federation", "last", True, "GP federations' balance", "£m", 1e-6, ",.2f",
                                     "GP federations"),
    # net health (model.health): the population's QALYs and those bought outside the model at the
    # threshold, plus the change in the place's balance
    "net_monetary_benefit": Outcome("net_monetary_benefit_cumulative", "run", True, "net monetary benefit", "£m", 1e-6,
                                    ",.1f", "net monetary benefit"),
    # the same QALYs, plus the change in the place's balance as the QALYs it would buy at the NHS's margin
    # (model.health): every pound priced alike, so a commissioner's pound banked and spent outside count the same
    "net_health_benefit": Outcome("net_health_benefit_cumulative", "run", True, "net health benefit", "QALYs", 1.0,
                                  ",.1f", "net health benefit"),
    "qalys": Outcome("qalys_cumulative", "run", True, "QALYs of the population", "", 1.0, ",.0f", "QALYs"),
    "qalys_outside": Outcome("qalys_outside_cumulative", "run", True, "QALYs bought outside the model", "", 1.0, ",.1f",
                             "QALYs bought outside"),
    "qalys_community": Outcome("qalys_community_cumulative", "run", True,
                               "QALYs community services' change since the start gave", "", 1.0, ",.1f", "QALYs, community change"),
    "emergency_admissions_per_1000": Outcome("emergency_admissions_per_1000", "last_12", False,
                                             "emergency admissions per 1,000 a year", "", 1.0, ",.1f", "emergency adm./1,000"),
    "delayed_transfer_days": Outcome("delayed_transfer_days", "last_12", False, "delayed transfer days a month", "", 1.0, ",.0f",
                                     "delayed days/month"),
    # seed 003's measure of Torbay: emergency stays and delays of people aged 65 and over, a year per 1,000 of them
    "emergency_bed_days_65plus_per_1000": Outcome("emergency_bed_days_65plus_per_1000", "last_12", False,
                                                  "emergency bed days a year per 1,000 people aged 65 and over", "", 1.0,
                                                  ",.0f", "65+ emergency bed days/1,000"),
    "waiting_list": Outcome("waiting_list", "last", False, "elective waiting list", "people", 1.0, ",.0f", "waiting list"),
    "unmet_social_care_need": Outcome("unmet_social_care_need", "last", False, "unmet social care need", "people", 1.0, ",.0f",
                                      "unmet social care"),
    # what the rules of the commons and the regulator do to the strategy mix (with learning on; with
    # fixed strategies they only show the scenario's mix)
    "share_collaborative": Outcome("share_collaborative", "last_12", True, "share of organisations collaborating", "", 1.0, ".2f",
                                   "share collaborating"),
    "mean_trust": Outcome("mean_trust", "last", True, "mean trust between partners", "", 1.0, ".2f", "mean trust"),
    "in_special_measures": Outcome("in_special_measures", "last_12", False, "organisations in special measures", "", 1.0, ".1f",
                                   "in special measures"),
    # money from outside the place to rescue its organisations (distress finance, administration, a council's
    # exceptional financial support): in the place's balance, left out of its net monetary benefit
    "national_support": Outcome("national_support", "last", False, "national support drawn", "£m", 1e-6, ",.2f",
                                "national support, £m"),
}

def outcomes_of(place: pd.DataFrame) -> dict[str, float]:
    """Every outcome of one run's place table."""
    return {name: o.of(place) for name, o in OUTCOMES.items()}


# --- planning ----------------------------------------------------------------------
@dataclass(frozen=True)
class ArrangementRun(RunSpec):
    """A run spec that knows which arrangement it is (it comes back with the result)."""

    arrangement: str = ""


@dataclass
class Plan:
    """What :func:`compare` will run, checked before anything runs."""

    scenario: Scenario  # the place: the scenario with the user's changes and steps
    source: str  # its name or file, as the workers load it
    arrangements: list[str]
    seeds: list[int]
    changes: dict[str, dict[str, Any]]  # each arrangement's full changes (the user's merged under its own)
    steps: int | None = None
    specs: list[ArrangementRun] = field(default_factory=list)


def applicable(scenario: Scenario) -> list[str]:
    """The arrangements that apply to a place, in registration order."""
    return [name for name, (_, fn) in ARRANGEMENTS.items() if fn(scenario) is not None]


def check_names(names: Iterable[str], scenario: Scenario | None = None, where: str = "arrangements") -> list[str]:
    """The names, checked: each must be a known arrangement (and apply to the place, if given)."""
    names = list(names)
    if not names:
        raise ScenarioError(where, "(names)", "", f"name at least one arrangement; known: {', '.join(ARRANGEMENTS)}")
    for name in names:
        if name not in ARRANGEMENTS:
            hint = ""
            if name in REGIMES:
                hint = f" ({name!r} is a payment regime for {', '.join(sorted(REGIMES[name].scopes))}, not for acute care)"
            raise ScenarioError(where, "(name)", name, f"no arrangement of that name{hint}; known: {', '.join(ARRANGEMENTS)}")
        if scenario is not None and ARRANGEMENTS[name][1](scenario) is None:
            raise ScenarioError(where, "(name)", name, f"this arrangement does not apply to {scenario.name}; "
                                f"these do: {', '.join(applicable(scenario)) or 'none'}")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(where, "(name)", dupes[0], "each arrangement may be named once")
    return names


def _seed_list(seeds: int | Iterable[int], first: int) -> list[int]:
    if isinstance(seeds, bool):
        raise ScenarioError("seeds", "(seeds)", seeds, "a number of seeds (at least 1) or a list of seeds (0 or more)")
    if isinstance(seeds, int | np.integer):
        if seeds < 1:
            raise ScenarioError("seeds", "(number)", int(seeds), "a whole number of at least 1 is allowed")
        return list(range(first, first + int(seeds)))
    out = list(seeds)
    for s in out:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 0:
            raise ScenarioError("seeds", "(seed)", s, "each seed is a whole number of 0 or more")
    if not out:
        raise ScenarioError("seeds", "(seeds)", out, "at least one seed")
    if len(set(out)) != len(out):
        raise ScenarioError("seeds", "(seeds)", out, "each seed may be given once")
    return [int(s) for s in out]


def plan(
    scenario_ref: str | Path | None,
    arrangements: Iterable[str] | None,
    seeds: int | Iterable[int],
    steps: int | None = None,
    changes: Mapping[str, Any] | None = None,
    *,
    names_from: str = "arrangements",
) -> Plan:
    """Check everything a comparison needs and build its run specs (one per arrangement per seed).

    Regime terms (``contracting.terms``, the scenario's and the user's) go to each
    arrangement whose regimes take them; a term the user sets that no compared
    arrangement takes is refused. Bad input raises :class:`ScenarioError`
    (``names_from`` is where the names came from, for its message).
    """
    user = dict(changes or {})
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ScenarioError("steps", "(steps)", steps, "a whole number of at least 1 is allowed")
        user["run.steps"] = steps
    term_changes = {k: v for k, v in user.items() if k == TERMS or k.startswith(TERMS + ".")}
    other = {k: v for k, v in user.items() if k not in term_changes}
    base = load_scenario(scenario_ref)
    place = base.with_changes(other) if other else base
    terms = dict(place.contracting.terms)
    given: set[str] = set()
    for path, value in term_changes.items():
        if path == TERMS:
            if not isinstance(value, dict):
                raise ScenarioError(place.origin, path, value, "a table of regime parameters, e.g. {marginal_rate = 0.3}")
            terms, given = dict(value), set(value)
        else:
            name = path[len(TERMS) + 1:]
            terms[name] = value
            given.add(name)

    names = check_names(applicable(place) if arrangements is None else arrangements, place, names_from)
    seed_list = _seed_list(seeds, place.run.seed)
    worker_changes = {k: v for k, v in other.items() if k != "run.seed"}
    by_arrangement: dict[str, dict[str, Any]] = {}
    used_terms: set[str] = set()
    for name in names:
        own = dict(ARRANGEMENTS[name][1](place) or {})
        own_terms = own.pop(TERMS, {}) or {}
        # which regimes the arrangement uses, then the terms they take
        bare = base.with_changes({**other, **own, TERMS: {}})
        takes = {p for r in bare.contracting.regimes_in_use() for p in REGIMES[r].parameters}
        merged_terms = {k: v for k, v in {**terms, **own_terms}.items() if k in takes}
        used_terms |= set(merged_terms)
        full = {**worker_changes, **own}
        if merged_terms or place.contracting.terms:
            full[TERMS] = merged_terms
        base.with_changes(full)  # refused here, not in a worker, if the place cannot take it
        by_arrangement[name] = full
    unused = sorted(given - used_terms)
    if unused:
        takes_any = sorted({p for n in names for r in base.with_changes({**by_arrangement[n], TERMS: {}}).contracting.regimes_in_use()
                            for p in REGIMES[r].parameters})
        raise ScenarioError("--set", f"{TERMS}.{unused[0]}", terms[unused[0]],
                            f"not a parameter of any compared arrangement's regimes; allowed: {', '.join(takes_any) or 'none'}")
    specs = [ArrangementRun(scenario=base, seed=s,  # the validated object: workers never read the file
                            changes=by_arrangement[a], steps=steps, arrangement=a)
             for a in names for s in seed_list]
    return Plan(scenario=place, source=base.origin, arrangements=names, seeds=seed_list, changes=by_arrangement,
                steps=steps, specs=specs)


# --- running -----------------------------------------------------------------------
class RunFailedWarning(RuntimeWarning):
    """A run of a comparison failed; the others went on."""


def run_plan(
    p: Plan,
    processes: int | None = None,
    on_result: Callable[[RunResult], None] | None = None,
    *,
    scheduler: str | None = None,
    reuse: Callable[[ArrangementRun], pd.DataFrame | None] | None = None,
) -> pd.DataFrame:
    """Run a plan; the long table of outcomes (failed runs are left out of it, warned
    about and listed in ``long.attrs["failed"]`` as dicts of arrangement, seed, error).

    ``scheduler``: run on Dask (see :func:`model.experiments.runner.executor_for`).
    ``reuse(spec)``: the place table of a run already finished (a resumed folder), or None to run it.
    """
    rows: list[tuple[str, int, str, float]] = []
    failed: list[dict[str, Any]] = []

    def take(result: RunResult) -> None:
        spec = result.spec
        if result.ok:
            for outcome, value in outcomes_of(result.place).items():
                rows.append((spec.arrangement, spec.seed, outcome, value))
        else:
            last = result.error.strip().splitlines()[-1] if result.error else "unknown error"
            failed.append({"arrangement": spec.arrangement, "seed": spec.seed, "error": result.error})
            warnings.warn(f"{spec.arrangement}, seed {spec.seed} failed: {last}", RunFailedWarning, stacklevel=3)
        if on_result is not None:
            on_result(result)

    todo = []
    for spec in p.specs:
        place = reuse(spec) if reuse is not None else None
        if place is None:
            todo.append(spec)
        else:
            rows.extend((spec.arrangement, spec.seed, o, v) for o, v in outcomes_of(place).items())
    more = {"scheduler": scheduler} if scheduler is not None else {}
    if todo:
        for _ in run_many(todo, processes=processes, on_result=take, **more):
            pass
    long = pd.DataFrame(rows, columns=LONG_COLUMNS)
    long["seed"] = long["seed"].astype("int64")
    long["value"] = long["value"].astype("float64")
    order = {a: i for i, a in enumerate(p.arrangements)}
    outs = {o: i for i, o in enumerate(OUTCOMES)}
    keys = pd.DataFrame({"a": long["arrangement"].map(order), "s": long["seed"], "o": long["outcome"].map(outs)})
    long = long.loc[keys.sort_values(["a", "s", "o"], kind="stable").index].reset_index(drop=True)
    long.attrs["failed"] = sorted(failed, key=lambda f: (order[f["arrangement"]], f["seed"]))
    return long


def compare(
    scenario_ref: str | Path | None,
    arrangements: Iterable[str] | None,
    seeds: int | Iterable[int],
    steps: int | None = None,
    changes: Mapping[str, Any] | None = None,
    processes: int | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> pd.DataFrame:
    """Run each arrangement on the same place and seeds; one row per arrangement per seed per outcome.

    ``arrangements``: names (None: every arrangement that applies to the place).
    ``seeds``: how many (from the scenario's seed on) or which. ``changes``: the
    user's changes by dotted path, under each arrangement's own. A failed run is
    warned about (:class:`RunFailedWarning`), listed in ``attrs["failed"]`` and
    left out; the others go on. ``on_result`` sees every result as it finishes
    (``result.spec.arrangement`` says which arrangement it is).
    """
    return run_plan(plan(scenario_ref, arrangements, seeds, steps, changes), processes, on_result)


# --- summaries ---------------------------------------------------------------------
def t_interval(values: Iterable[float], level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and the ``level`` t interval of the mean (one value: the interval is the value)."""
    x = np.asarray(list(values), dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return (mean, mean, mean, 1)
    from scipy.stats import t  # scipy comes with mesa

    half = float(t.ppf(0.5 + level / 2, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return (mean, mean - half, mean + half, n)


def t_p_value(values: Iterable[float]) -> float:
    """Two-sided p-value of the one-sample t test that the mean is 0 (the test :func:`t_interval` inverts: its
    ``level`` interval excludes 0 exactly when this is below ``1 - level``). Values all alike give 0 unless they
    are 0, and fewer than two values give NaN (nothing to judge)."""
    x = np.asarray(list(values), dtype=float)
    if len(x) < 2:
        return math.nan
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    if sd == 0.0:
        return 1.0 if mean == 0.0 else 0.0
    from scipy.stats import t

    return float(2.0 * t.sf(abs(mean) / (sd / math.sqrt(len(x))), len(x) - 1))


def holm(p_values: Iterable[float]) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (Holm 1979, Scandinavian Journal of Statistics
    6(2)): the k-th smallest of m is multiplied by m - k + 1, kept at least its predecessor's and at most 1, so
    that calling those adjusted below alpha beyond chance keeps the chance of any false call in the family at
    most alpha, whatever the tests' dependence. NaN (nothing to judge) stays NaN and is not counted in m."""
    p = np.asarray(list(p_values), dtype=float)
    out = np.full(p.shape, math.nan)
    judged = np.flatnonzero(~np.isnan(p))
    order = judged[np.argsort(p[judged], kind="stable")]
    m = len(order)
    out[order] = np.minimum(np.maximum.accumulate(p[order] * (m - np.arange(m))), 1.0)
    return out


def summarise(long: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per arrangement and outcome: the mean across seeds, its 95% t interval (low, high) and n."""
    missing = [c for c in LONG_COLUMNS if c not in long.columns]
    if missing:
        raise ValueError(f"a long table has columns {', '.join(LONG_COLUMNS)}; missing: {', '.join(missing)}")
    rows = []
    arrangements = list(dict.fromkeys(long["arrangement"]))
    outcomes = [o for o in OUTCOMES if o in set(long["outcome"])] + [o for o in dict.fromkeys(long["outcome"]) if o not in OUTCOMES]
    groups = long.groupby(["arrangement", "outcome"], sort=False)["value"]
    for a in arrangements:
        for o in outcomes:
            if (a, o) in groups.groups:
                rows.append((a, o, *t_interval(groups.get_group((a, o)), level)))
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out["n"] = out["n"].astype("int64")
    return out


def _check_outcome(by: str) -> None:
    if by not in OUTCOMES:
        raise ScenarioError("rank", "(outcome)", by, f"known outcomes: {', '.join(OUTCOMES)}")


def _by_seed(long: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One outcome of a long table as seed x arrangement, for differences taken within a seed."""
    return long[long["outcome"] == outcome].pivot_table(index="seed", columns="arrangement", values="value", aggfunc="first")


def paired_with(long: pd.DataFrame, by: str, reference: str, level: float = 0.95) -> pd.DataFrame:
    """Each arrangement against ``reference`` on one outcome, seed by seed (common random numbers).

    Columns: arrangement, mean (of the per-seed differences, arrangement less reference), low, high (its
    ``level`` t interval), n (seeds both finished), better (seeds on which the arrangement did better than the
    reference, by the outcome's direction), worse, p (the paired t test's two-sided p-value: the interval
    excludes 0 exactly when it is below ``1 - level``) and ``p holm`` (the p-values of every arrangement against
    the reference adjusted together by :func:`holm`, for several arrangements compared with one reference find a
    few differences by chance alone). The reference itself is left out. The unpaired
    intervals of :func:`summarise` hold each arrangement's spread across seeds; a difference on the same
    seeds is far narrower, so this is how to tell whether two arrangements differ at all.
    """
    _check_outcome(by)
    sub = _by_seed(long, by)
    if reference not in sub.columns:
        raise ValueError(f"no runs of arrangement {reference!r} for outcome {by!r}")
    sign = 1.0 if OUTCOMES[by].higher_is_better else -1.0
    rows = []
    for a in dict.fromkeys(long.loc[long["outcome"] == by, "arrangement"]):
        if a == reference:
            continue
        d = (sub[a] - sub[reference]).dropna()
        mean, low, high, n = t_interval(d, level)
        rows.append((a, mean, low, high, n, int((sign * d > 0).sum()), int((sign * d < 0).sum()), t_p_value(d)))
    out = pd.DataFrame(rows, columns=["arrangement", "mean", "low", "high", "n", "better", "worse", "p"])
    out["p holm"] = holm(out["p"].to_numpy(float))
    return out.astype({"n": "int64", "better": "int64", "worse": "int64"})


DEFAULT_RANK = "net_health_benefit"


def rank(summary: pd.DataFrame, by: str = DEFAULT_RANK) -> pd.DataFrame:
    """The arrangements best first on one outcome: rank, arrangement, mean, low, high, n.

    Equal means share a rank and keep the summary's order. The default, the net health benefit, prices
    every pound of the place's alike (model.health), so where commissioners' headroom goes (spent outside
    the model or banked) does not by itself move an arrangement up or down; the place's balances do move
    with it (a pound spent outside leaves the balance).
    """
    _check_outcome(by)
    sub = summary[summary["outcome"] == by]
    if sub.empty:
        raise ValueError(f"the summary has no rows for outcome {by!r}")
    sub = sub.sort_values("mean", ascending=not OUTCOMES[by].higher_is_better, kind="stable")
    sub = sub.drop(columns="outcome").reset_index(drop=True)
    # equal means share a rank (money moved between organisations leaves the place's balance as it was)
    ranks = sub["mean"].rank(method="min", ascending=not OUTCOMES[by].higher_is_better)
    sub.insert(0, "rank", ranks.fillna(len(sub)).astype("int64"))
    return sub


# --- the headroom convention --------------------------------------------------------------
# What commissioners do with the headroom their plans find is a convention the model cannot settle
# (docs/ODD.md 7.21): spent on services outside the model, or banked. A comparison run under both, on the
# same seeds, shows which of its conclusions rest on it.
HEADROOM = "money.commissioner_headroom_spent"
CONVENTIONS: dict[str, float] = {"spent": 1.0, "banked": 0.0}


def ranks_under(summaries: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each arrangement's rank and mean on every outcome under each setting (e.g. each convention).

    ``summaries``: setting -> :func:`summarise`'s table. Columns: outcome, arrangement, then
    ``rank <setting>`` and ``mean <setting>`` for each setting, the arrangements in the summaries' order.
    """
    if not summaries:
        raise ValueError("no summaries to set side by side")
    frames = []
    for setting, summary in summaries.items():
        parts = []
        for name in (o for o in OUTCOMES if o in set(summary["outcome"])):
            r = rank(summary, by=name)[["arrangement", "rank", "mean"]]
            r.insert(0, "outcome", name)
            parts.append(r)
        frames.append(pd.concat(parts).rename(columns={"rank": f"rank {setting}", "mean": f"mean {setting}"}))
    out = frames[0]
    for f in frames[1:]:
        out = out.merge(f, on=["outcome", "arrangement"], how="outer", sort=False)
    order = {a: i for i, a in enumerate(dict.fromkeys(next(iter(summaries.values()))["arrangement"]))}
    outs = {o: i for i, o in enumerate(OUTCOMES)}
    keys = pd.DataFrame({"o": out["outcome"].map(outs), "a": out["arrangement"].map(order)}, index=out.index)
    return out.loc[keys.sort_values(["o", "a"], kind="stable").index].reset_index(drop=True)


def agreement(side_by_side: pd.DataFrame) -> pd.DataFrame:
    """Per outcome of :func:`ranks_under`'s table: whether every setting orders the arrangements alike
    (``same_order``; equal means share a rank), how many arrangements' ranks differ between settings
    (``moved``) and the best arrangement(s) under each (``best <setting>``)."""
    settings = [c[len("rank "):] for c in side_by_side.columns if c.startswith("rank ")]
    rows = []
    for name, sub in side_by_side.groupby("outcome", sort=False):
        ranks = sub[[f"rank {s}" for s in settings]].to_numpy()
        moved = int((ranks != ranks[:, :1]).any(axis=1).sum())
        row: dict[str, Any] = {"outcome": name, "same_order": moved == 0, "moved": moved}
        for s in settings:
            row[f"best {s}"] = ", ".join(sub.loc[sub[f"rank {s}"] == 1, "arrangement"])
        rows.append(row)
    return pd.DataFrame(rows)


SWAP_VERDICTS = ("both ways", "one way", "within chance")


def _side_of_zero(low: float, high: float) -> int:
    """+1 when an interval lies above 0, -1 below, 0 when it holds 0 (or is undefined)."""
    return 1 if low > 0 else -1 if high < 0 else 0


def swaps(longs: Mapping[str, pd.DataFrame], level: float = 0.95) -> pd.DataFrame:
    """The pairs of arrangements whose order on an outcome differs between two settings run on the same seeds,
    each judged on its paired differences under each setting: is the change of order more than chance?

    ``longs``: two settings -> a comparison's long table (the same arrangements and seeds). For every outcome
    and every pair (a, b) with a strictly ahead of b on the mean under one setting and strictly behind under the
    other, the rows give the settings (``first``, ``second``: the first is the one a is ahead under), per setting
    the mean of a − b across the seeds both finished and its ``level`` t interval (``mean first``, ``low
    first``, ``high first``, and the same for ``second``), and ``gap``: the same for the difference between the
    settings' differences (how far the setting moves the pair apart). ``verdict``:

    * ``both ways``: a is ahead beyond chance under one setting and behind beyond chance under the other (each
      interval excludes 0, on opposite sides): the setting turns the conclusion round;
    * ``one way``: one setting's interval excludes 0 and the other's holds it: the conclusion holds under one
      setting and cannot be told under the other;
    * ``within chance``: neither excludes 0: the pair's order is noise under both, and its change says nothing.

    Ties in the mean (money moved between organisations leaves a balance as it was) are not a change of order.

    Each interval is at ``level`` on its own. ``p first`` and ``p second`` are the paired t tests' two-sided
    p-values (an interval excludes 0 exactly when its p is below ``1 - level``), and ``verdict holm`` judges the
    same pairs with every p-value in the table adjusted together by :func:`holm` (two a pair): among many pairs
    and outcomes a few intervals exclude 0 by chance alone, and ``verdict holm`` keeps the chance of any such
    false call in the table below ``1 - level``.
    """
    if len(longs) != 2:
        raise ValueError(f"swaps compares two settings; given {len(longs)}")
    (s1, l1), (s2, l2) = longs.items()
    cols = ["outcome", "a", "b", "first", "second"] + [f"{k} {s}" for s in ("first", "second") for k in ("mean", "low", "high")]
    cols += ["gap mean", "gap low", "gap high", "n", "verdict", "p first", "p second"]
    rows = []
    for name, out in OUTCOMES.items():
        tables = [_by_seed(lo, name) for lo in (l1, l2)]
        if any(t.empty for t in tables):
            continue
        sign = 1.0 if out.higher_is_better else -1.0
        names = [a for a in dict.fromkeys(l1.loc[l1["outcome"] == name, "arrangement"]) if a in tables[1].columns]
        means = [t.mean() for t in tables]
        seeds = tables[0].index.intersection(tables[1].index)
        for i, x in enumerate(names):
            for y in names[i + 1:]:
                d1, d2 = (sign * (means[k][x] - means[k][y]) for k in (0, 1))
                if not d1 * d2 < 0:  # the same order, a tie, or a missing mean
                    continue
                a, b = (x, y) if d1 > 0 else (y, x)  # a: ahead under the first setting
                per = [(t.loc[seeds, a] - t.loc[seeds, b]).dropna() for t in tables]
                both = per[0].index.intersection(per[1].index)
                i1, i2 = (t_interval(p.loc[both], level)[:3] for p in per)
                gap = t_interval(per[0].loc[both] - per[1].loc[both], level)
                sides = (_side_of_zero(*i1[1:]), _side_of_zero(*i2[1:]))
                verdict = _verdict(sides)
                rows.append((name, a, b, s1, s2, *i1, *i2, *gap[:3], gap[3], verdict, *(t_p_value(d.loc[both]) for d in per)))
    out = pd.DataFrame(rows, columns=cols)
    return _judged_together(out.astype({"n": "int64"}), level)


def _verdict(sides: tuple[int, int]) -> str:
    return "both ways" if sides[0] * sides[1] < 0 else "one way" if sides[0] or sides[1] else "within chance"


def _judged_together(table: pd.DataFrame, level: float) -> pd.DataFrame:
    """``table`` with ``verdict holm``: each pair's verdict with all the table's p-values adjusted by Holm's method."""
    out = table.copy()
    n = len(out)
    adjusted = holm(np.concatenate([out["p first"].to_numpy(float), out["p second"].to_numpy(float)]))
    beyond = adjusted < 1.0 - level  # NaN (nothing to judge) is never beyond chance
    sides = np.sign(np.concatenate([out["mean first"].to_numpy(float), out["mean second"].to_numpy(float)])) * beyond
    out["verdict holm"] = pd.Series([_verdict((int(sides[i]), int(sides[n + i]))) for i in range(n)], index=out.index, dtype=object)
    return out


def swaps_against_first(longs: Mapping[str, pd.DataFrame], level: float = 0.95) -> pd.DataFrame:
    """:func:`swaps` of every setting after the first against the first (one table; ``second`` says which; its
    ``verdict holm`` adjusts every p-value of the whole table together)."""
    if len(longs) < 2:
        raise ValueError(f"swaps compare two settings or more; given {len(longs)}")
    (s1, l1), *others = longs.items()
    return _judged_together(pd.concat([swaps({s1: l1, s: lo}, level) for s, lo in others], ignore_index=True), level)


# --- arrangements that are not one regime for acute care ---------------------------------------
POOLED_CONTRIBUTION = 0.05  # assumption: the Better Care Fund 2015/16, about £3.8bn of some £70bn of CCG budgets


def _overlap(scenario: Scenario, kind: str) -> np.ndarray:
    """Share of each commissioner's registered population living in each hospital's or council's patch."""
    names = [c.name for c in scenario.commissioners]
    gp_comm = [names.index(g.commissioner) for g in scenario.gp_federations]
    geo = Geography.from_shares([c.share for c in scenario.councils], [h.share for h in scenario.hospitals],
                                [g.share for g in scenario.gp_federations], gp_comm)
    edges, council, hospital, gp = geo.zones()
    width = np.diff(np.concatenate([[0.0], edges, [1.0]]))
    target = hospital if kind == "hospitals" else council
    out = np.zeros((len(names), len(getattr(scenario, kind))))
    np.add.at(out, (np.asarray(gp_comm)[gp], target), width)
    return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)


def _pacs(scenario: Scenario) -> dict[str, Any]:
    """Each commissioner hands its budget to the hospital that serves most of its population."""
    overlap = _overlap(scenario, "hospitals")
    return {"contracting.capitated_budgets": [
        {"commissioner": c.name, "lead": scenario.hospitals[int(overlap[i].argmax())].name, "step": 0}
        for i, c in enumerate(scenario.commissioners)]}


def _mcp(scenario: Scenario) -> dict[str, Any] | None:
    """Each commissioner hands its budget to its largest GP federation."""
    budgets = []
    for c in scenario.commissioners:
        feds = [g for g in scenario.gp_federations if g.commissioner == c.name]
        if not feds:
            return None
        budgets.append({"commissioner": c.name, "lead": max(feds, key=lambda g: g.share).name, "step": 0})
    return {"contracting.capitated_budgets": budgets}


def _pooled(scenario: Scenario) -> dict[str, Any]:
    """Every commissioner pools a Better Care Fund-sized share with every council its population lives in."""
    overlap = _overlap(scenario, "councils")
    return {"contracting.pooled_budgets": [
        {"commissioner": c.name, "council": co.name, "nhs_contribution": POOLED_CONTRIBUTION, "step": 0}
        for i, c in enumerate(scenario.commissioners) for j, co in enumerate(scenario.councils) if overlap[i, j] > 0]}


register("pacs", "Capitated whole-population budget to the main hospital (primary and acute care system)", _pacs)
register("mcp", "Capitated whole-population budget to the largest GP federation (multispecialty community provider)", _mcp)
register("pooled", "Health and social care budgets pooled with the councils (Section 75 / Better Care Fund)", _pooled)
