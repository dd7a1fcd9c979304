"""What a sweep runs: the place (``lhe``), or an analytic test function.

A simulator turns validated parameters, a seed and a number of steps into a
run's tables. ``lhe`` is the simulator of local health economies; its
parameters are a :class:`~model.scenario.Scenario`. ``ishigami`` and ``linear``
are functions whose sensitivity indices are known by hand (Ishigami and Homma
1990; a weighted sum): an experiment file that names one sends the same
factors, design, runner, storage and analysis through a case whose answer is
known, which is how the tests check the whole chain (as SALib's own tests do).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.scenario import ScenarioError


class Simulator(Protocol):
    name: str

    def load(self, ref: str | None, relative_to: Path | None) -> Any: ...
    def apply(self, params: Any, changes: dict[str, Any]) -> Any: ...
    def value(self, params: Any, path: str) -> Any: ...
    def resolve(self, params: Any, changes: dict[str, Any], seed: int, steps: int | None) -> Any: ...
    def digest(self, params: Any) -> str: ...
    def describe(self, params: Any) -> dict[str, Any]: ...
    def run(self, params: Any, seed: int) -> tuple[pd.DataFrame, pd.DataFrame | None]: ...
    def steps(self, params: Any) -> int | None: ...


def _lookup(data: Any, path: str, file: str) -> Any:
    node = data
    for part in path.split("."):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(file, path, None, f"has items 0 to {len(node) - 1}")
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node:
                raise ScenarioError(file, path, None, f"no field {part!r} here; known: {', '.join(node)}")
            node = node[part]
        else:
            raise ScenarioError(file, path, None, "a path into the parameters (this part is a single value)")
    return node


class LHESimulator:
    """The local health economy: parameters are a validated Scenario."""

    name = "lhe"

    def load(self, ref: str | None, relative_to: Path | None) -> Any:
        from model.scenario import load_scenario

        if ref is not None and relative_to is not None and ref.endswith(".toml") and not Path(ref).is_absolute():
            candidate = relative_to / ref
            if candidate.is_file():
                ref = str(candidate)
        return load_scenario(ref)

    def apply(self, params: Any, changes: dict[str, Any]) -> Any:
        return params.with_changes(changes) if changes else params

    def value(self, params: Any, path: str) -> Any:
        return _lookup(params.model_dump(mode="python"), path, params.origin)

    def digest(self, params: Any) -> str:
        return params.digest()

    def describe(self, params: Any) -> dict[str, Any]:
        return {"scenario": params.name, "file": params.origin, "digest": params.digest()}

    def steps(self, params: Any) -> int | None:
        return params.run.steps

    def resolve(self, params: Any, changes: dict[str, Any], seed: int, steps: int | None) -> Any:
        """The scenario one run builds: the changes, its seed and its length, validated."""
        full = {**changes, "run.seed": seed}
        if steps is not None:
            full["run.steps"] = steps
        return params.with_changes(full)

    def run(self, params: Any, seed: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        from model.economy import LocalHealthEconomy

        model = LocalHealthEconomy(params)  # the scenario carries the run's seed and steps
        model.run()
        return model.place_table(), model.organisation_table()


# --- analytic test functions ------------------------------------------------------------------
class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)

    def with_changes(self, changes: dict[str, Any], file: str) -> _Params:
        data = self.model_dump()
        for path, value in changes.items():
            if path not in data:
                raise ScenarioError(file, path, value, f"no field {path!r} here; known: {', '.join(data)}")
            data[path] = value
        try:
            return type(self).model_validate(data)
        except ValidationError as e:
            err = e.errors()[0]
            raise ScenarioError(file, ".".join(str(p) for p in err["loc"]), err.get("input"), err["msg"]) from None


class IshigamiParams(_Params):
    """f = sin x1 + a sin^2 x2 + b x3^4 sin x1, each x in [-pi, pi]; plus optional seed noise."""

    x1: float = Field(0.0, ge=-math.pi, le=math.pi)
    x2: float = Field(0.0, ge=-math.pi, le=math.pi)
    x3: float = Field(0.0, ge=-math.pi, le=math.pi)
    a: float = 7.0
    b: float = 0.1
    noise: float = Field(0.0, ge=0.0, description="sd of normal noise drawn from the run's seed")


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """The Ishigami function's first-order and total indices, worked out analytically
    (Ishigami and Homma 1990; Sobol' and Levitan 1999) for x uniform on [-pi, pi]."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)  # 8 b^2 pi^8 / 225
    total = v1 + v2 + v13
    return {"S1": {"x1": v1 / total, "x2": v2 / total, "x3": 0.0},
            "ST": {"x1": (v1 + v13) / total, "x2": v2 / total, "x3": v13 / total}}


class LinearParams(_Params):
    """f = sum of w_i x_i over x1..x4, each x in [0, 1]: Morris mu* of x_i is |w_i| (its elementary effect over the
    whole range), so the factors rank by their weights."""

    x1: float = Field(0.5, ge=0.0, le=1.0)
    x2: float = Field(0.5, ge=0.0, le=1.0)
    x3: float = Field(0.5, ge=0.0, le=1.0)
    x4: float = Field(0.5, ge=0.0, le=1.0)
    w1: float = 10.0
    w2: float = 5.0
    w3: float = 1.0
    w4: float = 0.0


@dataclass(frozen=True)
class FunctionSimulator:
    """A test function of its parameters; its one-row place table holds ``y``."""

    name: str
    params_type: type[_Params]

    def load(self, ref: str | None, relative_to: Path | None) -> Any:
        if ref not in (None, self.name):
            raise ScenarioError(str(ref), "(name)", ref, f"the {self.name} test function takes no scenario (omit it or write {self.name!r})")
        return self.params_type()

    def apply(self, params: Any, changes: dict[str, Any]) -> Any:
        return params.with_changes(changes, self.name) if changes else params

    def value(self, params: Any, path: str) -> Any:
        return _lookup(params.model_dump(), path, self.name)

    def digest(self, params: Any) -> str:
        blob = json.dumps({"simulator": self.name, **params.model_dump()}, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def describe(self, params: Any) -> dict[str, Any]:
        return {"scenario": self.name, "file": None, "digest": self.digest(params)}

    def steps(self, params: Any) -> int | None:
        return None

    def resolve(self, params: Any, changes: dict[str, Any], seed: int, steps: int | None) -> Any:
        return self.apply(params, changes)

    def run(self, params: Any, seed: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        p = params
        if isinstance(p, IshigamiParams):
            y = math.sin(p.x1) + p.a * math.sin(p.x2) ** 2 + p.b * p.x3**4 * math.sin(p.x1)
            if p.noise > 0:
                y += float(np.random.default_rng(seed).normal(0.0, p.noise))
        else:
            y = p.w1 * p.x1 + p.w2 * p.x2 + p.w3 * p.x3 + p.w4 * p.x4
        return pd.DataFrame({"month": [1], "y": [y]}), None


SIMULATORS: dict[str, Simulator] = {
    "lhe": LHESimulator(),
    "ishigami": FunctionSimulator("ishigami", IshigamiParams),
    "linear": FunctionSimulator("linear", LinearParams),
}


def _y(run: Any) -> float:
    return float(run.place["y"].iloc[-1])


def _register_outcomes() -> None:
    from model.experiments.outcomes import OUTCOMES, register

    for name in ("ishigami", "linear"):
        key = f"{name}_y"
        if key not in OUTCOMES:
            register(key, _y, f"{name} function value", simulator=name)


_register_outcomes()
