"""The patterns' assumptions moved together: where each pattern's main claims hold in the joint space.

Run by ``make pattern-sensitivity``. docs/patterns.md section 5 moves one assumption at a time; here
every assumption the patterns rest on moves at once over a Latin hypercube (SALib), with the
headroom convention as one more factor (the share of the headroom spent, from banked to spent) and a
dummy factor that changes nothing, so the effects the noise alone gives can be read beside the others.
At each point each claim is measured as docs/patterns.md measures it (the same pairs of places on
common seeds: tools/pattern_charts.py) and averaged over the point's seeds. Then, for each claim:

- how much of the space it holds in: the share of points whose mean difference has the claimed sign,
  and whether it holds across the space by the tests' criterion (pattern_settings.holds, the points in
  place of the seeds);
- what moves it: a linear regression of the points' differences on the factors, each scaled to its
  range, so a coefficient is the change in the difference from one end of that factor's range to the
  other, all else held (with an interval that covers every factor's effect at once with 95% confidence);
- where it fails: PRIM's box (model.experiments.discover.prim) of the points where the difference has
  the wrong sign, when there are enough of them, set beside the boxes PRIM finds with the failures
  shuffled among the points (a box no denser than those may be chance).

Each run is kept as it finishes (a cache file named by the model's source, the scenarios and the
design), so a run stopped halfway goes on where it stopped.

    make pattern-sensitivity                                       # the default design: 120 points, 2 seeds
    .venv/bin/python tools/pattern_sensitivity.py --points 8 --seeds 1 --size 1000 --doc /tmp/s.md --img /tmp/img
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import pattern_charts as pc  # noqa: E402  (sets the paths to the model and the patterns' settings)

ps = pc.ps
DOC = ROOT / "docs" / "pattern-sensitivity.md"
IMG = ROOT / "docs" / "img" / "patterns"
CACHE = ROOT / ".cache" / "pattern-sensitivity"
ERROR = 0.05  # the chance, for each claim, that any factor's interval leaves out zero when nothing moves it
KEPT = ("emergency_admissions", "net_monetary_benefit", "council", "harm", "share_late")  # what the claims read


@dataclass(frozen=True)
class Factor:
    """An assumption moved over [low, high] (evenly, or evenly in its logarithm)."""

    name: str
    path: str  # a scenario field, "programmes" (every effect size scaled together) or "" (the dummy)
    low: float
    high: float
    log: bool = False
    note: str = ""
    also: tuple[str, ...] = ()  # other fields set to the same value
    whole: bool = False  # a count: the range cut into as many equal parts as it holds whole numbers

    def _ends(self) -> tuple[float, float]:
        return (float(np.log(self.low)), float(np.log(self.high))) if self.log else (self.low, self.high)

    def value(self, u: float) -> float:
        """The value at ``u`` of the way along its range (0 to 1; a log factor evenly in its logarithm)."""
        lo, hi = self._ends()
        v = lo + u * (hi - lo)
        return float(np.exp(v)) if self.log else float(v)

    def unit(self, v: np.ndarray) -> np.ndarray:
        """How far along its range each value lies (0 to 1): the inverse of ``value``."""
        lo, hi = self._ends()
        return ((np.log(v) if self.log else v) - lo) / (hi - lo)

    @property
    def moves(self) -> str:
        return {"programmes": "every `programmes.*_effect`", "": "nothing"}.get(
            self.path, " and ".join(f"`{p}`" for p in (self.path, *self.also)))

    def scenarios_value(self, base: Any) -> str:
        """Its value in the scenario ``base`` (the programmes' scale: 1)."""
        if self.path == "programmes":
            return "1"
        if not self.path:
            return "—"
        section, name = self.path.split(".")
        return f"{getattr(getattr(base, section), name):g}"

    def changes(self, x: float) -> dict[str, Any]:
        if self.path == "programmes":
            return pc._programme_scale(x)
        if not self.path:
            return {}
        if self.whole:  # each whole number of the range takes an equal part of it
            x = min(int(self.low + float(self.unit(np.array(x))) * (self.high - self.low + 1)), int(self.high))
        return {p: x for p in (self.path, *self.also)}


# every assumption docs/patterns.md section 5 moves, the learning and trust parameters, and the convention;
# ranges around the scenarios' values (scenarios/baseline.toml), each value there an assumption
FACTORS = (
    Factor("headroom spent", "money.commissioner_headroom_spent", 0.0, 1.0,
           note="the convention: 0 banks the headroom, 1 spends it on services outside the model"),
    Factor("mission weight", "decisions.mission_weight", 0.0, 1.0),
    Factor("decisions' noise", "decisions.noise", 0.0005, 0.008, log=True,
           note="how far organisations misjudge their options, a share of income"),
    Factor("cost of a step", "decisions.adjustment_cost", 0.0005, 0.008, log=True,
           note="what a step of a lever costs an organisation, a share of income"),
    Factor("planning horizon", "decisions.horizon_years", 1.0, 5.0),
    Factor("programmes' effects, times", "programmes", 0.1, 1.5, note="every programme's effect size scaled together"),
    Factor("regulator's weight", "decisions.regulator_weight", 0.5, 2.0),
    Factor("special measures deficit", "regulation.special_measures_deficit", 0.01, 0.04),
    Factor("years in special measures", "regulation.special_measures_years", 1, 3, whole=True,
           note="a whole number: each of 1, 2 and 3 takes a third of the range"),
    Factor("whole-system regulator's weight on health", "regulation.system_health_weight", 0.5, 2.0),
    Factor("sanction per pound of harm", "commons.sanction_per_harm", 0.25, 2.0),
    Factor("defections kept a year", "commons.defection_memory", 0.2, 0.8),
    Factor("visibility without shared measures", "commons.visibility_without_measures", 0.1, 0.6),
    Factor("harm tolerated", "governance.harm_tolerance", 0.0005, 0.008, log=True,
           note="costs shifted onto partners beyond this share of income a year are seen as defection"),
    Factor("memory", "adaptation.memory", 0.6, 0.95),
    Factor("sensitivity", "adaptation.sensitivity", 2.0, 8.0),
    Factor("imitation", "adaptation.imitation", 0.05, 0.4),
    Factor("reciprocity", "adaptation.reciprocity", 0.0, 2.0),
    Factor("weight of relationships", "adaptation.weight_relationships", 0.0, 1.0),
    Factor("weight of the population", "adaptation.weight_population", 0.0, 1.0),
    Factor("initial trust", "governance.initial_trust", 0.3, 0.7),
    Factor("trust gained", "governance.trust_gain", 0.05, 0.3),
    Factor("trust lost", "governance.trust_loss", 0.2, 0.6),
    Factor("(dummy: changes nothing)", "", 0.0, 1.0, note="how large an effect the seeds' noise alone gives"),
)


def design(points: int, seed: int, factors: tuple[Factor, ...] = FACTORS) -> pd.DataFrame:
    """A Latin hypercube of ``points`` points: one row each, every factor's value (SALib's sample on [0, 1])."""
    from SALib.sample import latin

    unit = latin.sample({"num_vars": len(factors), "names": [f.name for f in factors],
                         "bounds": [[0.0, 1.0]] * len(factors)}, points, seed=seed)
    return pd.DataFrame({f.name: [f.value(u) for u in unit[:, i]] for i, f in enumerate(factors)})


def point_changes(row: pd.Series, factors: tuple[Factor, ...] = FACTORS) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for f in factors:
        changes.update(f.changes(float(row[f.name])))
    return changes


def claims() -> list[tuple[str, str, Any, str, int]]:
    """(pattern, claim, arms(changes) -> (a, b), measure, sign): the claims docs/patterns.md section 6 measures."""
    return [(pattern, claim, arms, name, sign) for pattern, claim, arms, name, sign, _ in pc._rule_claims()]


# --- the runs ----------------------------------------------------------------------------------------
def _key(place: str, changes: dict[str, Any], seed: int) -> str:
    return json.dumps([place, sorted(changes.items()), seed], default=list)


def _figures(job: tuple[str, str, tuple, int]) -> tuple[str, dict[str, Any]]:
    key, place, changes, seed = job
    run = ps.run(place, dict(changes), seed)
    return key, {k: run[k] for k in KEPT}


def _arrays(figures: dict[str, Any]) -> dict[str, Any]:
    """A run's figures as read back from the cache: its yearly figures as arrays again."""
    return {k: np.asarray(v, dtype=float) if isinstance(v, list) else v for k, v in figures.items()}


def source_digest(*parts: Any) -> str:
    """What the runs depend on: the model's source, the scenarios and ``parts`` (the design and the size)."""
    h = hashlib.sha256()
    for folder, pattern in (("model", "*.py"), ("scenarios", "*.toml"), ("tests/patterns", "pattern_settings.py")):
        for p in sorted((ROOT / folder).rglob(pattern)):
            h.update(p.relative_to(ROOT).as_posix().encode())
            h.update(p.read_bytes())
    h.update(json.dumps(parts, default=str).encode())
    return h.hexdigest()[:16]


def run_all(jobs: list[tuple[str, dict, int]], cache: Path, progress: bool = True) -> dict[str, dict[str, Any]]:
    """Every (place, changes, seed) run, two at a time in worker processes, each appended to ``cache`` (one
    JSON line) as it finishes; runs already in the cache are not run again."""
    from tqdm import tqdm

    done: dict[str, dict[str, Any]] = {}
    if cache.exists():
        for line in cache.read_text().splitlines():
            try:
                key, figures = json.loads(line)
            except ValueError:
                continue  # a line cut short when a run was stopped
            done[key] = _arrays(figures)
    todo = {}
    for place, changes, seed in jobs:
        key = _key(place, changes, seed)
        if key not in done:
            todo[key] = (key, place, tuple(sorted(changes.items())), seed)
    cache.parent.mkdir(parents=True, exist_ok=True)
    if todo:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1), mp_context=ctx) as ex, \
                cache.open("a") as out, tqdm(total=len(todo), unit="run", disable=not progress, file=sys.stderr,
                                             desc="pattern sensitivity") as bar:
            for future in as_completed([ex.submit(_figures, job) for job in todo.values()]):
                key, figures = future.result()
                done[key] = figures
                out.write(json.dumps([key, figures], default=lambda a: a.tolist()) + "\n")
                out.flush()
                bar.update()
    return done


