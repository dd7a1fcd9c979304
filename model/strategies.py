"""Fortress and collaborative: what each strategy means, and how one is chosen.

A strategy is a bundle of behaviour settings for one kind of organisation (the
scenario's ``[strategies.<kind>.<strategy>]`` tables): the same knobs, set two
ways. How an organisation picks its strategy each year is a
:class:`StrategyPolicy`; the model holds exactly one, so an adaptive rule
replaces :class:`FixedStrategies` without touching anything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy
    from model.organisations import Organisation

STRATEGIES = ("fortress", "collaborative")


def behaviour(model: LocalHealthEconomy, org: Organisation) -> BaseModel:
    """The behaviour bundle an organisation follows under its current strategy."""
    return getattr(getattr(model.params.strategies, org.kind), org.strategy)


class StrategyPolicy(Protocol):
    def observe(self, model: LocalHealthEconomy) -> None:
        """At a year end, before any choice: learn from the year just ended."""
        ...

    def choose(self, org: Organisation, model: LocalHealthEconomy) -> str:
        """The strategy ``org`` follows in the coming financial year."""
        ...


class FixedStrategies:
    """Strategies as the scenario (or a user, mid-run) set them."""

    def observe(self, model: LocalHealthEconomy) -> None:
        return None

    def choose(self, org: Organisation, model: LocalHealthEconomy) -> str:
        return org.strategy
