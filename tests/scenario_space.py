"""Scenarios drawn from anywhere within the schema's bounds, for property tests.

The strategy reads the bounds from the schema itself (``model.scenario``), so a
bound loosened there is fuzzed here without another edit. Every numeric field
can take any value in its range, endpoints included; a draw changes one field,
a few or all of them. Organisations, their shares and the contracting events
(switches, budgets, tenders) are drawn too, with their steps sometimes beyond
the run's end so that the schema's refusals are exercised as well as its runs.
Population and run length stay small so that hundreds of runs take seconds.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from model.regimes import REGIMES
from model.scenario import (
    BidderSpec,
    CapitatedBudgetSpec,
    PooledBudgetSpec,
    Scenario,
    Switch,
    TenderSpec,
    load_scenario,
    resolved_parameters,
)

BASE = resolved_parameters(load_scenario("baseline"))
SMALL = {"population.size": (100, 1500), "run.steps": (1, 14)}  # a fast run; everything else spans its bounds
FITS = {scope: sorted(n for n, r in REGIMES.items() if scope in r.scopes) for scope in ("acute", "community", "primary_care")}
HANDLED_APART = {"name", "description", "population.age_band_edges", "population.age_band_shares", "contracting",
                 "commissioners", "councils", "hospitals", "gp_federations"}


def bounds(info) -> tuple[float | None, float | None, bool, bool]:
    """A field's (low, high, low excluded, high excluded) from its pydantic metadata."""
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None:
            hi = m.le
        if getattr(m, "lt", None) is not None:
            hi, hi_open = m.lt, True
    return lo, hi, lo_open, hi_open


def _plain(annotation: Any) -> Any:
    """The type under ``Annotated[...]``."""
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def number(info, kind: type, path: str) -> st.SearchStrategy:
    """Any value of a numeric field within its bounds, endpoints included (drawn often)."""
    lo, hi, lo_open, hi_open = bounds(info)
    if path in SMALL:
        lo, hi = SMALL[path]
    if kind is int:
        return st.integers(int(lo) if lo is not None else -(2**63), int(hi) if hi is not None else 2**63 - 1)
    ends = [v for v, open_ in ((lo, lo_open), (hi, hi_open)) if v is not None and not open_]
    inside = st.floats(lo, hi, exclude_min=lo_open and lo is not None, exclude_max=hi_open and hi is not None,
                       allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from([float(v) for v in ends]), inside) if ends else inside


def leaf(info, path: str) -> st.SearchStrategy | None:
    """A strategy for one scalar field, or None for fields drawn elsewhere."""
    kind = _plain(info.annotation)
    if kind is bool:
        return st.booleans()
    if kind in (int, float):
        return number(info, kind, path)
    if typing.get_origin(kind) is typing.Literal:
        return st.sampled_from(typing.get_args(kind))
    if typing.get_origin(kind) is list:
        item = typing.get_args(kind)[0]
        inner = typing.get_args(item)[1] if typing.get_origin(item) is typing.Annotated else None
        if _plain(item) in (int, float) and inner is not None:
            # the usual length (4) mostly, now and then one off (refused)
            n = st.randoms(use_true_random=True).map(lambda r: 4 if r.random() < 0.95 else r.choice([3, 5]))
            return n.flatmap(lambda k: st.lists(number(inner, _plain(item), path), min_size=k, max_size=k))
    return None


@st.composite
def section(draw, model: type[BaseModel], base: dict[str, Any], path: str, change: int) -> dict[str, Any]:
    """A section of the scenario: each field kept from ``base`` or, with chance ``change`` %, drawn within bounds."""
    out = dict(base)
    for name, info in model.model_fields.items():
        here = f"{path}.{name}" if path else name
        if here in HANDLED_APART:
            continue
        kind = _plain(info.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out[name] = draw(section(kind, base.get(name, {}), here, change))
            continue
        strategy = leaf(info, here)
        if strategy is None:
            continue
        if name not in base or draw(st.integers(0, 99)) < change or here in SMALL:
            out[name] = draw(strategy)
    return out


@st.composite
def spec(draw, model: type[BaseModel], fixed: dict[str, Any], path: str) -> dict[str, Any]:
    """One entry of a list of specs (a tender, a bidder, a budget): its numbers anywhere within bounds."""
    out = dict(fixed)
    for name, info in model.model_fields.items():
        if name in out:
            continue
        strategy = leaf(info, f"{path}.{name}")
        if strategy is not None:
            out[name] = draw(strategy)
    return out


@st.composite
def shares(draw, n: int) -> list[float]:
    """``n`` shares that sum to one, some possibly zero."""
    weights = draw(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1.0)), min_size=n, max_size=n))
    total = sum(weights)
    if total <= 0:
        return [1.0 / n] * n
    return [w / total for w in weights]


