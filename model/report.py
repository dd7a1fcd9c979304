"""Charts from the tables a run writes. Reads tables only; never touches a model.

Each chart works for one run or for many (a ``seed`` column): with many seeds,
lines are medians and bands the 5th to 95th percentiles across seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from model.outputs import atomic_path  # noqa: E402

KIND_COLOURS = {"commissioner": "#1f77b4", "council": "#2ca02c", "hospital": "#d62728", "gp_federation": "#9467bd",
                "prime_contractor": "#ff7f0e"}
KIND_LABELS = {"commissioner": "Commissioners", "council": "Councils", "hospital": "Hospitals", "gp_federation": "GP federations",
               "prime_contractor": "Prime contractors"}


def _years(month: pd.Series) -> pd.Series:
    return month / 12.0


def _line(ax, df: pd.DataFrame, column: str, label: str | None = None, colour: str | None = None, scale: float = 1.0, **kw) -> None:
    """A line over months; with a seed column, the median and a 5-95% band across seeds."""
    if "seed" in df.columns and df["seed"].nunique() > 1:
        g = df.groupby("month")[column]
        med = g.median() * scale
        ax.fill_between(_years(med.index.to_series()), g.quantile(0.05) * scale, g.quantile(0.95) * scale, color=colour, alpha=0.2, lw=0)
        ax.plot(_years(med.index.to_series()), med, label=label, color=colour, **kw)
    else:
        ax.plot(_years(df["month"]), df[column] * scale, label=label, color=colour, **kw)


def _save(fig, path: Path, wspace: float, top: float = 0.84) -> None:
    """Lay the figure out with fixed margins, write it and free it.

    Fixed margins: measuring every label to lay the figure out (tight_layout)
    costs a second draw of each chart, about a quarter of the time they take."""
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=top, wspace=wspace)
    try:
        with atomic_path(path) as tmp:  # a chart appears whole or not at all
            fig.savefig(tmp, dpi=110, format=Path(path).suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)


def finances_chart(orgs: pd.DataFrame, path: Path, title: str) -> None:
    """Reserves of each organisation, one panel per kind; dashed lines are fortresses."""
    kinds = [k for k in KIND_COLOURS if k in set(orgs["kind"])]
    fig, axes = plt.subplots(1, len(kinds), figsize=(4.2 * len(kinds), 3.8), sharex=True, squeeze=False)
    for ax, kind in zip(axes[0], kinds, strict=True):
        sub = orgs[orgs["kind"] == kind]
        for i, (name, one) in enumerate(sub.groupby("name", sort=False)):
            first = one.sort_values("month")["strategy"].iloc[0] if "seed" not in one else one["strategy"].mode().iloc[0]
            style = "--" if first == "fortress" else "-"
            colour = plt.cm.tab10(i % 10)
            _line(ax, one, "reserves", label=f"{name} ({first[0]})", colour=colour, scale=1e-6, ls=style)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(KIND_LABELS[kind])
        ax.set_xlabel("year")
        ax.set_ylabel("reserves, £m")
        if sub["name"].nunique() <= 4:
            ax.legend(fontsize=7)
    fig.suptitle(f"{title}: finances by organisation (dashed = fortress)")
    _save(fig, path, wspace=0.35)


def _without_support(ax, place: pd.DataFrame) -> None:
    """The place's balance less the national support drawn so far (distress finance, write-offs), dashed, where
    there was any."""
    if "national_support" in place and (place["national_support"] > 0).any():
        _line(ax, place, "place_balance_own", "the place without national support", "black", 1e-6, lw=1.5, ls="--")


def pool_chart(place: pd.DataFrame, path: Path, title: str) -> None:
    """The common pool: money in against money spent, and what is left."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    roll = place.copy()
    by = ["seed"] if "seed" in roll.columns else []
    for col in ("inflows", "spending"):
        roll[col + "_12m"] = roll.groupby(by)[col].transform(lambda s: s.rolling(12, min_periods=1).sum()) if by else roll[col].rolling(12, min_periods=1).sum()
    _line(axes[0], roll, "inflows_12m", "allocation and grants", "#1f77b4", 1e-6)
    _line(axes[0], roll, "spending_12m", "spending on care", "#d62728", 1e-6)
    axes[0].set_title("last 12 months, £m")
    axes[0].legend(fontsize=8)
    _line(axes[1], place, "spending_to_inflows", None, "#8c564b")
    axes[1].axhline(1, color="black", lw=0.6)
    axes[1].set_title("spending / inflows (monthly)")
    for kind, colour in KIND_COLOURS.items():
        col = f"balance_{kind}"
        if col in place and (place[col] != 0).any():  # kinds the place has (prime contractors are rare)
            _line(axes[2], place, col, KIND_LABELS[kind], colour, 1e-6)
    _line(axes[2], place, "place_balance", "the place", "black", 1e-6, lw=2)
    _without_support(axes[2], place)
    axes[2].axhline(0, color="black", lw=0.6)
    axes[2].set_title("balances, £m")
    axes[2].legend(fontsize=7)
    for ax in axes:
        ax.set_xlabel("year")
    fig.suptitle(f"{title}: the place's balance against its allocation")
    _save(fig, path, wspace=0.25)


