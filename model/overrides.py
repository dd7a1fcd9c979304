"""Changes to a scenario given on the command line: ``--set PATH=VALUE``, ``--steps``, ``--seed``.

Each change keeps the words it was given in, so that a value the scenario
refuses is reported against the option (``--set population.size=-10``), not
against the scenario's file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

from model.scenario import Scenario, ScenarioError

SET_FORM = "PATH=VALUE, e.g. population.size=50000 (VALUE is TOML: 0.5, true, \"text\", [1, 2])"


@dataclass
class Changes:
    """Parameter changes by dotted path, each with the option that gave it."""

    values: dict[str, Any] = field(default_factory=dict)
    given_as: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, value: Any, option: str) -> None:
        for other in self.values:
            if path == other:
                raise ScenarioError(option, path, value, f"{path} is set already by {self.given_as[path]}; give each parameter once")
            if path.startswith(other + ".") or other.startswith(path + "."):
                raise ScenarioError(option, path, value, f"{self.given_as[other]} sets {other}, which overlaps {path}; "
                                                         "set a table or the fields inside it, not both")
        self.values[path] = value
        self.given_as[path] = option

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with these changes, validated; errors name the option at fault."""
        return scenario.with_changes(self.values, given_as=self.given_as) if self.values else scenario


def parse_set(item: str) -> tuple[str, Any]:
    """One ``--set PATH=VALUE``: the path and the value read as TOML (a bare word is text)."""
    path, eq, raw = item.partition("=")
    path = path.strip()
    if not eq or not path:
        raise ScenarioError("--set", "(PATH=VALUE)", item, f"{SET_FORM} is allowed")
    if any(not part for part in path.split(".")) or any(c.isspace() for c in path):
        raise ScenarioError(_label(item), path, path, "a dotted path to a field is allowed, e.g. population.size")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word is text (e.g. a strategy: --set hospitals.0.strategy=fortress)
    except RecursionError:
        raise ScenarioError(_label(item), path, "a value nested too deep", "values nest a few levels deep at most") from None
    return path, value


def _label(item: str, most: int = 100) -> str:
    """``--set PATH=VALUE`` as given, shortened if very long."""
    text = f"--set {item}"
    return text if len(text) <= most else text[: most - 3] + "..."


def command_line_changes(sets: list[str], steps: int | None = None, seed: int | None = None) -> Changes:
    """The changes ``--set``, ``--steps`` and ``--seed`` ask for, in that order."""
    changes = Changes()
    for item in sets:
        path, value = parse_set(item)
        changes.add(path, value, _label(item))
    if steps is not None:
        changes.add("run.steps", steps, f"--steps {steps}")
    if seed is not None:
        changes.add("run.seed", seed, f"--seed {seed}")
    return changes
