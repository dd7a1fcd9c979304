"""The relationships between organisations: a network whose edges carry trust.

An edge joins two organisations that hold a contract or serve the same people.
Trust is directed (what ``a`` thinks of ``b``); it rises slowly while a partner
behaves collaboratively and falls fast when it defects (seed 002, on building
trust and the fortress mentality). The rules of the commons build on this.

**Defection is measured harm**, not a label: each year end, what each organisation
did to the others is counted in pounds (:func:`measure_harm`): continuing healthcare
a commissioner pushed onto councils (below the standard share) and the electives it paid
its hospitals less for by a plan cut below the year before's (:func:`plan_cut`), the delayed transfers
a council's residents caused in hospital beds, the referrals a GP federation shed onto
its commissioner, and the admissions at the margin a hospital pulled in and was paid
for. An organisation whose harm that year exceeds ``governance.harm_tolerance`` of its
income has defected; partners who see it (always with shared measures, or when it
shares its data; otherwise with the scenario's visibility) lose trust in it, and
graduated sanctions (model.regulation) respond to its harm beyond the tolerance and to
a score of its seen defections that fades each year (``commons.defection_memory``).
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
    stance = {org.name: org.strategy for org in model.organisations}

    def link(a: str, b: str, relation: str) -> None:
        for u, v in ((a, b), (b, a)):
            if g.has_edge(u, v):
                g.edges[u, v]["relations"].add(relation)
            else:
                # each knows the stance the other starts with
                g.add_edge(u, v, trust=trust0, relations={relation}, shared_governance=False,
                           seen_defecting=stance[v] == "fortress")

    for c in model.contracts:
        if c.payer_org is not c.provider_org:  # a lead provider's own services are not a relationship
            link(c.payer_org.name, c.provider_org.name, f"contract:{c.scope}")
    pop = model.population
    alive = pop.alive
    # councils work with the hospitals and commissioners that serve their residents
    for co in model.councils:
        mine = alive & (pop.council == co.index)
        for h in np.flatnonzero(pop.living_in_council_by_hospital(co.index, len(model.hospitals))):
            link(co.name, model.hospitals[h].name, "shared_population")
        for cm in np.unique(pop.geo.gp_commissioner[pop.gp[mine]]):
            link(co.name, model.commissioners[cm].name, "shared_population")
    return g


def partners(model: LocalHealthEconomy, org) -> list[str]:
    """The names of the organisations ``org`` works with."""
    return list(model.network.successors(org.name))


def peers(model: LocalHealthEconomy, org) -> list[str]:
    """The organisations of ``org``'s kind that work with one of its partners: the ones whose
    results it can compare with its own (two GP federations under one commissioner, two hospitals
    serving one council). An organisation with no such peer compares itself with the rest of its
    kind in the place."""
    g = model.network
    near = {q for p in g.successors(org.name) for q in g.successors(p)}
    same = [n for n in near if n != org.name and g.nodes[n]["kind"] == org.kind]
    if same:
        return sorted(same)
    return [o.name for o in model.organisations if o.kind == org.kind and o is not org]


def perceived_collaborating(model: LocalHealthEconomy, org) -> float:
    """The share of its partners ``org`` pictures collaborating: those it has not last seen defect
    (0.5 with no partners). Every partner counts the same: a partner it distrusts is no less a
    partner for that."""
    seen = [not model.network.edges[org.name, p]["seen_defecting"] for p in partners(model, org)]
    return float(np.mean(seen)) if seen else 0.5


def measure_harm(model: LocalHealthEconomy) -> None:
    """At a year end (after the contracts settle): what each organisation did to the others this year, in
    pounds (``org.harm``), and whether that was a defection (``org.defected``): harm beyond
    ``governance.harm_tolerance`` of its income."""
    from model.regimes.base import Outlook

    m = model
    tally = m.delivery.tally
    tolerance = m.params.governance.harm_tolerance
    bed_day = m.prices.bed_day_cost(m.params)

    def paid_per(c, unit: str) -> float:
        activity = c.last_year_activity or c.year_activity
        return c.regime.marginal(c, unit, Outlook(activity=activity)) if c.payer != c.provider else 0.0

    for org in m.organisations:
        harm = 0.0
        if org.kind == "hospital":
            # admissions at the margin its payers paid for
            acute = [c for c in m.contracting.of_provider(org) if c.scope == "acute"]
            total = sum((c.last_year_activity or c.year_activity).emergency_spells for c in acute)
            for c in acute:
                share = (c.last_year_activity or c.year_activity).emergency_spells / total if total else 0.0
                harm += tally.marginal[org.index] * share * paid_per(c, "emergency_spell")
        elif org.kind == "gp_federation":
            # referrals shed onto its commissioner's contracts
            shedding = org.lever("referral_shedding")
            shed = tally.gp_referrals[org.index] * shedding / (1 + shedding)
            acute = [c for c in m.contracting.active() if c.scope == "acute" and c.population_of is org.commissioner]
            prices = [paid_per(c, "outpatient_attendance") for c in acute]
            harm = shed * (float(np.mean(prices)) if prices else 0.0)
        elif org.kind == "commissioner":
            # continuing healthcare pushed onto councils: what the standard share would have paid, less what it paid
            ratio = org.lever("chc_share_ratio")
            harm = org.chc_in_year * (1 / ratio - 1) if ratio > 0 else 0.0
            harm += plan_cut(m, org)
        elif org.kind == "council":
            # its residents' delayed transfers: the bed days they held, valued at a stay's variable cost
            harm = tally.delayed_days[org.index] * bed_day
        org.harm = max(harm, 0.0)
        org.harm_line = tolerance * max(org.year_income_pence / 100, 0.0)
        org.defected = org.harm > org.harm_line


def electives_cut(done: float, plan: float, standard: float) -> float:
    """Electives done above a plan set below ``standard`` (the year before's electives) that a plan at the
    standard would have paid in full: ``max(done - plan, 0) - max(done - standard, 0)``; none for a plan at
    or above the standard. What :func:`plan_cut` measures and the plan's forecast (model.decisions) expects."""
    if plan >= standard:
        return 0.0
    return max(done - plan, 0.0) - max(done - standard, 0.0)


def plan_cut(model: LocalHealthEconomy, cm) -> float:
    """What a commissioner's elective plans set below the year before's electives took from its hospitals
    this year, pounds (at a year end, once the contracts have settled): the electives done above each plan
    that a plan at the year before's electives would have paid in full, each short of the tariff by the
    contract's over-plan rate. A plan at or above the year before's electives takes nothing."""
    growth = cm.plan_growth_in_force
    if growth >= 0:
        return 0.0
    book = model.contracting
    taken = 0.0
    for c in book.of_payer(cm):
        plan = c.terms.get("elective_plan") if c.scope == "acute" and c.payer != c.provider else None
        if plan is None:
            continue
        done = book.electives_last_year(c)  # the year just settled
        standard = plan / (1 + growth)  # the year before's electives
        short = c.terms["prices"]["elective_spell"] * (1.0 - c.terms["over_plan_rate"])
        taken += short * electives_cut(done, plan, standard)
    return taken


def update_trust(model: LocalHealthEconomy) -> None:
    """Once a year: trust in each partner moves with how that partner was seen to behave.

    A partner's behaviour is seen always with shared measures
    (``commons.shared_measures``) or when it shares its data, otherwise with the
    scenario's visibility. Seen doing no measurable harm, it gains trust slowly;
    seen defecting (harm beyond the tolerance, :func:`measure_harm`), it loses trust
    fast (seed 002, on building trust and the fortress mentality). Unseen, trust
    and the picture of the partner stay as they were, whichever way it behaved:
    without shared measures neither defection nor collaboration is plain to see.
    With conflict resolution, trust falls half as fast.
    """
    gov = model.params.governance
    commons = model.params.commons
    loss = gov.trust_loss * (0.5 if commons.conflict_resolution else 1.0)
    defected = {o.name: o.defected for o in model.organisations}
    open_books = {o.name: o.shares_data for o in model.organisations}
    rng = model.rng_strategy
    for _, b, data in model.network.edges(data=True):
        seen = rng.random() < commons.visibility_without_measures  # drawn for every edge: streams stay paired
        if not (commons.shared_measures or open_books[b] or seen):
            continue  # nothing seen this year: trust and the picture of the partner stay as they were
        t = data["trust"]
        if not defected[b]:
            data["trust"] = t + gov.trust_gain * (1.0 - t)
            data["seen_defecting"] = False
        else:
            data["trust"] = t - loss * t
            data["seen_defecting"] = True


def reset_trust(model: LocalHealthEconomy, name: str) -> None:
    """New leadership: every relationship to and from ``name`` starts again from the initial trust."""
    trust0 = model.params.governance.initial_trust
    g = model.network
    for u, v in [*g.in_edges(name), *g.out_edges(name)]:
        g.edges[u, v]["trust"] = trust0
        g.edges[u, v]["seen_defecting"] = False


def mean_trust(model: LocalHealthEconomy) -> float:
    values = [d["trust"] for _, _, d in model.network.edges(data=True)]
    return float(np.mean(values)) if values else 0.0