def _panels(place: pd.DataFrame, path: Path, title: str, panels: list[tuple[str, str, float]]) -> None:
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.4))
    for ax, (col, label, scale) in zip(axes, panels, strict=True):
        _line(ax, place, col, None, "#1f77b4", scale)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("year")
    fig.suptitle(title)
    _save(fig, path, wspace=0.35, top=0.78)


def activity_chart(place: pd.DataFrame, path: Path, title: str) -> None:
    _panels(place, path, f"{title}: activity", [
        ("emergency_admissions_per_1000", "emergency admissions\nper 1,000 a year", 1.0),
        ("delayed_transfer_days", "delayed transfer days\na month", 1.0),
        ("waiting_list", "elective waiting list\n(thousands)", 1e-3),
        ("bed_occupancy", "bed occupancy", 1.0),
        ("gp_contacts_unmet", "unmet GP demand\n(contacts a month)", 1.0),
    ])


def health_chart(place: pd.DataFrame, path: Path, title: str) -> None:
    _panels(place, path, f"{title}: population health and social care", [
        ("ltc_2plus_share", "share with 2+ long-term\nconditions", 1.0),
        ("mean_frailty", "mean frailty index", 1.0),
        ("unmet_social_care_need", "people with unmet\nsocial care need", 1.0),
        ("deaths", "deaths a month", 1.0),
    ])


