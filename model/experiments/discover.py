"""``lhe discover``: which conditions lead to a case of interest (scenario discovery).

The case is a condition on a run's outcomes and factors, written as a pandas
expression (``"place_balance < 0"``, ``"share_collaborative < 0.2 and
years_in_deficit >= 2"``). Each run is one case. Two methods:

- PRIM (Friedman and Fisher 1999), peeling only: from the whole factor space,
  repeatedly cut off the ``peel`` share of cases at one end of one numeric
  factor, or one level of a categorical one, whichever leaves the highest share
  of cases of interest (density) in the box; each step is a point on the
  peeling trajectory with its coverage (the share of all cases of interest
  inside the box), density and mass. The box reported is the one with the
  highest coverage whose density reaches ``threshold`` (the densest of those that
  cover as much).
- CART: a shallow classification tree (scikit-learn) whose leaves are boxes too.

The EMA Workbench's own PRIM runs on the same folder through
:func:`model.experiments.ema.sweep_to_ema`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.storage import read_manifest, results


class ExpressionError(ValueError):
    """A --where expression that cannot be evaluated on the sweep's runs."""


def select(res: pd.DataFrame, where: str, names: list[str]) -> np.ndarray:
    """Evaluate ``where`` on the finished runs: a boolean per run."""
    try:
        flags = res.eval(where, engine="python")
    except Exception as e:  # noqa: BLE001 - any failure to parse or evaluate is the user's expression
        raise ExpressionError(f"--where: got {where!r}; {type(e).__name__}: {e}. A condition on these names is allowed: "
                              f"{', '.join(names)} (e.g. \"place_balance < 0\")") from None
    if not isinstance(flags, pd.Series) or flags.dtype != bool:
        raise ExpressionError(f"--where: got {where!r}; a condition that is true or false for each run is allowed "
                              f"(e.g. \"place_balance < 0\"), on: {', '.join(names)}")
    return flags.to_numpy()


@dataclass
class Box:
    limits: dict[str, Any]  # numeric: (low, high); categorical: list of levels kept

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(x), dtype=bool)
        for name, lim in self.limits.items():
            if isinstance(lim, list):
                inside &= x[name].isin(lim).to_numpy()
            else:
                inside &= (x[name] >= lim[0]).to_numpy() & (x[name] <= lim[1]).to_numpy()
        return inside


def prim(x: pd.DataFrame, y: np.ndarray, *, peel: float = 0.05, min_mass: float = 0.05,
         threshold: float = 0.8) -> tuple[pd.DataFrame, int]:
    """PRIM's peeling trajectory (one row per box, widest first) and the index of the box chosen."""
    y = np.asarray(y, dtype=bool)
    n, total = len(y), max(int(y.sum()), 1)
    categorical = {c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c]) or pd.api.types.is_bool_dtype(x[c])}
    limits: dict[str, Any] = {c: (sorted(x[c].unique().tolist(), key=str) if c in categorical
                                  else (float(x[c].min()), float(x[c].max()))) for c in x.columns}
    full = {c: (list(v) if isinstance(v, list) else v) for c, v in limits.items()}
    inside = np.ones(n, dtype=bool)
    steps = []

    def record() -> None:
        restricted = [c for c in x.columns if limits[c] != full[c]]
        steps.append({"step": len(steps), "coverage": float(y[inside].sum() / total), "density": float(y[inside].mean()),
                      "mass": float(inside.mean()), "n": int(inside.sum()), "restricted": len(restricted),
                      "box": json.dumps({c: limits[c] for c in restricted})})

    record()
    while True:
        best = None
        for c in x.columns:
            col = x[c].to_numpy()
            for candidate in _peels(c, col, inside, limits[c], peel, c in categorical):
                lim, keep = candidate
                left = inside & keep
                if left.sum() < max(min_mass * n, 1) or left.sum() == inside.sum():
                    continue
                score = (y[left].mean(), left.sum())
                if best is None or score > best[0]:
                    best = (score, c, lim, left)
        if best is None:
            break
        _, c, lim, inside = best
        limits[c] = lim
        record()
    traj = pd.DataFrame(steps)
    good = traj[traj["density"] >= threshold]
    if len(good):  # the most coverage; between boxes that cover as much, the densest
        chosen = int(good.sort_values(["coverage", "density"], ascending=False, kind="stable").index[0])
    else:
        chosen = int(traj["density"].idxmax())
    return traj, chosen


def _peels(name: str, col: np.ndarray, inside: np.ndarray, lim: Any, alpha: float, categorical: bool):
    vals = col[inside]
    if categorical:
        if len(lim) < 2:
            return
        for level in lim:
            kept = [v for v in lim if v != level]
            yield kept, np.isin(col, kept)
        return
    distinct = np.unique(vals)
    if len(distinct) < 2:
        return
    lo = float(np.quantile(vals, alpha))
    if lo <= distinct[0]:
        lo = float(distinct[1])
    yield (lo, lim[1]), col >= lo
    hi = float(np.quantile(vals, 1 - alpha))
    if hi >= distinct[-1]:
        hi = float(distinct[-2])
    yield (lim[0], hi), col <= hi