# --- the analysis ------------------------------------------------------------------------------------
@dataclass
class Effects:
    """A linear regression of a claim's difference at each point on the factors scaled to [0, 1]."""

    names: list[str]
    coef: np.ndarray  # the change in the difference from the low end of each factor's range to the high
    low: np.ndarray  # the interval (every factor's at once at 95%: Bonferroni)
    high: np.ndarray
    r2: float

    def clear(self) -> list[int]:
        """The factors whose interval leaves out zero, the largest first."""
        idx = [i for i in range(len(self.names)) if self.low[i] > 0 or self.high[i] < 0]
        return sorted(idx, key=lambda i: -abs(self.coef[i]))


def effects(x: pd.DataFrame, y: np.ndarray, factors: tuple[Factor, ...] = FACTORS) -> Effects:
    """Ordinary least squares of ``y`` on each factor mapped to [0, 1] (a log factor on its logarithm)."""
    from scipy import stats

    a = np.column_stack([np.ones(len(y)), *(f.unit(x[f.name].to_numpy(dtype=float)) for f in factors)])
    names = [f.name for f in factors]
    if len(y) < a.shape[1] + 3:  # too few points to estimate every factor's effect and its interval
        nan = np.full(len(factors), np.nan)
        return Effects(names, nan, nan, nan, float("nan"))
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    resid = y - a @ coef
    dof = len(y) - a.shape[1]
    sigma2 = float(resid @ resid) / dof
    se = np.sqrt(np.diag(sigma2 * np.linalg.pinv(a.T @ a)))
    t = stats.t.ppf(1 - ERROR / (2 * len(factors)), dof)  # Bonferroni: every factor's interval at once
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / total if total > 0 else 0.0
    return Effects(names, coef[1:], coef[1:] - t * se[1:], coef[1:] + t * se[1:], r2)