def _a_year(place: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The table with each monthly column as a yearly rate: 12 times its mean over the last 12 months
    (fewer in the first year; per seed, with a seed column)."""
    def rate(s: pd.Series) -> pd.Series:
        return s.rolling(12, min_periods=1).mean() * 12

    out = place.copy()
    by = ["seed"] if "seed" in out.columns else []
    for col in columns:
        out[col + "_year"] = out.groupby(by)[col].transform(rate) if by else rate(out[col])
    return out


NET_HEALTH_PARTS = [  # (column, label, colour): QALYs a year bought outside the model and lost to gaps in care
    ("qalys_outside", "bought outside the model", "#2ca02c"),
    ("qalys_community", "community services' change since the start", "#17becf"),
    ("qalys_lost_unmet_need", "lost: unmet social care need", "#d62728"),
    ("qalys_lost_delays", "lost: delays in hospital beds", "#ff7f0e"),
    ("qalys_lost_waits", "lost: waits over 18 weeks", "#9467bd"),
    ("qalys_lost_admissions", "lost: emergency admissions", "#8c564b"),
]


def net_health_chart(place: pd.DataFrame, path: Path, title: str) -> None:
    """Net health: the net monetary benefit and the net health benefit since the start, the population's
    quality of life, and the QALYs a year that spending outside the model bought and that gaps in care cost."""
    fig, axes = plt.subplots(1, 4, figsize=(16.5, 3.8))
    _line(axes[0], place, "net_monetary_benefit_cumulative", None, "black", 1e-6, lw=2)
    axes[0].set_title("net monetary benefit since the start, £m\n(QALYs at the threshold + the balance's change)", fontsize=9)
    _line(axes[1], place, "net_health_benefit_cumulative", None, "#555555", lw=2)
    axes[1].set_title("net health benefit since the start, QALYs\n(QALYs + the balance's change at the NHS's £ a QALY)",
                      fontsize=9)
    axes[1].yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))  # QALYs in full, not x 1e6
    _line(axes[2], place, "qalys_per_person_year", None, "#1f77b4")
    axes[2].set_title("QALYs per person-year\n(the population's quality of life)", fontsize=9)
    yearly = _a_year(place, [c for c, _, _ in NET_HEALTH_PARTS])
    for col, label, colour in NET_HEALTH_PARTS:
        _line(axes[3], yearly, col + "_year", label, colour)
    axes[3].set_title("QALYs a year (at the last 12 months' rate)", fontsize=9)
    axes[3].legend(fontsize=7)
    for ax in axes:
        ax.set_xlabel("year")
    fig.suptitle(f"{title}: net health")
    _save(fig, path, wspace=0.25, top=0.8)


def strategy_chart(place: pd.DataFrame, orgs: pd.DataFrame, path: Path, title: str) -> None:
    """The strategy mix over time: the share of each kind collaborating, mean trust, special measures."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    mix = orgs.assign(collaborative=(orgs["strategy"] == "collaborative").astype(float))
    by = ["seed", "month", "kind"] if "seed" in mix.columns else ["month", "kind"]
    share = mix.groupby(by, as_index=False)["collaborative"].mean()
    for kind, colour in KIND_COLOURS.items():
        one = share[share["kind"] == kind]
        if len(one):
            _line(axes[0], one, "collaborative", KIND_LABELS[kind], colour)
    _line(axes[0], place, "share_collaborative", "all organisations", "black", lw=2)
    axes[0].set_ylim(-0.05, 1.05)
    axes[0].set_title("share collaborative")
    axes[0].legend(fontsize=7)
    _line(axes[1], place, "mean_trust", None, "#17becf")
    axes[1].set_ylim(0, 1)
    axes[1].set_title("mean trust between partners")
    _line(axes[2], place, "in_special_measures", None, "#d62728")
    axes[2].set_title("organisations in special measures")
    for ax in axes:
        ax.set_xlabel("year")
    fig.suptitle(f"{title}: strategies, trust and regulation")
    _save(fig, path, wspace=0.25)


def _charts(place: pd.DataFrame, orgs: pd.DataFrame, title: str) -> dict[str, Callable[[Path], None]]:
    """The standard charts of a run, by file name (model.drawers.CHART_FILES), each drawn by calling it with its path."""
    return {
        "finances.png": lambda path: finances_chart(orgs, path, title),
        "pool.png": lambda path: pool_chart(place, path, title),
        "activity.png": lambda path: activity_chart(place, path, title),
        "health.png": lambda path: health_chart(place, path, title),
        "strategies.png": lambda path: strategy_chart(place, orgs, path, title),
        "net_health.png": lambda path: net_health_chart(place, path, title),
    }


def draw_charts(place: pd.DataFrame, orgs: pd.DataFrame, out: Path, title: str, names: Iterable[str]) -> None:
    """Draw the named standard charts into ``out`` here (see model.drawers for drawing them beside a run).
    A chart that fails does not stop the others: the first error is raised once they are drawn."""
    out.mkdir(parents=True, exist_ok=True)
    charts = _charts(place, orgs, title)
    first: Exception | None = None
    for name in names:
        try:
            charts[name](out / name)
        except Exception as e:  # noqa: BLE001 - raised below, once the other charts are drawn
            first = first or e
    if first is not None:
        raise first


def make_charts(place: pd.DataFrame, orgs: pd.DataFrame, out: Path, title: str, parallel: bool = True) -> list[Path]:
    """Write the standard charts of a run (or of several seeds) into ``out``.

    With ``parallel`` the charts are drawn on two cores by forked drawers (model.drawers, where
    forking is available; otherwise here). Each chart is the same either way.
    """
    from model.drawers import CHART_FILES, ChartDrawers

    if not parallel:
        draw_charts(place, orgs, out, title, CHART_FILES)
        return [out / name for name in CHART_FILES]
    drawers = ChartDrawers()
    drawers.start(place, orgs, out, title)
    return drawers.finish()
