"""The documentation's chart tools (tools/*_charts.py) still import against the model and the
pattern settings, and the scenario charts cover every file in scenarios/. Running them takes
minutes (make pattern-charts, make scenario-charts); this only catches a name gone missing."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"tool_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["pattern_charts", "scenario_charts", "experiment_charts"])
def test_a_chart_tool_imports(name):
    assert callable(load(name).main)


def test_the_scenario_charts_document_every_scenario_file():
    files = {p.stem for p in (ROOT / "scenarios").glob("*.toml")}
    assert set(load("scenario_charts").cases()) == files
