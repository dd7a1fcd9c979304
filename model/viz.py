"""The place live in the browser, for teaching: Mesa's SolaraViz around the simulator.

``lhe viz`` serves this module's ``page``. The sidebar chooses a ready-made
place, the acute payment regime, the strategy mix, the regulator, adaptive
learning and two rules of the commons, the seed and the population; the main
panel shows the organisations as a network (colour = strategy, size =
reserves, edge width = trust), live charts, and a control that turns one
organisation into a fortress (or back) mid-run to show who pays.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import solara  # noqa: E402
from mesa.visualization import SolaraViz, make_plot_component  # noqa: E402
from mesa.visualization.utils import force_update, update_counter  # noqa: E402

from model.economy import LocalHealthEconomy  # noqa: E402
from model.regimes import REGIMES  # noqa: E402
from model.scenario import list_scenarios, load_scenario  # noqa: E402

STRATEGY_COLOURS = {"fortress": "#d62728", "collaborative": "#2ca02c"}
KIND_SHAPES = {"commissioner": "s", "council": "D", "hospital": "o", "gp_federation": "^", "prime_contractor": "v"}
PLACES = [n for n in list_scenarios() if not n.startswith("teach-")]
START_PLACE = os.environ.get("LHE_VIZ_PLACE") or "baseline"  # set by `lhe viz SCENARIO`
if START_PLACE not in PLACES:
    PLACES.append(START_PLACE)
ACUTE_REGIMES = sorted(name for name, r in REGIMES.items() if "acute" in r.scopes)


class TeachingEconomy(LocalHealthEconomy):
    """A place built from the controls of the page (keyword arguments only, as SolaraViz needs)."""

    def __init__(
        self,
        place: str = "baseline",
        acute_regime: str = "pbr",
        collaborative_share: float = 0.5,
        regulation: str = "organisation",
        adaptive: bool = False,
        shared_measures: bool = False,
        graduated_sanctions: bool = False,
        conflict_resolution: bool = False,
        participation: bool = False,
        system_leadership: bool = False,
        national_recognition: bool = False,
        population: int = 30_000,
        seed: int = 1,
    ) -> None:
        base = load_scenario(place)
        changes = {
            "population.size": int(population),
            "contracting.acute": acute_regime,
            "regulation.focus": regulation,
            "adaptation.policy": "adaptive" if adaptive else "fixed",
            "commons.shared_measures": bool(shared_measures),
            "commons.graduated_sanctions": bool(graduated_sanctions),
            "commons.conflict_resolution": bool(conflict_resolution),
            "commons.participation": bool(participation),
            "commons.system_leadership": bool(system_leadership),
            "commons.national_recognition": bool(national_recognition),
        }
        for kind in ("commissioners", "councils", "hospitals", "gp_federations"):
            orgs = getattr(base, kind)
            for i, _ in enumerate(orgs):
                # the first share of each kind collaborates (spread evenly when the share is partial)
                changes[f"{kind}.{i}.strategy"] = "collaborative" if (i + 0.5) / len(orgs) < collaborative_share else "fortress"
        super().__init__(base.with_changes(changes), rng=int(seed))
        self.layout = nx.spring_layout(self.network.to_undirected(), seed=1)  # seeded: the same picture each time


MODEL_PARAMS = {
    "place": {"type": "Select", "value": START_PLACE, "values": PLACES, "label": "Place"},
    "acute_regime": {"type": "Select", "value": "pbr", "values": ACUTE_REGIMES, "label": "Acute payment regime"},
    "collaborative_share": {"type": "SliderFloat", "value": 0.5, "min": 0.0, "max": 1.0, "step": 0.25,
                            "label": "Share collaborative at the start"},
    "regulation": {"type": "Select", "value": "organisation", "values": ["organisation", "system"], "label": "Regulator"},
    "adaptive": {"type": "Checkbox", "value": False, "label": "Organisations learn (adaptive)"},
    "shared_measures": {"type": "Checkbox", "value": False, "label": "Shared measures"},
    "graduated_sanctions": {"type": "Checkbox", "value": False, "label": "Graduated sanctions"},
    "conflict_resolution": {"type": "Checkbox", "value": False, "label": "Conflict resolution"},
    "participation": {"type": "Checkbox", "value": False, "label": "Participation in setting the rules"},
    "system_leadership": {"type": "Checkbox", "value": False, "label": "System leadership"},
    "national_recognition": {"type": "Checkbox", "value": False, "label": "National recognition"},
    "population": {"type": "SliderInt", "value": 30_000, "min": 10_000, "max": 300_000, "step": 10_000, "label": "Population"},
    "seed": {"type": "SliderInt", "value": 1, "min": 0, "max": 100, "step": 1, "label": "Seed"},
}


def draw_network(model: LocalHealthEconomy):
    """The organisations as a network: colour = strategy, size = reserves, edge width = trust."""
    g = model.network
    pos = getattr(model, "layout", None) or nx.spring_layout(g.to_undirected(), seed=1)
    fig, ax = plt.subplots(figsize=(7, 5.2))
    for u, v, data in g.edges(data=True):
        if u < v:
            x, y = zip(pos[u], pos[v], strict=True)
            ax.plot(x, y, color="#888888", lw=0.5 + 4 * data["trust"], alpha=0.5, zorder=1)
    scale = max((abs(o.reserves) for o in model.organisations), default=1.0) or 1.0
    for org in model.organisations:
        x, y = pos[org.name]
        size = 120 + 900 * abs(org.reserves) / scale
        edge = "black" if org.reserves >= 0 else "#ff7f0e"
        ax.scatter([x], [y], s=size, c=STRATEGY_COLOURS[org.strategy], marker=KIND_SHAPES.get(org.kind, "o"),
                   edgecolors=edge, linewidths=2, zorder=2)
        ax.annotate(f"{org.name}\n{org.kind.replace('_', ' ')}", (x, y), fontsize=6.5, ha="center", va="top",
                    xytext=(0, -9), textcoords="offset points")
    ax.set_title(f"month {model.month}: green collaborative, red fortress; size = reserves "
                 "(orange rim: in deficit); line width = trust", fontsize=8)
    ax.axis("off")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.02)
    return fig


@solara.component
def NetworkView(model):
    update_counter.get()
    fig = draw_network(model)
    solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)


@solara.component
def StrategySwitch(model):
    """Turn one organisation into a fortress (or back) mid-run."""
    update_counter.get()
    names = [o.name for o in model.organisations]
    picked, set_chosen = solara.use_state(names[0] if names else "")
    chosen = picked if picked in names else (names[0] if names else "")  # after a reset to another place

    def switch(strategy: str) -> None:
        model.set_strategy(chosen, strategy)
        force_update()

    with solara.Card("Switch an organisation's strategy"):
        solara.Select("Organisation", value=chosen, values=names, on_value=set_chosen)
        current = model.organisation(chosen).strategy if chosen in names else ""
        solara.Text(f"now: {current}")
        with solara.Row():
            solara.Button("Make fortress", on_click=lambda: switch("fortress"), color="error")
            solara.Button("Make collaborative", on_click=lambda: switch("collaborative"), color="success")


@solara.component
def OrganisationBalances(model):
    """Each organisation's reserves month by month (dashed: fortress now)."""
    update_counter.get()
    orgs = model.organisation_table() if model.month > 0 else None
    fig, ax = plt.subplots(figsize=(7, 4))
    if orgs is not None and len(orgs):
        reserves = orgs.pivot_table(index="month", columns="name", values="reserves")
        for name in reserves.columns:
            org = model.organisation(name)
            ax.plot(reserves.index, reserves[name] / 1e6, lw=1, ls="--" if org.strategy == "fortress" else "-",
                    color={"commissioner": "#1f77b4", "council": "#2ca02c", "hospital": "#d62728",
                           "gp_federation": "#9467bd"}.get(org.kind, "#ff7f0e"))
        ax.axhline(0, color="black", lw=0.6)
    ax.set_title("each organisation's reserves, £m (blue commissioners, green councils, red hospitals, "
                 "purple GP federations; dashed: fortress)", fontsize=8)
    ax.set_xlabel("month")
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.12)
    solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)


COMPONENTS = [
    (NetworkView, 0),
    (StrategySwitch, 0),
    (OrganisationBalances, 0),
    make_plot_component({"balance_commissioner": "#1f77b4", "balance_council": "#2ca02c",
                         "balance_hospital": "#d62728", "balance_gp_federation": "#9467bd"}),
    make_plot_component({"inflows": "#1f77b4", "spending": "#d62728"}),
    make_plot_component("emergency_admissions_per_1000"),
    make_plot_component("delayed_transfer_days"),
    make_plot_component("waiting_list"),
    make_plot_component("share_collaborative"),
]


def make_page(model: LocalHealthEconomy | None = None):
    """The page: SolaraViz with the controls, the network and the charts."""
    model = model if model is not None else TeachingEconomy(place=START_PLACE)
    return SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS, name="Local health economy")


page = make_page()
