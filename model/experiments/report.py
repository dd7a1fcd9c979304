"""``lhe report``: a sweep's charts (PNG and SVG) and one self-contained HTML page.

Charts, each drawn when the sweep has what it needs:

- ``comparison-<factor>.png``: each level's mean with its 95% interval, an
  outcome a panel (factorial designs, and the arrangements of a comparison);
- ``fan-<outcome>.png``: the monthly path of the place across runs, median and
  50% and 90% bands, by the first categorical factor (needs ``keep_monthly``);
- ``sobol.png``: first- and total-order indices with their intervals;
- ``morris.png``: mu* against sigma, a point per factor;
- ``prim-<condition>.png``: the peeling trajectory's coverage against density
  (after ``lhe discover``).

``report.html`` embeds every PNG and table, so a batch job can publish the one file.
"""

from __future__ import annotations

import base64
import html
import json
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

from model.experiments import analyse as A
from model.experiments.storage import monthly, read_manifest, results
from model.outputs import atomic_path, write_text

PALETTE = ["#1b6ca8", "#d1495b", "#66a182", "#edae49", "#8d6cab", "#2e4057", "#00798c", "#a05195"]


def _save(fig: Any, folder: Path, stem: str) -> Path:
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    for ext in ("png", "svg"):
        with atomic_path(folder / f"{stem}.{ext}") as tmp:
            fig.savefig(tmp, format=ext, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return folder / f"{stem}.png"


def _label(outcome: str) -> tuple[str, float]:
    from model.experiments.outcomes import OUTCOMES

    o = OUTCOMES.get(outcome)
    if o is None:
        return outcome, 1.0
    return (o.label + (f", {o.unit}" if o.unit else "")), o.scale


def comparison_charts(effects: pd.DataFrame, folder: Path, title: str) -> list[Path]:
    import matplotlib.pyplot as plt

    out = []
    for factor, sub in effects.groupby("factor", sort=False):
        outcomes = list(dict.fromkeys(sub["outcome"]))
        cols = min(3, len(outcomes))
        rows = -(-len(outcomes) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.6 * rows + 0.6), squeeze=False)
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            t = sub[sub["outcome"] == outcome]
            label, scale = _label(outcome)
            y = range(len(t))
            mean = t["mean"] * scale
            ax.errorbar(mean, y, xerr=[mean - t["low"] * scale, t["high"] * scale - mean], fmt="o", color=PALETTE[0],
                        ecolor="#555", capsize=3)
            ax.set_yticks(list(y), t["level"].tolist())
            ax.invert_yaxis()
            ax.set_title("\n".join(textwrap.wrap(label, 44)), fontsize=9)
            ax.grid(axis="x", alpha=0.3)
        for ax in list(axes.flat)[len(outcomes):]:
            ax.axis("off")
        fig.suptitle(f"{title}: {factor}, mean over runs with its 95% interval across seeds", fontsize=10)
        fig.tight_layout()
        out.append(_save(fig, folder, f"comparison-{factor}"))
    return out


def fan_charts(root: Path, res: pd.DataFrame, manifest: dict[str, Any], folder: Path, title: str) -> list[Path]:
    import matplotlib.pyplot as plt

    place = monthly(root, "place")
    if place.empty:
        return []
    columns = [o for o in manifest["outcomes"] if o in place.columns][:4] or ["place_balance"]
    cats = [f["name"] for f in manifest["design"]["factors"] if "levels" in f]
    group = cats[0] if cats else None
    keyed = place.merge(res[["point", "seed", *( [group] if group else [])]].drop_duplicates(["point", "seed"]),
                        on=["point", "seed"], how="inner")
    out = []
    for col in columns:
        label, scale = _label(col)
        label = label.replace(" (at the end)", "").replace(" (mean of the last 12 months)", "")  # a month's value here
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        groups = keyed.groupby(group, sort=False) if group else [("all runs", keyed)]
        for i, (level, sub) in enumerate(groups):
            q = sub.groupby("month")[col].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack() * scale
            c = PALETTE[i % len(PALETTE)]
            ax.fill_between(q.index, q[0.05], q[0.95], color=c, alpha=0.12, lw=0)
            ax.fill_between(q.index, q[0.25], q[0.75], color=c, alpha=0.25, lw=0)
            ax.plot(q.index, q[0.5], color=c, lw=1.6, label=f"{level} ({sub.groupby(['point', 'seed']).ngroups} runs)")
        ax.set_xlabel("month")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, title=group, title_fontsize=8)
        ax.set_title(f"{title}: {label}; median, 50% and 90% of runs", fontsize=10)
        fig.tight_layout()
        out.append(_save(fig, folder, f"fan-{col}"))
    return out


