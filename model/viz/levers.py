"""Where an organisation's levers plug into the classroom.

A lever is a number an organisation sets each year (a hospital's discharge
effort, say). The classroom offers a student the levers declared here for their
organisation's kind, collects one value per lever each year (a team's median),
and at the year end hands them to the kind's ``apply`` callback after the
strategy is chosen. Every kind's levers in the model (:data:`model.decisions.LEVERS`)
are declared here: a student's values hold for the coming year, where a bot's
organisation sets its own as a best response (model.decisions).
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


def declare(kind: str, levers: list[tuple], apply: ApplyLevers,
            current: Callable[[Organisation], Mapping[str, float]]) -> LeverSet:
    """Offer ``levers`` (name, label, (low, high)[, step]) to students playing an organisation of ``kind``."""
    lever_set = LeverSet(kind, tuple(Lever(n, label, lo, hi, *rest) for n, label, (lo, hi), *rest in levers), apply, current)
    LEVER_SETS[kind] = lever_set
    return lever_set


def _hold(model: LocalHealthEconomy, org: Organisation, values: Mapping[str, float]) -> None:
    """A student's levers for the coming year: set now, and left alone by the organisation's own decisions;
    never above what the scenario allows (a lever it caps, such as a council's intermediate care)."""
    from model.decisions import LEVERS

    top = {lv.name: lv.highest(model) for lv in LEVERS.get(org.kind, ())}
    org.levers.update({name: min(float(v), top.get(name, float(v))) for name, v in values.items()})
    org.levers_held_at = model.month


def _declare_model_levers() -> None:
    from model.decisions import LEVERS

    for kind, levers in LEVERS.items():
        declare(kind, [(lv.name, lv.label, (lv.low, lv.high), lv.step) for lv in levers], _hold,
                lambda org: dict(org.levers))


_declare_model_levers()


def levers_of(kind: str) -> tuple[Lever, ...]:
    return LEVER_SETS[kind].levers if kind in LEVER_SETS else ()
