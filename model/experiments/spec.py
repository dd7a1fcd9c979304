"""Experiment files (``experiments/*.toml``): a base place, factors, a design, seeds and outcomes.

An experiment file is data, never code, validated once at the edge like a
scenario: bad input raises :class:`ExperimentError`, which names the file, the
field, the value and what is allowed (``lhe`` exits 2). Before any run, every
range's ends, every level and every arrangement is applied to the base place
and validated, so a sweep never fails halfway for a value it could have refused
at the start.

```toml
name = "sobol-baseline"
description = "What drives the place's balance?"
outcomes = ["place_balance", "share_collaborative"]   # names from model.experiments.outcomes (default: all)
keep_monthly = false                                  # keep each run's monthly tables too

[base]
scenario = "baseline"                 # a scenario name, or a file (relative to this one)
steps = 24                            # months per run (default: the scenario's)
changes = { "population.size" = 5000 }  # fixed changes at every point, by dotted path

[seeds]                               # the same seeds at every point (common random numbers)
first = 1
count = 4                             # or: list = [1, 2, 3]

[design]
kind = "sobol"                        # factorial | lhs | sobol | morris
size = 64                             # sobol: N, a power of 2; lhs: points; morris: trajectories
seed = 42                             # the sampler's seed

[[factors]]                           # a range
name = "allocation_growth"
path = "money.allocation_growth"
range = [0.0, 0.03]

[[factors]]                           # levels
name = "hospital_0"
path = "hospitals.0.strategy"
levels = ["fortress", "collaborative"]

[[factors]]                           # several paths moved together by one scale
name = "tariff_scale"
paths = ["tariff.elective_spell", "tariff.emergency_spell"]
scale = [0.9, 1.1]

[[factors]]                           # a categorical factor over lhe compare's arrangements
name = "arrangement"
arrangements = ["pbr", "block", "alliance"]
```
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.scenario import ScenarioError

DESIGNS = ("factorial", "lhs", "sobol", "morris")
EXPERIMENT_DIRS = [
    Path(__file__).resolve().parent.parent.parent / "experiments",  # a checkout
    Path(__file__).resolve().parent.parent / "_experiments",  # an installed wheel
]
MAX_RUNS = 1_000_000  # a guard against a typo in a size: more runs than this is refused


class ExperimentError(ScenarioError):
    """An experiment file that cannot be used, said in terms of the file and the field."""


Scalar = bool | int | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class BaseSpec(_Strict):
    scenario: str | None = Field(None, description="the base place: a scenario name or file (default: baseline)")
    steps: int | None = Field(None, ge=1, le=1200, description="months per run (default: the scenario's)")
    changes: dict[str, Any] = Field(default_factory=dict, description="fixed changes by dotted path")


class SeedsSpec(_Strict):
    first: int = Field(1, ge=0, description="the first seed")
    count: int | None = Field(None, ge=1, le=10_000, description="how many seeds, from first on")
    given: list[Annotated[int, Field(ge=0)]] | None = Field(None, alias="list", min_length=1,
                                                            description="the seeds, explicitly")

    @model_validator(mode="after")
    def _one(self) -> SeedsSpec:
        if (self.count is None) == (self.given is None):
            raise ValueError("give either count (with first) or list, not both or neither")
        if self.given is not None and len(set(self.given)) != len(self.given):
            raise ValueError("each seed may be given once")
        return self

    def values(self) -> list[int]:
        return list(self.given) if self.given is not None else list(range(self.first, self.first + self.count))


class DesignSpec(_Strict):
    kind: Literal["factorial", "lhs", "sobol", "morris"]
    size: int | None = Field(None, ge=1, le=1_000_000,
                             description="sobol: N, a power of 2; lhs: points; morris: trajectories; factorial: none")
    seed: int = Field(0, ge=0, description="the sampler's seed")
    second_order: bool = Field(False, description="sobol: second-order indices too (N*(2D+2) points instead of N*(D+2))")
    levels: int = Field(4, ge=2, le=20, description="morris: levels of the grid")

    @model_validator(mode="after")
    def _size(self) -> DesignSpec:
        if self.kind == "factorial":
            if self.size is not None:
                raise ValueError("a factorial design has no size: its points are every combination of levels")
        elif self.size is None:
            raise ValueError(f"a {self.kind} design needs a size")
        if self.kind == "sobol" and self.size & (self.size - 1):
            raise ValueError(f"a sobol design's size N must be a power of 2 (got {self.size}; e.g. {1 << self.size.bit_length()})")
        return self


class FactorSpec(_Strict):
    name: str
    path: str | None = None
    paths: list[str] | None = Field(None, min_length=1)
    range: list[float] | None = Field(None, min_length=2, max_length=2)
    levels: list[Scalar] | None = Field(None, min_length=1)
    scale: list[float] | None = Field(None, min_length=2, max_length=2)
    arrangements: list[str] | None = Field(None, min_length=1)
    grid: int | None = Field(None, ge=2, le=1000, description="factorial: points across a range or scale")

    @model_validator(mode="after")
    def _kind(self) -> FactorSpec:
        if not self.name.isidentifier():
            raise ValueError("a factor's name is a Python identifier (letters, digits, underscores)")
        kinds = [k for k in ("range", "levels", "scale", "arrangements") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of range, levels, scale or arrangements")
        kind = kinds[0]
        if kind in ("range", "levels") and (self.path is None or self.paths is not None):
            raise ValueError(f"a {kind} factor moves one path: give path (not paths)")
        if kind == "scale" and (self.paths is None or self.path is not None):
            raise ValueError("a scale factor moves several paths together: give paths (not path)")
        if kind == "arrangements" and (self.path is not None or self.paths is not None):
            raise ValueError("an arrangements factor sets its own paths: give no path")
        for pair in (self.range, self.scale):
            if pair is not None:
                if not all(math.isfinite(v) for v in pair) or pair[0] >= pair[1]:
                    raise ValueError(f"[low, high] with low < high, both finite (got {pair})")
        if self.scale is not None and self.scale[0] <= 0:
            raise ValueError(f"a scale multiplies the base values: positive scales only (got {self.scale})")
        if kind in ("levels", "arrangements"):
            values = getattr(self, kind)
            if len({json.dumps(v) for v in values}) != len(values):
                raise ValueError("each level may be given once")
            if self.grid is not None:
                raise ValueError("grid is for a range or a scale; levels are the grid")
        if self.levels is not None and any(isinstance(v, float) and not math.isfinite(v) for v in self.levels):
            raise ValueError("levels must be finite")
        return self


class ExperimentSpec(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    simulator: Literal["lhe", "ishigami", "linear"] = "lhe"
    outcomes: list[str] | None = Field(None, min_length=1)
    keep_monthly: bool = False
    base: BaseSpec = BaseSpec()
    seeds: SeedsSpec = SeedsSpec(count=1)
    design: DesignSpec
    factors: list[FactorSpec] = Field(min_length=1)


# --- factors -------------------------------------------------------------------------------------
@dataclass
class Factor:
    """A validated factor: how a value in [0, 1] (or a level) becomes changes to the base."""

    name: str
    kind: str  # range | levels | scale | arrangements
    paths: list[str]
    low: float = 0.0
    high: float = 1.0
    levels: list[Any] = field(default_factory=list)
    grid: int | None = None
    integer: list[bool] = field(default_factory=list)  # per path: the base value is a whole number
    base_values: list[float] = field(default_factory=list)  # scale: each path's base value
    arrangement_changes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def categorical(self) -> bool:
        return self.kind in ("levels", "arrangements")

    def from_unit(self, u: float) -> Any:
        if self.categorical:
            k = len(self.levels)
            return self.levels[min(int(u * k), k - 1)]
        value = self.low + float(u) * (self.high - self.low)
        if self.kind == "range" and self.integer[0]:
            return int(round(value))
        return value

    def factorial_values(self) -> list[Any]:
        if self.categorical:
            return list(self.levels)
        vals = [self.low + (self.high - self.low) * i / (self.grid - 1) for i in range(self.grid)]
        return [int(round(v)) for v in vals] if self.kind == "range" and self.integer[0] else vals

    def changes(self, value: Any) -> dict[str, Any]:
        if self.kind == "arrangements":
            return self.arrangement_changes[value]
        if self.kind == "scale":
            return {p: (int(round(b * value)) if whole else b * value)
                    for p, b, whole in zip(self.paths, self.base_values, self.integer, strict=True)}
        return {self.paths[0]: value}

    def extremes(self) -> list[Any]:
        return list(self.levels) if self.categorical else [self.from_unit(0.0), self.from_unit(1.0)]

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "paths": self.paths}
        if self.categorical:
            out["levels"] = self.levels
        else:
            out["range"] = [self.low, self.high]
        return out


# --- the experiment ------------------------------------------------------------------------------
@dataclass
class Experiment:
    """A validated experiment: its file's text, the base place, factors, design, seeds and outcomes."""

    spec: ExperimentSpec
    file: str
    text: str
    base: Any  # the simulator's validated base parameters
    factors: list[Factor]
    outcomes: list[str]
    steps: int | None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def simulator(self) -> str:
        return self.spec.simulator

    @property
    def seeds(self) -> list[int]:
        return self.spec.seeds.values()

    @property
    def fixed(self) -> dict[str, Any]:
        return dict(self.spec.base.changes)

    def content_hash(self) -> str:
        """A hash of what the file says (not of its comments or layout)."""
        return _hash(self.spec.model_dump(mode="json", by_alias=True))

    def base_digest(self) -> str:
        from model.experiments.simulators import SIMULATORS

        return SIMULATORS[self.simulator].digest(self.base)

    def problem(self) -> dict[str, Any]:
        """SALib's problem: every factor on [0, 1] (values are mapped from there)."""
        return {"num_vars": len(self.factors), "names": [f.name for f in self.factors],
                "bounds": [[0.0, 1.0]] * len(self.factors)}

    def design(self) -> pd.DataFrame:
        """One row per point: ``point``, each factor's value and its unit coordinate ``u_<name>``."""
        d = self.spec.design
        names = [f.name for f in self.factors]
        if d.kind == "factorial":
            import itertools

            combos = list(itertools.product(*(range(len(f.factorial_values())) for f in self.factors)))
            rows = []
            for combo in combos:
                row: dict[str, Any] = {}
                for f, i in zip(self.factors, combo, strict=True):
                    vals = f.factorial_values()
                    row[f.name] = vals[i]
                    row[f"u_{f.name}"] = i / max(len(vals) - 1, 1)
                rows.append(row)
            frame = pd.DataFrame(rows)
        else:
            unit = self._unit_sample()
            frame = pd.DataFrame({f"u_{n}": unit[:, i] for i, n in enumerate(names)})
            for i, f in enumerate(self.factors):
                frame[f.name] = [f.from_unit(u) for u in unit[:, i]]
            frame = frame[[c for n in names for c in (n, f"u_{n}")]]
        frame.insert(0, "point", np.arange(len(frame), dtype="int64"))
        return frame

    def _unit_sample(self) -> np.ndarray:
        d = self.spec.design
        problem = self.problem()
        if d.kind == "lhs":
            from SALib.sample import latin

            return latin.sample(problem, d.size, seed=d.seed)
        if d.kind == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, d.size, calc_second_order=d.second_order, scramble=True, seed=d.seed)
        from SALib.sample import morris

        return morris.sample(problem, d.size, num_levels=d.levels, seed=d.seed)

    def point_count(self) -> int:
        d, k = self.spec.design, len(self.factors)
        if d.kind == "factorial":
            return math.prod(len(f.factorial_values()) for f in self.factors)
        if d.kind == "sobol":
            return d.size * (2 * k + 2 if d.second_order else k + 2)
        if d.kind == "morris":
            return d.size * (k + 1)
        return d.size

    def point_changes(self, row: Any) -> dict[str, Any]:
        changes = dict(self.fixed)
        for f in self.factors:
            changes.update(f.changes(_plain(row[f.name])))
        return changes

    def run_id(self, changes: dict[str, Any], seed: int) -> str:
        return run_id(self.simulator, self.base_digest(), changes, seed, self.steps)

    def plan(self, design: pd.DataFrame | None = None) -> pd.DataFrame:
        """One row per run: ``point``, ``seed``, ``run_id`` (points in design order, seeds in order)."""
        design = self.design() if design is None else design
        digest = self.base_digest()
        rows = []
        for row in design.itertuples(index=False):
            changes = self.point_changes(row._asdict())
            for s in self.seeds:
                rows.append((int(row.point), int(s), run_id(self.simulator, digest, changes, s, self.steps)))
        return pd.DataFrame(rows, columns=["point", "seed", "run_id"])

    def describe(self) -> dict[str, Any]:
        d = self.spec.design
        return {"kind": d.kind, "size": d.size, "sampler_seed": d.seed, "second_order": d.second_order,
                "levels": d.levels, "points": self.point_count(), "factors": [f.describe() for f in self.factors]}


