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


def _label(item: str, most: int = 100, option: str = "--set") -> str:
    """``--set PATH=VALUE`` (or another option's) as given, shortened if very long."""
    text = f"{option} {item}"
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


ACROSS_FORM = "PATH=V1,V2 with up to four values, e.g. net_health.council_cost_per_qaly=3800,54224 (each value TOML)"
ACROSS_MOST = 4  # the settings a comparison's chart draws side by side


@dataclass(frozen=True)
class Across:
    """``--across PATH=V1,V2,...``: one parameter and the settings a comparison is run under, each labelled as
    it was written."""

    path: str
    values: tuple[Any, ...]
    labels: tuple[str, ...]
    given: str

    @property
    def option(self) -> str:
        return _label(self.given, option="--across")

    def check(self, scenario_ref: Any) -> None:
        """Each setting applied to the scenario, so a value it refuses is reported against the option."""
        from model.scenario import load_scenario

        scenario = load_scenario(scenario_ref)
        for value in self.values:
            scenario.with_changes({self.path: value}, given_as={self.path: self.option})


def _split_values(raw: str) -> list[str]:
    """``raw`` split at its commas outside brackets, braces and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(raw):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def parse_across(item: str) -> Across:
    """One ``--across PATH=V1,V2,...``: the path and two to four distinct values, each read as ``--set`` reads one."""
    path, eq, raw = item.partition("=")
    path = path.strip()
    option = _label(item, option="--across")
    if not eq or not path:
        raise ScenarioError("--across", "(PATH=V1,V2)", item, f"{ACROSS_FORM} is allowed")
    labels = _split_values(raw)
    if any(not label for label in labels):
        raise ScenarioError(option, path, raw, f"values separated by commas, none empty: {ACROSS_FORM}")
    try:
        values = [parse_set(f"{path}={label}")[1] for label in labels]
    except ScenarioError as e:
        raise ScenarioError(option, e.field, e.value, e.allowed) from None
    if not 2 <= len(values) <= ACROSS_MOST:
        raise ScenarioError(option, path, raw, f"two to four values are allowed; got {len(values)}")
    for i, v in enumerate(values):
        if any(v == w and isinstance(v, bool) == isinstance(w, bool) for w in values[:i]):
            raise ScenarioError(option, path, labels[i], "each value once: it is given twice")
    return Across(path=path, values=tuple(values), labels=tuple(labels), given=item)
