"""The relationships between organisations: a network whose edges carry trust.

An edge joins two organisations that hold a contract or serve the same people.
Trust is directed (what ``a`` thinks of ``b``); it rises slowly while a partner
behaves collaboratively and falls fast when it defects (seed 002, on building
trust and the fortress mentality). The rules of the commons build on this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy


def build_network(model: LocalHealthEconomy) -> nx.DiGraph:
    g = nx.DiGraph()
    for org in model.organisations:
        g.add_node(org.name, kind=org.kind)
    trust0 = model.params.governance.initial_trust

    def link(a: str, b: str, relation: str) -> None:
        for u, v in ((a, b), (b, a)):
            if g.has_edge(u, v):
                g.edges[u, v]["relations"].add(relation)
            else:
                g.add_edge(u, v, trust=trust0, relations={relation}, shared_governance=False)

    for c in model.contracts:
        if c.payer_org is not c.provider_org:  # a lead provider's own services are not a relationship
            link(c.payer_org.name, c.provider_org.name, f"contract:{c.scope}")
    pop = model.population
    alive = pop.alive
    # councils work with the hospitals and commissioners that serve their residents
    for co in model.councils:
        mine = alive & (pop.council == co.index)
        for h in np.unique(pop.hospital[mine]):
            link(co.name, model.hospitals[h].name, "shared_population")
        for cm in np.unique(pop.geo.gp_commissioner[pop.gp[mine]]):
            link(co.name, model.commissioners[cm].name, "shared_population")
    return g


def update_trust(model: LocalHealthEconomy) -> None:
    """Once a year: trust in each partner moves with how that partner behaved."""
    gov = model.params.governance
    strategy = {o.name: o.strategy for o in model.organisations}
    for _, b, data in model.network.edges(data=True):
        t = data["trust"]
        if strategy[b] == "collaborative":
            data["trust"] = t + gov.trust_gain * (1.0 - t)
        else:
            data["trust"] = t - gov.trust_loss * t


def mean_trust(model: LocalHealthEconomy) -> float:
    values = [d["trust"] for _, _, d in model.network.edges(data=True)]
    return float(np.mean(values)) if values else 0.0