def run_id(simulator: str, base_digest: str, changes: dict[str, Any], seed: int, steps: int | None) -> str:
    """A run's identity: the base place's digest, the changes, the seed and the steps (not where it sits in
    a design), so adding seeds or growing a Sobol sample finds the runs already done."""
    return _hash({"simulator": simulator, "base": base_digest, "changes": _plain(changes), "seed": int(seed),
                  "steps": steps})[:20]


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """NumPy scalars and containers as plain Python values (for hashing, TOML and JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- loading and validation ----------------------------------------------------------------------
def experiment_path(ref: str | Path) -> Path:
    p = Path(ref)
    if p.suffix == ".toml" or p.parent != Path("."):
        if not p.is_file():
            raise ExperimentError(str(p), "(file)", str(p), "no such experiment file")
        return p
    for d in EXPERIMENT_DIRS:
        if (d / f"{p.name}.toml").is_file():
            return d / f"{p.name}.toml"
    known = sorted(q.stem for d in EXPERIMENT_DIRS if d.is_dir() for q in d.glob("*.toml"))
    raise ExperimentError(str(ref), "(name)", str(ref), f"no experiment of that name; known: {', '.join(known) or 'none'}")


def load_experiment(ref: str | Path) -> Experiment:
    """Read and validate an experiment file; every range end, level and arrangement is tried on the base."""
    path = experiment_path(ref)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ExperimentError(file, "(file)", file, f"cannot be read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ExperimentError(file, "(file)", "<binary>", "an experiment is UTF-8 TOML text") from None
    if not text.strip():
        raise ExperimentError(file, "(file)", "", "the file is empty; an experiment needs a name, a design and factors")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ExperimentError(file, "(TOML syntax)", text.strip().splitlines()[0][:60], f"not valid TOML: {e}") from None
    return experiment_from_data(data, file, text, path.parent)


def experiment_from_data(data: dict[str, Any], file: str, text: str = "", folder: Path | None = None) -> Experiment:
    from model.experiments import outcomes as registry
    from model.experiments.simulators import SIMULATORS

    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "no such field here (check the spelling)"
        elif err["type"] == "missing":
            msg = "this field is required"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        raise ExperimentError(file, loc, err.get("input", "(nothing)") if err["type"] != "missing" else "(nothing)", msg) from None

    sim = SIMULATORS[spec.simulator]
    try:
        base = sim.load(spec.base.scenario, folder)
    except ScenarioError as e:
        raise ExperimentError(file, "base.scenario", spec.base.scenario, f"a scenario that loads ({e})") from None
    try:
        fixed = sim.apply(base, dict(spec.base.changes))
    except ScenarioError as e:
        raise ExperimentError(file, f"base.changes.{e.field}", e.value, e.allowed) from None

    known = registry.for_simulator(spec.simulator)
    outcomes = list(spec.outcomes) if spec.outcomes is not None else known
    for i, name in enumerate(outcomes):
        if name not in known:
            raise ExperimentError(file, f"outcomes.{i}", name, f"an outcome of the {spec.simulator} simulator: {', '.join(known)}")
    if len(set(outcomes)) != len(outcomes):
        raise ExperimentError(file, "outcomes", outcomes, "each outcome may be named once")

    factors: list[Factor] = []
    seen_names: set[str] = set()
    seen_paths: dict[str, str] = {}
    for i, fs in enumerate(spec.factors):
        where = f"factors.{i}"
        if fs.name in seen_names:
            raise ExperimentError(file, f"{where}.name", fs.name, "each factor's name may be used once")
        seen_names.add(fs.name)
        factor = _factor(fs, base, fixed, sim, file, where, spec)
        for p in factor.paths:
            if p in seen_paths:
                raise ExperimentError(file, where, p, f"a path may be moved by one factor only; {seen_paths[p]!r} moves it too")
            seen_paths[p] = fs.name
        if p_fixed := sorted(set(factor.paths) & set(spec.base.changes)):
            raise ExperimentError(file, where, p_fixed[0], "a path a factor moves cannot also be a fixed change in base.changes")
        for value in factor.extremes():
            try:
                sim.apply(fixed, factor.changes(value))
            except ScenarioError as e:
                what = "level" if factor.categorical else "range end"
                raise ExperimentError(file, f"{where}.{_field_of(fs)}", value,
                                      f"every {what} must give a valid {spec.simulator} place; "
                                      f"{e.field} = {e.value!r} is refused: {e.allowed}") from None
        factors.append(factor)

    exp = Experiment(spec, file, text, base, factors, outcomes, spec.base.steps if spec.base.steps else sim.steps(base))
    total = exp.point_count() * len(spec.seeds.values())
    if total > MAX_RUNS:
        raise ExperimentError(file, "design.size", spec.design.size, f"at most {MAX_RUNS:,} runs (this design has {total:,})")
    return exp


def _field_of(fs: FactorSpec) -> str:
    return next(k for k in ("range", "levels", "scale", "arrangements") if getattr(fs, k) is not None)


def _factor(fs: FactorSpec, base: Any, fixed: Any, sim: Any, file: str, where: str, spec: ExperimentSpec) -> Factor:
    design = spec.design.kind
    if fs.arrangements is not None:
        if spec.simulator != "lhe":
            raise ExperimentError(file, f"{where}.arrangements", fs.arrangements, "arrangements are places' payment arrangements: simulator lhe only")
        from model.compare import check_names, plan

        try:
            check_names(fs.arrangements, fixed, f"{file}: {where}.arrangements")
            p = plan(base.origin, fs.arrangements, 1, changes=dict(spec.base.changes))
        except ScenarioError as e:
            raise ExperimentError(file, f"{where}.arrangements", e.value, e.allowed) from None
        changes = {a: {k: v for k, v in p.changes[a].items() if k not in spec.base.changes} for a in fs.arrangements}
        return Factor(fs.name, "arrangements", [], levels=list(fs.arrangements), arrangement_changes=changes)

    paths = [fs.path] if fs.path is not None else list(fs.paths)
    values = []
    for p in paths:
        try:
            values.append(sim.value(fixed, p))
        except ScenarioError as e:
            raise ExperimentError(file, f"{where}.path" + ("s" if fs.paths else ""), p, e.allowed) from None
    if fs.levels is not None:
        return Factor(fs.name, "levels", paths, levels=list(fs.levels))
    if design == "factorial" and fs.grid is None:
        raise ExperimentError(file, f"{where}.grid", None, "a factorial design needs grid = N (points across the range) for a range or scale factor")
    integer = []
    for p, v in zip(paths, values, strict=True):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ExperimentError(file, f"{where}.path" + ("s" if fs.paths else ""), p,
                                  f"a range or scale moves a number; this path holds {v!r}: use levels")
        integer.append(isinstance(v, int))
    if fs.range is not None:
        return Factor(fs.name, "range", paths, fs.range[0], fs.range[1], grid=fs.grid, integer=integer)
    return Factor(fs.name, "scale", paths, fs.scale[0], fs.scale[1], grid=fs.grid, integer=integer,
                  base_values=[float(v) for v in values])