SCATTERED = "scattered: no box of the factors that move it holds a majority of failures"
SHUFFLES = 200  # draws of the failures shuffled among the points, to judge whether a box is clearer than chance
CHANCE = 0.05  # a box found as dense in at least this share of the shuffles may be chance


def failure_box(x: pd.DataFrame, fails: np.ndarray, names: list[str], shuffles: int = SHUFFLES) -> str | None:
    """PRIM's box, in the factors ``names``, of the points where the claim fails, as text: None when too few
    fail to look for one, SCATTERED when no box (or no factor to look in) has more failures than not.

    On a hundred or so points PRIM finds a box in failures that fall at random often enough (about one draw
    in five with three in ten failing) that a box alone says little: the box's density is set beside the
    densities PRIM finds with the same failures shuffled among the points (``shuffles`` draws, a fixed
    stream, so the page is the same each time), and a box no denser than a twentieth of those is marked as
    possibly chance."""
    if fails.sum() < max(5, 0.1 * len(fails)) or fails.all():
        return None
    if not names:
        return SCATTERED
    looked = x[names]
    density, coverage, box = _prim_box(looked, fails)
    if not box or density <= 0.5:
        return SCATTERED

    def bound(name: str, lim: list[float]) -> str:
        parts = []  # a limit PRIM did not move is the sample's own lowest or highest value: not a limit
        if lim[0] > x[name].min():
            parts.append(f"≥ {lim[0]:.3g}")
        if lim[1] < x[name].max():
            parts.append(f"≤ {lim[1]:.3g}")
        return f"{name} {' and '.join(parts)}"

    rng = np.random.default_rng(0)
    as_dense = sum(_prim_box(looked, rng.permutation(fails))[0] >= density for _ in range(shuffles))
    p = (as_dense + 1) / (shuffles + 1)
    chance = (f"; as dense a box in {p:.0%} of {shuffles} shuffles of the failures: **may be chance**" if p >= CHANCE
              else f"; as dense a box in {p:.1%} of {shuffles} shuffles of the failures")
    where = "; ".join(bound(n, lim) for n, lim in box.items())
    return (f"{where} (there {density:.0%} of the points fail, and it takes in {coverage:.0%} "
            f"of all the failures{chance})")


