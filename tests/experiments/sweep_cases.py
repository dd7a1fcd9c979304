"""Small experiments for the sweep tests: a place of 2,000 people over 12 months (or ``steps``), a few points and seeds."""

from __future__ import annotations

from pathlib import Path

SMALL_PLACE = """
name = "small-place"
outcomes = ["place_balance", "share_collaborative", "waiting_list"]
keep_monthly = {keep_monthly}

[base]
scenario = "baseline"
steps = {steps}
changes = {{ "population.size" = 2000 }}

[seeds]
first = 1
count = {seeds}

[design]
kind = "lhs"
size = {size}
seed = 3

[[factors]]
name = "growth"
path = "money.allocation_growth"
range = [0.0, 0.03]

[[factors]]
name = "hospital_0"
path = "hospitals.0.strategy"
levels = ["fortress", "collaborative"]

[[factors]]
name = "tariff"
paths = ["tariff.elective_spell", "tariff.emergency_spell"]
scale = [0.9, 1.1]
"""


def write_small(folder: Path, *, size: int = 4, seeds: int = 2, keep_monthly: bool = False, name: str = "small.toml",
                steps: int = 12) -> Path:
    path = folder / name
    path.write_text(SMALL_PLACE.format(size=size, seeds=seeds, keep_monthly=str(keep_monthly).lower(), steps=steps))
    return path


def quiet(text: str) -> None:
    """A sweep's plan, not printed in tests."""