def cart(x: pd.DataFrame, y: np.ndarray, max_depth: int = 3, seed: int = 0) -> tuple[str, pd.DataFrame]:
    """A classification tree: its rules as text, and its leaves (conditions, runs, share of interest)."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    xd = pd.get_dummies(x, prefix_sep="=", dtype=float)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(5, len(y) // 50), random_state=seed)
    tree.fit(xd.to_numpy(), np.asarray(y, dtype=int))
    rules = export_text(tree, feature_names=list(xd.columns), show_weights=True)
    t = tree.tree_
    leaves = []

    def walk(node: int, conds: list[str]) -> None:
        if t.children_left[node] == -1:
            counts = t.value[node][0]
            share = float(counts[1] / counts.sum()) if len(counts) > 1 else float(tree.classes_[0])
            leaves.append((" and ".join(conds) or "(all runs)", int(t.n_node_samples[node]), share))
            return
        f, thr = xd.columns[t.feature[node]], t.threshold[node]
        walk(t.children_left[node], [*conds, f"{f} <= {thr:.4g}"])
        walk(t.children_right[node], [*conds, f"{f} > {thr:.4g}"])

    walk(0, [])
    table = pd.DataFrame(leaves, columns=["conditions", "runs", "share_of_interest"]).sort_values(
        "share_of_interest", ascending=False, kind="stable")
    return rules, table.reset_index(drop=True)


def slug(where: str) -> str:
    text = re.sub(r"[^A-Za-z0-9]+", "-", where).strip("-").lower()
    return text[:60] or "condition"


@dataclass
class Discovery:
    where: str
    cases: int
    of_interest: int
    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    rules: str
    leaves: pd.DataFrame
    folder: Path | None = None


def discover(root: Path | str, where: str, *, peel: float = 0.05, min_mass: float = 0.05, threshold: float = 0.8,
             max_depth: int = 3) -> Discovery:
    root = Path(root)
    m = read_manifest(root)
    res = results(root)
    ok = res[res["status"] == "ok"].reset_index(drop=True)
    factors = [f["name"] for f in m["design"]["factors"]]
    if ok.empty:
        raise ExpressionError(f"{root}: no finished runs to discover in")
    y = select(ok, where, [*m["outcomes"], *factors])
    x = ok[factors]
    traj, chosen = prim(x, y, peel=peel, min_mass=min_mass, threshold=threshold)
    limits = json.loads(traj.loc[chosen, "box"])
    box_rows = []
    for f in m["design"]["factors"]:
        lim = limits.get(f["name"])
        if lim is None:
            box_rows.append((f["name"], "any", False))
        elif isinstance(lim, list) and len(lim) == 2 and all(isinstance(v, int | float) for v in lim) and "levels" not in f:
            box_rows.append((f["name"], f"{lim[0]:.4g} to {lim[1]:.4g}", True))
        else:
            box_rows.append((f["name"], ", ".join(map(str, lim)), True))
    rules, leaves = cart(x, y, max_depth=max_depth)
    return Discovery(where, len(y), int(y.sum()), traj, chosen, pd.DataFrame(box_rows, columns=["factor", "box", "restricted"]),
                     rules, leaves)


def write(root: Path | str, d: Discovery) -> Path:
    from model.outputs import write_json, write_parquet, write_text

    folder = Path(root) / "discovery" / slug(d.where)
    write_parquet(folder / "prim_trajectory.parquet", d.trajectory)
    write_parquet(folder / "prim_box.parquet", d.box)
    write_parquet(folder / "cart_leaves.parquet", d.leaves)
    write_text(folder / "cart_rules.txt", d.rules)
    write_json(folder / "discovery.json", {"where": d.where, "cases": d.cases, "of_interest": d.of_interest,
                                           "chosen_step": d.chosen, **d.trajectory.loc[d.chosen, ["coverage", "density", "mass"]].to_dict()})
    d.folder = folder
    return folder


def format_discovery(d: Discovery) -> str:
    row = d.trajectory.loc[d.chosen]
    lines = [f"{d.of_interest} of {d.cases} runs satisfy {d.where!r} ({d.of_interest / max(d.cases, 1):.0%})",
             f"\nPRIM box (step {d.chosen} of the peeling trajectory): coverage {row.coverage:.0%}, density {row.density:.0%}, "
             f"mass {row.mass:.0%} ({row.n} runs)"]
    lines += [f"  {r.factor}: {r.box}" for r in d.box.itertuples() if r.restricted] or ["  (no factor restricted)"]
    lines.append("\npeeling trajectory (coverage, density, mass, factors restricted):")
    for r in d.trajectory.itertuples():
        mark = " <- chosen" if r.step == d.chosen else ""
        lines.append(f"  {r.step:3d}  {r.coverage:6.1%}  {r.density:6.1%}  {r.mass:6.1%}  {r.restricted}{mark}")
    lines.append("\nCART tree (weights: runs not of interest, of interest):")
    lines.append(d.rules.rstrip())
    return "\n".join(lines)