@st.composite
def organisations(draw) -> dict[str, list[dict[str, Any]]]:
    strategy = st.sampled_from(["fortress", "collaborative"])
    commissioners = [{"name": f"Commissioner {c}", "strategy": draw(strategy)}
                     for c in "ABC"[: draw(st.integers(1, 3))]]
    out: dict[str, list[dict[str, Any]]] = {"commissioners": commissioners}
    for kind, label, most in (("councils", "Council", 3), ("hospitals", "Hospital", 3), ("gp_federations", "GP Federation", 4)):
        n = draw(st.integers(1, most))
        rows = [{"name": f"{label} {i + 1}", "strategy": draw(strategy), "share": s} for i, s in enumerate(draw(shares(n)))]
        if kind == "gp_federations":
            for row in rows:
                row["commissioner"] = draw(st.sampled_from([c["name"] for c in commissioners]))
        out[kind] = rows
    return out


@st.composite
def contracting(draw, orgs: dict[str, list[dict[str, Any]]], steps: int) -> dict[str, Any]:
    commissioners = [c["name"] for c in orgs["commissioners"]]
    councils = [c["name"] for c in orgs["councils"]]
    leads = [o["name"] for o in (*orgs["hospitals"], *orgs["gp_federations"])]
    chance = draw(st.randoms(use_true_random=True))  # for the rarer cases, at the rates said

    def month(first: int) -> int:
        """A month within the run mostly, one in twenty-five after its end (refused)."""
        if steps - 1 < first or chance.random() < 0.04:
            return draw(st.integers(max(first, steps), steps + 2))
        return draw(st.integers(first, steps - 1))

    out: dict[str, Any] = {scope: draw(st.sampled_from(FITS[scope])) for scope in FITS}
    out["switches"] = []
    for _ in range(draw(st.integers(0, 2 if steps > 1 else 0))):  # a one-month run has no room for a switch
        scope = draw(st.sampled_from(sorted(FITS)))
        out["switches"].append(draw(spec(Switch, {"scope": scope, "regime": draw(st.sampled_from(FITS[scope])),
                                                  "step": month(1)}, "contracting.switches")))
    used = {out["acute"], out["community"], out["primary_care"]} | {s["regime"] for s in out["switches"]}
    out["capitated_budgets"] = [
        draw(spec(CapitatedBudgetSpec, {"commissioner": c, "lead": draw(st.sampled_from(leads)), "step": month(0)},
                  "contracting.capitated_budgets"))
        for c in draw(st.lists(st.sampled_from(commissioners), max_size=2, unique=True))
    ]
    out["pooled_budgets"] = [
        draw(spec(PooledBudgetSpec, {"commissioner": draw(st.sampled_from(commissioners)),
                                     "council": draw(st.sampled_from(councils)), "step": month(0)},
                  "contracting.pooled_budgets"))
        for _ in range(draw(st.integers(0, 3)))
    ]
    if out["pooled_budgets"]:
        used.add("pooled_budget")
    bidder_names = st.sampled_from([*leads, "Newco", "Other Newco"])
    out["tenders"] = []
    for _ in range(draw(st.integers(0, 2))):
        unique = chance.random() < 0.9  # now and then two bidders with one name (refused)
        names = draw(st.lists(bidder_names, min_size=1, max_size=3, unique=unique))
        bidders = [draw(spec(BidderSpec, {"name": name}, "contracting.tenders.bidders")) for name in names]
        out["tenders"].append(draw(spec(TenderSpec, {"commissioner": draw(st.sampled_from(commissioners)),
                                                     "step": month(0), "bidders": bidders}, "contracting.tenders")))
    terms = {}
    for regime in sorted(used):
        for name, p in REGIMES[regime].parameters.items():
            if draw(st.booleans()):
                terms[name] = draw(st.one_of(st.sampled_from([p.low, p.high]), st.floats(p.low, p.high)))
    out["terms"] = terms
    return out


@st.composite
def age_bands(draw) -> dict[str, list[float]]:
    n = draw(st.integers(1, 8))
    inner = sorted(set(draw(st.lists(st.floats(0.5, 119.5), min_size=n - 1, max_size=n - 1))))
    top = draw(st.one_of(st.just(120.0), st.floats(max(inner, default=0.0) + 0.5, 120.0)))
    edges = [0.0, *inner, top]
    return {"age_band_edges": edges, "age_band_shares": draw(shares(len(edges) - 1))}


@st.composite
def scenarios(draw) -> dict[str, Any]:
    """A scenario as plain data: small and short, anything else anywhere within the schema's bounds."""
    change = draw(st.sampled_from([1, 10, 50, 100]))  # % of fields drawn afresh: one or two, some, half, all
    data = draw(section(Scenario, BASE, "", change))
    data["name"] = "fuzz"
    if draw(st.integers(0, 99)) < change:
        data["population"] = {**data["population"], **draw(age_bands())}
    orgs = draw(organisations()) if draw(st.integers(0, 99)) < max(change, 20) else {k: BASE[k] for k in
                                                                                        ("commissioners", "councils", "hospitals", "gp_federations")}
    data.update(orgs)
    data["contracting"] = draw(contracting(orgs, data["run"]["steps"])) if draw(st.booleans()) else BASE["contracting"]
    return data


def as_types(data: Any) -> Any:
    """Only plain TOML-like data (dicts, lists, str, int, float, bool), as from a file."""
    if isinstance(data, dict):
        return {k: as_types(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_types(v) for v in data]
    assert isinstance(data, str | int | float | bool | types.NoneType), type(data)
    return data