def sobol_chart(table: pd.DataFrame, folder: Path, title: str) -> Path:
    import matplotlib.pyplot as plt
    import numpy as np

    outcomes = list(dict.fromkeys(table["outcome"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.0 * len(outcomes), 3.4), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=True):
        t = table[table["outcome"] == outcome]
        x = np.arange(len(t))
        ax.bar(x - 0.2, t["S1"], 0.4, yerr=t["S1_conf"], color=PALETTE[0], capsize=3, label="first order S1")
        ax.bar(x + 0.2, t["ST"], 0.4, yerr=t["ST_conf"], color=PALETTE[1], capsize=3, label="total ST")
        ax.set_xticks(x, t["factor"], rotation=30, ha="right", fontsize=8)
        ax.set_ylim(min(0, float((t["S1"] - t["S1_conf"]).min())), max(1.0, float((t["ST"] + t["ST_conf"]).max())))
        noise = t["seed_noise_share"].iloc[0]
        head = "\n".join(textwrap.wrap(_label(outcome)[0], 40))
        ax.set_title(head + ("" if pd.isna(noise) else f"\nseed noise: {noise:.0%} of the runs' variance"), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{title}: Sobol indices with 95% intervals", fontsize=10)
    fig.tight_layout()
    return _save(fig, folder, "sobol")


def morris_chart(table: pd.DataFrame, folder: Path, title: str) -> Path:
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(table["outcome"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 3.6), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=True):
        t = table[table["outcome"] == outcome]
        label, scale = _label(outcome)
        ax.errorbar(t["mu_star"] * scale, t["sigma"] * scale, xerr=t["mu_star_conf"] * scale, fmt="o", color=PALETTE[0],
                    ecolor="#999", capsize=2)
        for r in t.itertuples():
            ax.annotate(r.factor, (r.mu_star * scale, r.sigma * scale), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel("mu* (mean absolute elementary effect)")
        ax.set_ylabel("sigma")
        ax.set_title("\n".join(textwrap.wrap(label, 40)), fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{title}: Morris screening (high sigma: interactions or non-linearity)", fontsize=10)
    fig.tight_layout()
    return _save(fig, folder, "morris")


def prim_chart(traj: pd.DataFrame, chosen: int, where: str, folder: Path, stem: str) -> Path:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    sc = ax.scatter(traj["coverage"], traj["density"], c=traj["restricted"], cmap="viridis", s=18)
    ax.plot(traj["coverage"], traj["density"], color="#bbb", lw=0.8, zorder=0)
    r = traj.loc[chosen]
    ax.scatter([r.coverage], [r.density], s=120, facecolors="none", edgecolors=PALETTE[1], lw=2, label=f"chosen box (step {chosen})")
    fig.colorbar(sc, ax=ax, label="factors restricted")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"PRIM peeling trajectory: {where}", fontsize=10)
    fig.tight_layout()
    return _save(fig, folder, stem)


def make_report(root: Path | str) -> Path:
    """Every chart the sweep supports, then ``report/report.html``; returns the page's path."""
    root = Path(root)
    m = read_manifest(root)
    res = results(root)
    folder = root / "report"
    title = m["experiment"]["name"]
    sections: list[tuple[str, list[Path], list[pd.DataFrame], list[str]]] = []
    done = int((res["status"] == "ok").sum())
    notes = [f"{done} of {len(res)} planned runs finished" + ("" if done == len(res) else " (the rest are missing or failed)")]

    analyses: list[A.Analysis] = []
    kind = m["design"]["kind"]
    try:
        analyses = A.analyse(root)
    except A.IncompleteDesign as e:
        notes.append(str(e))
        analyses = [A.main_effects(root)]
    for a in analyses:
        if a.kind == "sobol":
            sections.append(("Sobol indices", [sobol_chart(a.tables["sobol"], folder, title)], list(a.tables.values()), a.notes))
        elif a.kind == "morris":
            sections.append(("Morris screening", [morris_chart(a.tables["morris"], folder, title)], [a.tables["morris"]], a.notes))
        elif a.kind == "main_effects" and kind in ("factorial", "lhs", "sobol"):
            charts = comparison_charts(a.tables["main_effects"], folder, title)
            sections.append(("Comparisons: each level's mean with its 95% interval", charts, [a.tables["main_effects"]], a.notes))
    fans = fan_charts(root, res, m, folder, title)
    if fans:
        sections.append(("Over time: fan charts", fans, [], ["median, 50% and 90% of runs each month"]))
    disc = root / "discovery"
    if disc.is_dir():
        for sub in sorted(p for p in disc.iterdir() if (p / "discovery.json").is_file()):
            info = json.loads((sub / "discovery.json").read_text())
            traj = pd.read_parquet(sub / "prim_trajectory.parquet")
            chart = prim_chart(traj, int(info["chosen_step"]), info["where"], folder, f"prim-{sub.name}")
            box = pd.read_parquet(sub / "prim_box.parquet")
            leaves = pd.read_parquet(sub / "cart_leaves.parquet")
            sections.append((f"Scenario discovery: {info['where']}", [chart], [box, leaves],
                             [f"{info['of_interest']} of {info['cases']} runs; chosen box: coverage {info['coverage']:.0%}, "
                              f"density {info['density']:.0%}, mass {info['mass']:.0%}"]))
    page = _html(m, notes, sections)
    write_text(folder / "report.html", page)
    return folder / "report.html"


def _html(m: dict[str, Any], notes: list[str], sections: list[tuple[str, list[Path], list[pd.DataFrame], list[str]]]) -> str:
    exp = m["experiment"]
    d = m["design"]
    head = (f"<h1>{html.escape(exp['name'])}</h1><p>{html.escape(exp['spec'].get('description') or '')}</p>"
            f"<p>{html.escape(m['simulator'])} on {html.escape(str(m['base'].get('scenario')))} (digest {m['base']['digest']}); "
            f"design {d['kind']}" + (f" size {d['size']}" if d["size"] else "") + f", sampler seed {m['sampler_seed']}: "
            f"{d['points']} points &times; {len(m['seeds'])} seeds; {m['base'].get('steps')} steps a run; "
            f"commit {html.escape(str(m.get('git_commit')))}</p>"
            + "".join(f"<p class=note>{html.escape(n)}</p>" for n in notes))
    body = []
    for heading, charts, tables, tnotes in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        for c in charts:
            data = base64.b64encode(c.read_bytes()).decode()
            body.append(f'<figure><img alt="{html.escape(c.stem)}" src="data:image/png;base64,{data}"></figure>')
        body += [f"<p class=note>{html.escape(n)}</p>" for n in tnotes]
        for t in tables:
            body.append(t.to_html(index=False, float_format=lambda v: f"{v:,.4g}", border=0, classes="t"))
    body.append(f"<details><summary>experiment file</summary><pre>{html.escape(exp['text'])}</pre></details>")
    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "img{max-width:100%}table.t{border-collapse:collapse;font-size:12px;margin:0.5em 0 1.5em}"
             "table.t td,table.t th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
             ".note{color:#555;font-size:13px}pre{background:#f6f6f6;padding:1em;font-size:12px}")
    return (f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(exp['name'])}</title>"
            f"<style>{style}</style></head><body>{head}{''.join(body)}</body></html>\n")
