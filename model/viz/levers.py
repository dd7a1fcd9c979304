"""Where an organisation's levers plug into the classroom.

A lever is a number an organisation sets each year (a hospital's discharge
effort, say). The classroom offers a student the levers declared here for their
organisation's kind, collects one value per lever each year (a team's median),
and at the year end hands them to the kind's ``apply`` callback after the
strategy is chosen. No kind declares levers yet: they arrive with the model's
incentives, as one :func:`declare` call per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy
    from model.organisations import Organisation


@dataclass(frozen=True)
class Lever:
    name: str  # the model's name for it
    label: str  # what a student reads
    low: float
    high: float
    step: float = 0.05

    def clamp(self, value: float) -> float:
        return min(max(float(value), self.low), self.high)


ApplyLevers = Callable[["LocalHealthEconomy", "Organisation", Mapping[str, float]], None]


@dataclass(frozen=True)
class LeverSet:
    kind: str
    levers: tuple[Lever, ...]
    apply: ApplyLevers  # sets the organisation's levers for the coming year
    current: Callable[[Organisation], Mapping[str, float]]  # the values it has now (a bot's)


LEVER_SETS: dict[str, LeverSet] = {}


def declare(kind: str, levers: list[tuple[str, str, tuple[float, float]]], apply: ApplyLevers,
            current: Callable[[Organisation], Mapping[str, float]]) -> LeverSet:
    """Offer ``levers`` (name, label, (low, high)) to students playing an organisation of ``kind``."""
    lever_set = LeverSet(kind, tuple(Lever(n, label, lo, hi) for n, label, (lo, hi) in levers), apply, current)
    LEVER_SETS[kind] = lever_set
    return lever_set


def levers_of(kind: str) -> tuple[Lever, ...]:
    return LEVER_SETS[kind].levers if kind in LEVER_SETS else ()
