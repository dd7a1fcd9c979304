"""Fixtures for the sweep tests (the cases themselves are in sweep_cases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_cases import write_small


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    return write_small(tmp_path)
