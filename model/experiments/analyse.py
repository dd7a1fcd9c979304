"""``lhe analyse``: what a finished sweep says, by its design.

- Sobol: first- and total-order indices with confidence intervals (SALib) on
  each point's mean over seeds, and the share of the runs' variance that is seed
  noise (within points) rather than the factors;
- Morris: mu*, its confidence interval, mu and sigma (SALib);
- factorial (and Latin hypercube, coarsely): each factor level's mean with a
  95% interval, and its main effect against the grand mean, computed seed by
  seed (each seed is a block under common random numbers) and summarised across
  seeds.

SALib cannot take gaps, so a Sobol or Morris design with any run missing or
failed is refused with the list of what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.storage import read_manifest, results


class IncompleteDesign(ValueError):
    """A Sobol or Morris design with runs missing: SALib needs every point."""


@dataclass
class Analysis:
    kind: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _problem(manifest: dict[str, Any]) -> dict[str, Any]:
    names = [f["name"] for f in manifest["design"]["factors"]]
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def point_means(res: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    return res.groupby("point", sort=True)[outcomes].mean()


def missing_runs(res: pd.DataFrame) -> pd.DataFrame:
    return res.loc[res["status"] != "ok", ["point", "seed", "run_id", "status", "error"]]


def _require_complete(res: pd.DataFrame, kind: str, root: Path) -> None:
    gaps = missing_runs(res)
    if len(gaps):
        shown = "; ".join(f"point {r.point} seed {r.seed} ({r.status})" for r in gaps.head(10).itertuples())
        more = f" and {len(gaps) - 10} more" if len(gaps) > 10 else ""
        raise IncompleteDesign(
            f"{root}: a {kind} analysis needs every run of its design, and {len(gaps)} of {len(res)} are missing "
            f"or failed: {shown}{more}. Run `lhe sweep` on the same experiment and --out again to fill them "
            f"(failed runs are retried); SALib cannot take gaps.")


def seed_noise_share(res: pd.DataFrame, outcome: str) -> float:
    """The share of the runs' variance that lies within points (seed noise): mean within-point variance
    over total variance. NaN with one seed, or when nothing varies."""
    ok = res[res["status"] == "ok"]
    if ok.groupby("point")["seed"].nunique().max() < 2:
        return float("nan")
    total = ok[outcome].var(ddof=1)
    if not np.isfinite(total) or total == 0:
        return float("nan")
    within = ok.groupby("point")[outcome].var(ddof=1).mean()
    return float(min(within / total, 1.0))


def sobol(root: Path | str, conf_level: float = 0.95, resamples: int = 1000, seed: int = 0) -> Analysis:
    from SALib.analyze import sobol as sobol_analyze

    root = Path(root)
    m = read_manifest(root)
    res = results(root)
    _require_complete(res, "Sobol", root)
    problem = _problem(m)
    means = point_means(res, m["outcomes"])
    second = bool(m["design"]["second_order"])
    rows, pairs = [], []
    for outcome in m["outcomes"]:
        y = means[outcome].to_numpy(dtype=float)
        noise = seed_noise_share(res, outcome)
        if np.nanstd(y) == 0:
            for name in problem["names"]:
                rows.append((outcome, name, 0.0, 0.0, 0.0, 0.0, noise))
            continue
        si = sobol_analyze.analyze(problem, y, calc_second_order=second, conf_level=conf_level,
                                   num_resamples=resamples, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append((outcome, name, float(si["S1"][i]), float(si["S1_conf"][i]), float(si["ST"][i]),
                         float(si["ST_conf"][i]), noise))
        if second:
            for i in range(len(problem["names"])):
                for j in range(i + 1, len(problem["names"])):
                    pairs.append((outcome, problem["names"][i], problem["names"][j], float(si["S2"][i, j]),
                                  float(si["S2_conf"][i, j])))
    a = Analysis("sobol")
    a.tables["sobol"] = pd.DataFrame(rows, columns=["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf", "seed_noise_share"])
    if pairs:
        a.tables["sobol_second_order"] = pd.DataFrame(pairs, columns=["outcome", "factor_a", "factor_b", "S2", "S2_conf"])
    a.notes.append(f"indices on each point's mean over {len(m['seeds'])} seeds; intervals at {conf_level:.0%} "
                   f"from {resamples} bootstrap resamples; seed_noise_share: the share of the runs' variance "
                   "within points (NaN with one seed)")
    return a


def morris(root: Path | str, conf_level: float = 0.95, resamples: int = 1000, seed: int = 0) -> Analysis:
    from SALib.analyze import morris as morris_analyze

    root = Path(root)
    m = read_manifest(root)
    res = results(root)
    _require_complete(res, "Morris", root)
    problem = _problem(m)
    design = pd.read_parquet(root / "design.parquet").sort_values("point")
    x = design[[f"u_{n}" for n in problem["names"]]].to_numpy(dtype=float)
    means = point_means(res, m["outcomes"])
    rows = []
    for outcome in m["outcomes"]:
        y = means[outcome].to_numpy(dtype=float)
        si = morris_analyze.analyze(problem, x, y, conf_level=conf_level, num_resamples=resamples,
                                    num_levels=int(m["design"]["levels"]), seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append((outcome, name, float(si["mu_star"][i]), float(si["mu_star_conf"][i]), float(si["mu"][i]),
                         float(si["sigma"][i])))
    a = Analysis("morris")
    t = pd.DataFrame(rows, columns=["outcome", "factor", "mu_star", "mu_star_conf", "mu", "sigma"])
    t["rank"] = t.groupby("outcome")["mu_star"].rank(ascending=False, method="min").astype("int64")
    a.tables["morris"] = t
    a.notes.append("elementary effects per unit of each factor's range (0 to 1), on each point's mean over seeds; "
                   f"mu_star_conf at {conf_level:.0%} from {resamples} bootstrap resamples")
    return a


def main_effects(root: Path | str, level: float = 0.95, bins: int = 4) -> Analysis:
    """Each factor level's mean and its main effect (level mean minus grand mean), per seed and then
    across seeds with a t interval. Continuous factors of a non-factorial design are cut into quantile bins."""
    from model.compare import t_interval

    root = Path(root)
    m = read_manifest(root)
    res = results(root)
    ok = res[res["status"] == "ok"].copy()
    rows = []
    for f in m["design"]["factors"]:
        name = f["name"]
        col = ok[name]
        if "levels" not in f and col.nunique() > bins:
            col = pd.qcut(col, bins, duplicates="drop").astype(str)
        ok["_level"] = col.astype(str) if "levels" not in f else col
        order = list(f["levels"]) if "levels" in f else sorted(ok["_level"].unique(), key=_sort_key)
        for outcome in m["outcomes"]:
            by_seed = ok.groupby(["seed", "_level"])[outcome].mean().unstack("_level")
            grand = ok.groupby("seed")[outcome].mean()
            for lv in order:
                if lv not in by_seed.columns:
                    continue
                means = by_seed[lv].dropna()
                effects = (by_seed[lv] - grand).dropna()
                mean, low, high, n = t_interval(means, level)
                eff, elow, ehigh, _ = t_interval(effects, level)
                rows.append((outcome, name, str(lv), mean, low, high, eff, elow, ehigh, n))
    a = Analysis("main_effects")
    a.tables["main_effects"] = pd.DataFrame(rows, columns=["outcome", "factor", "level", "mean", "low", "high",
                                                           "effect", "effect_low", "effect_high", "seeds"])
    a.notes.append(f"per seed: the mean over runs at each level and its difference from that seed's grand mean; "
                   f"then the mean across seeds with a {level:.0%} t interval (n = seeds)")
    missing = int((res["status"] != "ok").sum())
    if missing:
        a.notes.append(f"{missing} of {len(res)} runs missing or failed: left out")
    return a


def _sort_key(v: Any) -> Any:
    text = str(v)
    try:
        return (0, float(text.strip("([").split(",")[0]))
    except ValueError:
        return (1, text)


def analyse(root: Path | str, **kwargs: Any) -> list[Analysis]:
    """Every analysis the sweep's design supports."""
    kind = read_manifest(root)["design"]["kind"]
    if kind == "sobol":
        return [sobol(root, **kwargs), main_effects(root)]
    if kind == "morris":
        return [morris(root, **kwargs)]
    return [main_effects(root)]


def write(root: Path | str, analyses: list[Analysis]) -> list[Path]:
    from model.outputs import write_parquet

    out = []
    for a in analyses:
        for name, table in a.tables.items():
            out.append(write_parquet(Path(root) / "analysis" / f"{name}.parquet", table))
    return out


def format_tables(analyses: list[Analysis]) -> str:
    lines = []
    for a in analyses:
        for name, table in a.tables.items():
            lines.append(f"\n{name.replace('_', ' ')}:")
            with pd.option_context("display.width", 160, "display.max_rows", 200, "display.float_format", "{:,.4g}".format):
                lines.append(table.to_string(index=False))
        lines += [f"  note: {n}" for n in a.notes]
    return "\n".join(lines)
