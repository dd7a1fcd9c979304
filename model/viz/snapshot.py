"""Immutable pictures of a running place, for pages to read instead of the live model.

A :class:`History` follows one model: after every month it keeps the place's
figures (``model.report``) and each organisation's reserves. :func:`take` turns
the model and its history into a :class:`Snapshot`, frozen and made of tuples,
which any number of pages (in any thread) can read while the model steps on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

# place figures the charts read, one value a month (see model.metrics.PLACE_COLUMNS)
SERIES = (
    "place_balance", "place_balance_own", "balance_commissioner", "balance_council", "balance_hospital", "balance_gp_federation",
    "balance_prime_contractor", "emergency_admissions_per_1000", "delayed_transfer_days",
    "unmet_social_care_need", "population", "waiting_list", "share_collaborative", "mean_trust",
    "qalys_lost_unmet_need", "qalys_lost_delays", "qalys_lost_waits", "qalys_lost_admissions", "national_support",
    "net_health_benefit_cumulative", "beds", "bed_days",
)


@dataclass(frozen=True)
class OrgView:
    """One organisation as it stands at the snapshot's month."""

    name: str
    kind: str
    strategy: str
    reserves: float  # pounds
    # pounds: its own result since month 0, reserves now less reserves at the start less the national support it
    # drew (distress finance, a deficit written off): a rescue from outside the place is not a result
    result: float
    income: float  # pounds, this month
    in_special_measures: bool


@dataclass(frozen=True)
class Snapshot:
    """The place at one month: what every page draws."""

    place: str
    description: str
    acute_regime: str
    population: int
    seed: int
    month: int
    horizon: int
    orgs: tuple[OrgView, ...]
    series: MappingProxyType  # name -> tuple of floats, months 1..month
    edges: tuple[tuple[str, str, float], ...]  # (a, b, trust), each pair once
    positions: MappingProxyType  # name -> (x, y) in 0..1
    events: tuple[str, ...] = ()
    version: int = 0  # grows with every change a page should show
    extra: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ended(self) -> bool:
        return self.month >= self.horizon

    @property
    def year(self) -> int:
        """The financial year under way (1 for months 1-12); 1 at month 0."""
        return self.month // 12 + 1 if self.month % 12 else max(self.month // 12, 1)

    def org(self, name: str) -> OrgView:
        for o in self.orgs:
            if o.name == name:
                return o
        raise KeyError(name)


class History:
    """What a model reported month by month, kept beside it for snapshots."""

    def __init__(self, model: LocalHealthEconomy) -> None:
        self.rows: dict[str, list[float]] = {k: [] for k in SERIES}
        self.start_reserves = {o.name: o.reserves for o in model.organisations}
        self.positions = layout(model)
        self.events_seen = 0
        self.events: list[str] = []

    def record(self, model: LocalHealthEconomy) -> None:
        """Called after each step."""
        for k in SERIES:
            self.rows[k].append(float(model.report.get(k, 0.0)))
        for e in model.events[self.events_seen:]:
            self.events.append(describe_event(e))
        self.events_seen = len(model.events)


def describe_event(e: dict[str, Any]) -> str:
    month = e.get("step", "?")
    who = e.get("organisation") or e.get("provider") or e.get("winner") or ""
    words = {
        "special_measures": "put into special measures by the regulator",
        "failed": "failed: its deficit was written off",
        "distress_finance": "drew distress finance from national support",
        "administration": "was put into administration: its deficit was written off",
        "section_114": "issued a section 114 notice: its reserves have run out",
        "government_intervention": "had commissioners sent in by the government: its deficit was written off",
        "contract_ended": "handed back a contract",
        "tender_won": "won a tender",
    }.get(e["event"], e["event"].replace("_", " "))
    return f"month {month}: {who} {words}".replace("  ", " ")


def layout(model: LocalHealthEconomy) -> dict[str, tuple[float, float]]:
    """Where each organisation sits in the network picture: a seeded spring layout scaled into 0..1."""
    g = nx.Graph()
    g.add_nodes_from(o.name for o in model.organisations)
    g.add_edges_from((u, v) for u, v in model.network.edges() if u in g and v in g)
    pos = nx.spring_layout(g, seed=1, k=1.6 / max(len(g), 1) ** 0.5)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    def scale(v: float, lo: float, hi: float) -> float:
        return 0.5 if hi - lo < 1e-9 else (v - lo) / (hi - lo)
    return {n: (scale(float(p[0]), min(xs), max(xs)), scale(float(p[1]), min(ys), max(ys))) for n, p in pos.items()}


def own_result(org: Any, start: float) -> float:
    """An organisation's own result since month 0, pounds: its reserves now less ``start``, less the national
    support it has drawn (a rescue is not a result; counted, a hospital run into the ground would gain by it)."""
    return float(org.reserves - start - org.national_support)


def take(model: LocalHealthEconomy, history: History, seed: int, version: int = 0, **extra: Any) -> Snapshot:
    """Freeze the model and its history as they stand."""
    p = model.params
    seen: set[frozenset[str]] = set()
    edges = []
    for u, v, data in model.network.edges(data=True):
        pair = frozenset((u, v))
        if pair in seen or u == v:
            continue
        seen.add(pair)
        back = model.network.edges[v, u]["trust"] if model.network.has_edge(v, u) else data["trust"]
        edges.append((u, v, (float(data["trust"]) + float(back)) / 2))
    orgs = tuple(
        OrgView(o.name, o.kind, o.strategy, float(o.reserves), own_result(o, history.start_reserves.get(o.name, 0.0)),
                float(o.income), bool(o.in_special_measures))
        for o in model.organisations
    )
    return Snapshot(
        place=p.name, description=p.description, acute_regime=p.contracting.acute, population=int(p.population.size),
        seed=int(seed), month=model.month, horizon=int(p.run.steps), orgs=orgs,
        series=MappingProxyType({k: tuple(v) for k, v in history.rows.items()}), edges=tuple(edges),
        positions=MappingProxyType(dict(history.positions)), events=tuple(history.events[-5:]), version=version,
        extra=MappingProxyType(extra),
    )

