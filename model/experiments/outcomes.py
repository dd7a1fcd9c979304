"""What a sweep keeps of each run: named outcomes, each a function of the finished run's tables.

An outcome is one entry in :data:`OUTCOMES`: a name, a function of a
:class:`FinishedRun` (its place and organisation tables and the scenario it ran)
returning one number, whether higher is better, and a label for charts. Adding
one (net health, say, once the model reports it) is one call to :func:`register`
in this module or in a module the workers import, so every worker knows it.

>>> register("final_beds", lambda run: float(run.place["beds"].iloc[-1]), "beds at the end")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class FinishedRun:
    """A finished run as outcomes see it: its monthly tables and its parameters."""

    place: pd.DataFrame
    organisations: pd.DataFrame | None
    params: Any  # the validated scenario (or a test function's parameters)


@dataclass(frozen=True)
class OutcomeDef:
    name: str
    fn: Callable[[FinishedRun], float]
    label: str
    higher_is_better: bool | None = None  # None: neither (a count, a share to watch)
    simulator: str = "lhe"
    scale: float = 1.0  # value x scale is shown in charts and tables
    unit: str = ""

    def __call__(self, run: FinishedRun) -> float:
        return float(self.fn(run))


OUTCOMES: dict[str, OutcomeDef] = {}


def register(name: str, fn: Callable[[FinishedRun], float], label: str, *, higher_is_better: bool | None = None,
             simulator: str = "lhe", scale: float = 1.0, unit: str = "", replace: bool = False) -> OutcomeDef:
    """Add an outcome to the registry (its name is what experiment files write)."""
    if not name.isidentifier():
        raise ValueError(f"outcome name {name!r}: a Python identifier (letters, digits, underscores) is allowed")
    if name in OUTCOMES and not replace:
        raise ValueError(f"outcome {name!r} is already registered (pass replace=True to replace it)")
    OUTCOMES[name] = OutcomeDef(name, fn, label, higher_is_better, simulator, scale, unit)
    return OUTCOMES[name]


def for_simulator(simulator: str) -> list[str]:
    """The outcomes a simulator's runs can give, in registration order."""
    return [n for n, o in OUTCOMES.items() if o.simulator == simulator]


def compute(names: list[str] | tuple[str, ...], run: FinishedRun) -> dict[str, float]:
    return {n: OUTCOMES[n](run) for n in names}


# --- the place's outcomes: the same measures lhe compare ranks on ---------------------------
def _from_compare() -> None:
    from model.compare import OUTCOMES as COMPARED

    for name, o in COMPARED.items():
        register(name, _place_summary(o), f"{o.label} ({o.when})", higher_is_better=o.higher_is_better,
                 scale=o.scale, unit=o.unit)


def _place_summary(o: Any) -> Callable[[FinishedRun], float]:
    def fn(run: FinishedRun) -> float:
        return o.of(run.place)

    fn.__qualname__ = f"place_summary[{o.column}]"
    return fn


def _years_in_deficit(run: FinishedRun) -> float:
    """Financial years whose last month leaves the place's own balance below zero: its balance less the national
    support drawn so far, which rescues a deficit and would otherwise hide it (as lhe compare's place_balance_own)."""
    year_ends = run.place.sort_values("month").groupby("year")["place_balance_own"].last()
    return float((year_ends < 0).sum())


def _final_share_collaborative(run: FinishedRun) -> float:
    return float(run.place.sort_values("month")["share_collaborative"].iloc[-1])


_from_compare()
register("years_in_deficit", _years_in_deficit, "financial years ending with the place in deficit (without national support)",
         higher_is_better=False)
register("final_share_collaborative", _final_share_collaborative, "share of organisations collaborating in the last month",
         higher_is_better=True)