def _prim_box(x: pd.DataFrame, fails: np.ndarray) -> tuple[float, float, dict[str, list[float]]]:
    """The density, coverage and limits of the box PRIM chooses."""
    from model.experiments.discover import prim

    traj, chosen = prim(x, fails, peel=0.1, min_mass=0.1, threshold=0.8)
    row = traj.iloc[chosen]
    return float(row["density"]), float(row["coverage"]), json.loads(row["box"])


@dataclass
class Claim:
    pattern: str
    claim: str
    name: str
    diffs: np.ndarray  # points x seeds, signed so the claim says positive
    effects: Effects
    box: str | None

    @property
    def means(self) -> np.ndarray:
        return self.diffs.mean(axis=1)


def analyse(x: pd.DataFrame, points: list[dict[str, Any]], runs: dict[str, dict[str, Any]], seeds: tuple[int, ...],
            factors: tuple[Factor, ...] = FACTORS) -> list[Claim]:
    """Each claim at each point (``points``: the changes each row of ``x`` makes), its effects and its box."""
    out = []
    for pattern, claim, arms, name, sign in claims():
        diffs = np.zeros((len(x), len(seeds)))
        for i, changes in enumerate(points):
            (pa, ca), (pb, cb) = arms(changes)
            for j, s in enumerate(seeds):
                diffs[i, j] = sign * pc._measure(name, runs[_key(pa, ca, s)], runs[_key(pb, cb, s)])
        means = diffs.mean(axis=1)
        e = effects(x, means, factors)
        # a box is looked for in the factors the regression finds moving the claim (the dummy never: a box on it is
        # noise): a box in every factor fits the points, not the model
        clear = [e.names[i] for i in e.clear() if factors[i].path][:4]
        out.append(Claim(pattern, claim, name, diffs, e, failure_box(x, means <= 0, clear)))
    return out


