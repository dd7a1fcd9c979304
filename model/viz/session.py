"""One visitor's place on the teaching page (``lhe viz``): settings, clock and debrief, apart from the page.

A :class:`Session` opens a scenario exactly as its file sets it. The page's
controls are :class:`Settings`; each one left at ``None`` keeps the file's value,
and :func:`scenario_for` says in words what the others override. Each browser
session has its own :class:`Session`, so visitors never step each other's place.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from model.scenario import Scenario, load_scenario
from model.viz import charts
from model.viz.clock import Clock, Store
from model.viz.debrief import KINDS, Debrief, ReferenceRuns, debrief
from model.viz.snapshot import Snapshot

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

STARTING_STRATEGIES = {"scenario": "as the scenario sets them", "collaborative": "everyone collaborative",
                       "fortress": "everyone a fortress"}


@dataclass(frozen=True)
class Settings:
    """The page's controls. ``None`` keeps what the scenario's file sets."""

    place: str
    acute_regime: str | None = None
    strategies: str = "scenario"  # see STARTING_STRATEGIES
    regulator: str | None = None  # "organisation" or "system"
    learning: bool | None = None  # True: adaptive
    shared_measures: bool | None = None
    graduated_sanctions: bool | None = None
    seed: int | None = None


def scenario_for(settings: Settings, base: Scenario | None = None) -> tuple[Scenario, list[str]]:
    """The scenario the settings describe, and what they override, in words."""
    base = base if base is not None else load_scenario(settings.place)
    changes: dict[str, Any] = {}
    words: list[str] = []
    if settings.acute_regime is not None and settings.acute_regime != base.contracting.acute:
        changes["contracting.acute"] = settings.acute_regime
        words.append(f"acute care paid by {settings.acute_regime} (the file: {base.contracting.acute})")
    if settings.strategies in ("collaborative", "fortress"):
        for kind in KINDS:
            for i, _ in enumerate(getattr(base, kind)):
                changes[f"{kind}.{i}.strategy"] = settings.strategies
        words.append(f"{STARTING_STRATEGIES[settings.strategies]} at the start")
    if settings.regulator is not None and settings.regulator != base.regulation.focus:
        changes["regulation.focus"] = settings.regulator
        words.append(f"a {'whole-system' if settings.regulator == 'system' else 'organisation-focused'} regulator")
    adaptive = base.adaptation.policy == "adaptive"
    if settings.learning is not None and settings.learning != adaptive:
        changes["adaptation.policy"] = "adaptive" if settings.learning else "fixed"
        words.append("organisations learn" if settings.learning else "strategies fixed (no learning)")
    for rule, label in (("shared_measures", "shared measures"), ("graduated_sanctions", "graduated sanctions")):
        value = getattr(settings, rule)
        if value is not None and value != getattr(base.commons, rule):
            changes[f"commons.{rule}"] = value
            words.append(f"{label} {'on' if value else 'off'}")
    if settings.seed is not None and settings.seed != base.run.seed:
        changes["run.seed"] = int(settings.seed)
        words.append(f"seed {settings.seed} (the file: {base.run.seed})")
    return (base.with_changes(changes) if changes else base), words


@dataclass(frozen=True, eq=False)
class PageFrame:
    snap: Snapshot
    figures: MappingProxyType
    settings: Settings
    overrides: tuple[str, ...]
    switches: tuple[str, ...]  # strategies switched by hand during the run, in words
    debrief: Debrief | None


class Session:
    """One visitor's place: the settings, a clock of its own, and the debrief when asked for."""

    def __init__(self, scenario: Scenario | str, background: bool = True) -> None:
        self.base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.start = self.base  # the place the session opened with, as it was given (a server's --set changes too)
        self.background = background
        self.settings = Settings(self.base.name)
        self.scenario, self.overrides = scenario_for(self.settings, self.base)
        self.switches: list[str] = []
        self.references: ReferenceRuns | None = None
        self.debrief_wanted = False
        self._lock = threading.Lock()
        self._figures: tuple[Any, dict[str, bytes]] | None = None
        self.store: Store[PageFrame] = Store(self._frame, name="lhe-page-publisher")
        self.clock = Clock(self._build, changed=self.store.publish, name="lhe-page-clock")
        self.store.publish()

    def _build(self) -> tuple[LocalHealthEconomy, int]:
        from model.economy import LocalHealthEconomy

        return LocalHealthEconomy(self.scenario, rng=self.scenario.run.seed), int(self.scenario.run.seed)

    def apply(self, settings: Settings) -> None:
        """Reset to month 0 with these settings (another place keeps no override of the last one's)."""
        base = (self.start if settings.place == self.start.name
                else self.base if settings.place == self.base.name else load_scenario(settings.place))
        scenario, words = scenario_for(settings, base)
        with self._lock:
            self.base, self.settings, self.scenario, self.overrides = base, settings, scenario, words
            self.switches = []
            self._stop_references()
        self.clock.reset()

    def reset(self) -> None:
        self.apply(self.settings)

    def choose_place(self, place: str) -> None:
        """Another place, opened as its file sets it."""
        self.apply(Settings(place))

    def switch(self, name: str, strategy: str) -> None:
        """Turn one organisation into a fortress (or back) now."""
        def change(model: LocalHealthEconomy) -> None:
            model.set_strategy(name, strategy)
            self.switches.append(f"month {model.month}: {name} made {strategy}")
        self.clock.call(change)

    def ask_debrief(self) -> None:
        """Start the reference runs (the same place with bots only, and everyone collaborative) and show them."""
        with self._lock:
            self.debrief_wanted = True
            if self.references is None:
                self.references = ReferenceRuns(self.scenario, self.clock.seed, on_update=self.store.publish,
                                                background=self.background)
        self.store.publish()

    def _stop_references(self) -> None:
        self.debrief_wanted = False
        if self.references is not None:
            self.references.close()
            self.references = None

    def close(self) -> None:
        self.clock.close()
        self.store.close()
        with self._lock:
            self._stop_references()

    def _frame(self) -> PageFrame:
        with self.clock.lock:
            snap = self.clock.snapshot()
        key = (snap.version, snap.month, id(self.clock.model))
        if self._figures is None or self._figures[0] != key:
            self._figures = (key, charts.render(snap))
        with self._lock:
            report = None
            if self.debrief_wanted:
                kinds = {o.name: o.kind for o in snap.orgs}
                played = dict.fromkeys(kinds, "the scenario")
                for line in self.switches:
                    name = line.split(": ", 1)[1].rsplit(" made ", 1)[0]
                    played[name] = "switched by hand"
                report = debrief(snap.month, snap.seed, {o.name: o.result for o in snap.orgs}, kinds, played,
                                 snap.series, self.references)
            return PageFrame(snap, MappingProxyType(self._figures[1]), self.settings, tuple(self.overrides),
                             tuple(self.switches), report)


def settings_with(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)
