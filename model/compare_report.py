"""The chart of a comparison of payment arrangements (``lhe compare``). Reads the long table only.

One small panel per outcome; in each, every arrangement is a point at its mean
across seeds with a bar for the 95% interval of that mean; the best arrangement
on that outcome (all of them, if tied; none, if all are equal) is drawn in
colour and its label in bold. A comparison run under several settings on the
same seeds (``lhe compare --headroom both``) draws each setting's point in the
same row, with its own marker.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from model.compare import OUTCOMES, summarise  # noqa: E402

BEST = "#d62728"
OTHERS = "#4d4d4d"
RANKED_ON = "#fff4e0"


def comparison_chart(
    long: pd.DataFrame | dict[str, pd.DataFrame],
    path: Path,
    title: str,
    order: list[str] | None = None,
    rank_by: str | None = None,
    columns: int = 3,
) -> Path:
    """Write the chart of a long table (arrangement, seed, outcome, value) to ``path``.

    ``long``: one long table, or several by setting (e.g. the headroom spent and banked, on the same seeds),
    drawn side by side in each panel, each setting with its own marker.
    ``order``: the arrangements top to bottom (default: as they first appear).
    ``rank_by``: an outcome whose panel is shaded as the one the table is ranked on.
    """
    longs = long if isinstance(long, dict) else {"": long}
    markers = {"o": "filled circle", "s": "open square", "^": "open triangle", "D": "open diamond"}
    if not longs or len(longs) > len(markers):
        raise ValueError(f"one to {len(markers)} long tables can be charted together; got {len(longs)}")
    summaries = {k: summarise(v) for k, v in longs.items()}
    first = next(iter(longs.values()))
    arrangements = order or list(dict.fromkeys(first["arrangement"]))
    outcomes = [o for o in OUTCOMES if any(o in set(s["outcome"]) for s in summaries.values())]
    if not outcomes or not arrangements:
        raise ValueError("nothing to chart: the long table has no known outcomes")
    cols = min(columns, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    label_w = max(len(a) for a in arrangements)
    height = max(1.6, 0.32 * len(arrangements) * (1 + 0.5 * (len(longs) - 1)) + 1.0)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols + 0.07 * label_w, height * rows + 0.8), squeeze=False,
                             layout="constrained")  # leaves room for the title's lines
    n_seeds = pd.concat([v.groupby("arrangement")["seed"].nunique() for v in longs.values()])
    y = list(range(len(arrangements)))[::-1]  # first arrangement at the top
    # several settings: each a little above the last within an arrangement's row, with its own marker
    offsets = [0.0] if len(longs) == 1 else [0.36 * (0.5 - i / (len(longs) - 1)) for i in range(len(longs))]
    for ax, name in zip(axes.flat, outcomes, strict=False):
        o = OUTCOMES[name]
        best_any: set[str] = set()
        for (setting, summary), dy, marker in zip(summaries.items(), offsets, markers, strict=False):
            sub = summary[summary["outcome"] == name].set_index("arrangement").reindex(arrangements)
            present = sub["mean"].notna()
            top = (sub["mean"].max() if o.higher_is_better else sub["mean"].min()) if present.any() else None
            best = set(sub.index[sub["mean"] == top])
            if len(best) == present.sum() and len(best) > 1:
                best = set()  # all equal: none is best
                if len(longs) == 1:
                    ax.text(0.98, 0.02, "all equal", transform=ax.transAxes, ha="right", va="bottom", fontsize=7.5,
                            color=OTHERS)
            best_any |= best
            for yi, a in zip(y, arrangements, strict=True):
                if not present[a]:
                    continue
                m, lo, hi = (sub.loc[a, k] * o.scale for k in ("mean", "low", "high"))
                colour = BEST if a in best else OTHERS
                face = colour if marker == "o" else "white"
                ax.errorbar([m], [yi + dy], xerr=[[m - lo], [hi - m]], fmt=marker, color=colour, mfc=face, ms=5,
                            capsize=3, lw=1.4, label=setting or None)
        ax.set_yticks(y)
        ax.set_yticklabels(arrangements, fontsize=8)
        for tick, a in zip(ax.get_yticklabels(), arrangements, strict=True):
            if a in best_any:
                tick.set_fontweight("bold")
                tick.set_color(BEST)
        ax.set_ylim(-0.7, len(arrangements) - 0.3)
        unit = f", {o.unit}" if o.unit else ""
        better = "higher" if o.higher_is_better else "lower"
        ax.set_title(f"{o.label}{unit}\n{o.when}; {better} is better", fontsize=8.5)
        ax.tick_params(axis="x", labelsize=7.5)
        ax.grid(axis="x", color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        if name.startswith(("balance", "place_balance")):
            lo_x, hi_x = ax.get_xlim()
            if lo_x < 0 < hi_x:
                ax.axvline(0, color="black", lw=0.6)
        if name == rank_by:
            ax.set_facecolor(RANKED_ON)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    seeds = f"{n_seeds.min()}" if n_seeds.min() == n_seeds.max() else f"{n_seeds.min()}-{n_seeds.max()}"
    settings = ""
    if len(longs) > 1:
        settings = "\n" + ", ".join(f"{markers[m]}: {k}" for k, m in zip(longs, markers, strict=False))
    fig.suptitle(f"{title}\nmeans across {seeds} seeds with 95% intervals; best in each panel in red (ties: all of them)"
                 + ("; shaded: ranked on" if rank_by else "") + settings, fontsize=10)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