# --- the page ----------------------------------------------------------------------------------------
UNITS = {"admissions": ("admissions", 1.0, 0), "nmb": ("£000", 1e3, 0), "council": ("£000", 1e3, 0),
         "harm": ("£000", 1e3, 0), "share": ("of the place's organisations", 1.0, 3), "dip": ("£000", 1e3, 0),
         "bend": ("admissions a year", 1.0, 0)}


def _num(v: float, name: str) -> str:
    _, scale, digits = UNITS[name]
    return f"{v / scale:+,.{digits}f}"


def chart(cs: list[Claim], img: Path, factors: tuple[Factor, ...] = FACTORS) -> None:
    import matplotlib.pyplot as plt

    cols = 2
    rows = (len(cs) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 2.6 * rows), sharey=True)
    names = [f.name for f in factors]
    y = np.arange(len(names))[::-1]
    for ax, c in zip(axes.flat, cs, strict=False):
        unit, scale, _ = UNITS[c.name]
        e = c.effects
        clear = set(e.clear())
        ax.barh(y, e.coef / scale, color=["#1f77b4" if i in clear else "#c7c7c7" for i in range(len(names))])
        ax.errorbar(e.coef / scale, y, xerr=[(e.coef - e.low) / scale, (e.high - e.coef) / scale], fmt="none",
                    ecolor="black", elinewidth=0.7, capsize=1.5)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(f"{c.pattern}: {c.claim}", fontsize=7)
        ax.set_xlabel(f"change over the factor's range ({unit}; positive: the claim stronger)", fontsize=6)
        ax.tick_params(labelsize=6)
    for ax in axes.flat[len(cs):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_yticks(y, names)
    pc.save(fig, img, "sensitivity", "What moves each claim, the assumptions moved together (intervals 95% for all the factors at once; "
            "blue: the interval leaves out zero)")


def document(cs: list[Claim], x: pd.DataFrame, seeds: tuple[int, ...], size: int,
             factors: tuple[Factor, ...] = FACTORS) -> str:
    base = pc.load_scenario("baseline")
    frows = "\n".join(f"| {f.name} | {f.moves} | {f.low:g} to {f.high:g}{' (evenly in its logarithm)' if f.log else ''} | "
                      f"{f.scenarios_value(base)} | {f.note} |" for f in factors)
    rows = []
    for c in cs:
        m = c.means
        share = (m > 0).mean()
        across = "holds" if ps.holds(m) else "**no**"
        moves = "; ".join(f"{c.effects.names[i]} {_num(c.effects.coef[i], c.name)}" for i in c.effects.clear()[:4]) \
            or "nothing clear"
        dummy = _num(c.effects.coef[-1], c.name)
        rows.append(f"| {c.pattern} | {c.claim} | {_num(m.mean(), c.name)} ({UNITS[c.name][0]}) | {share:.0%} | "
                    f"{across} | {moves} (R² {c.effects.r2:.2f}) | {dummy} | {c.box or '—'} |")
    return f"""# The patterns' assumptions moved together

<!-- Written by tools/pattern_sensitivity.py (make pattern-sensitivity): edit the tool, not this page. -->

docs/patterns.md section 5 moves one assumption at a time. Here all of them move at once: a Latin
hypercube of {len(x)} points over the {len(factors)} factors below (SALib), each point run on seeds
{seeds[0]} to {seeds[-1]} at {size:,} people for ten years, every pattern's main claims measured at each
point as docs/patterns.md section 6 measures them (the same pairs of places on common seeds) and
averaged over the point's seeds. The headroom convention is one of the factors (the share of the
headroom spent, from banked to spent), so the claims are measured across both conventions and what
lies between. The last factor changes nothing: its effects show how large an effect the seeds' noise
alone gives.

| factor | what it moves | range | the baseline's value | note |
|---|---|---|---|---|
{frows}

For each claim (signed so that the claim says the difference is positive):

- **mean**: the difference averaged over the space;
- **points**: the share of points where the point's mean difference has the claimed sign;
- **across the space**: whether it holds by the tests' criterion (`pattern_settings.holds`) with the
  points in place of the seeds: the claimed sign in at least {ps.SHARE:.0%} of them and a one-sided
  Wilcoxon signed-rank test at p < {ps.P_VALUE};
- **what moves it**: the factors whose interval, in a linear regression of the points' differences on
  every factor scaled to its range, leaves out zero (at most four, the largest first; the intervals
  cover all {len(factors)} factors' effects at once with {1 - ERROR:.0%} confidence, Bonferroni, so a factor
  that changes nothing is found to move a claim in about one claim in twenty, not one factor in twenty):
  the change in the difference from one end of the factor's range to the other, all else held, and
  the share of the variance between points the regression explains (R²);
- **the dummy's effect**: the same for the factor that changes nothing: an effect of about that size
  elsewhere may be the seeds' noise;
- **where it fails**: the box PRIM finds (`model.experiments.discover.prim`) around the points where
  the difference has the wrong sign, when at least a tenth of them do, looked for in the factors that
  move it (above), with its density (the share of the points in it that fail) and its coverage (the
  share of all failures in it); "scattered" when no such box has more points failing than not. On
  {len(x)} points PRIM finds a box in failures that fall at random often enough that a box alone says
  little: each box is set beside the boxes PRIM finds with the same failures shuffled among the points
  ({SHUFFLES} shuffles), and one that at least {CHANCE:.0%} of them match in density is marked "may be
  chance".

| pattern | claim | mean | points | across the space | what moves it (over the factor's range) | the dummy's effect | where it fails |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

![What moves each claim](img/patterns/sensitivity.png)

A linear regression reads each factor's effect as a straight line over its range, all else held: it
misses bends and interactions (R² says how much it explains). It ranks and signs the factors, as a
screening does; docs/patterns.md section 5 shows the bends one factor at a time.
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=120, help="points of the Latin hypercube (default 120)")
    p.add_argument("--seeds", type=int, default=2, help="seeds 1..N at each point (default 2)")
    p.add_argument("--size", type=int, default=ps.SIZE, help="people (default: the tests')")
    p.add_argument("--design-seed", type=int, default=20, help="the Latin hypercube's seed")
    p.add_argument("--doc", type=Path, default=DOC)
    p.add_argument("--img", type=Path, default=IMG)
    p.add_argument("--cache", type=Path, default=None, help=f"where runs are kept as they finish (default: {CACHE})")
    args = p.parse_args(argv)
    if args.points < 2 or args.seeds < 1 or args.size < 100:
        p.error("--points must be at least 2, --seeds at least 1 and --size at least 100")
    seeds = tuple(range(1, args.seeds + 1))
    extra = {} if args.size == ps.SIZE else {"population.size": args.size}
    x = design(args.points, args.design_seed)
    cache = args.cache or CACHE / f"{source_digest(args.points, args.design_seed, args.size)}.jsonl"
    points = [{**point_changes(row), **extra} for _, row in x.iterrows()]
    jobs = [(place, changes, s) for point in points for _, _, arms, _, _ in claims()
            for place, changes in arms(point) for s in seeds]
    t0 = time.perf_counter()
    runs = run_all(jobs, cache)
    seconds = time.perf_counter() - t0
    cs = analyse(x, points, runs, seeds)
    chart(cs, args.img)
    args.doc.write_text(document(cs, x, seeds, args.size))
    print(f"wrote {args.doc} and {args.img}/sensitivity.png ({len(set(map(str, jobs)))} runs, "
          f"{seconds:.0f} s; kept in {cache})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
