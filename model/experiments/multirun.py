"""Output folders of ``lhe run --seeds`` and ``lhe compare``: resumed, never mixed with other results.

Before any run, the command's plan (scenario digest, changes, seeds, steps,
arrangements) is written to ``plan.json`` in its folder. Run again into the
same folder with the same plan, the command keeps each run whose folder has its
completion record and runs only the rest; into a folder that holds anything
else it refuses and says so (nothing is overwritten, no stale seed is left
beside new ones). Each run's folder gets ``COMPLETE.json`` after its tables;
the command's folder gets one last, when every run has finished.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.experiments.spec import _hash, _plain
from model.outputs import COMPLETE, is_complete, mark_complete, write_json

PLAN = "plan.json"


class FolderInUse(ValueError):
    """An output folder that holds other results."""


def run_key(spec: Any) -> str:
    """What identifies a run of these commands: its scenario's digest, changes, seed and steps."""
    base = spec.scenario.digest() if hasattr(spec.scenario, "digest") else str(spec.scenario)
    return _hash({"base": base, "changes": _plain(spec.changes), "seed": spec.seed, "steps": spec.steps})[:20]


def prepare(out: Path, command: str, record: dict[str, Any]) -> bool:
    """Check ``out`` before any work: True to resume a folder of the same plan; refuse one holding anything else."""
    record = {"command": command, **_plain(record)}
    plan_file = out / PLAN
    if out.exists() and not out.is_dir():
        raise FolderInUse(f"--out: got {str(out)!r}; a folder is allowed, not a file")
    if plan_file.is_file():
        old = json.loads(plan_file.read_text())
        if old != record:
            changed = sorted(k for k in set(old) | set(record) if old.get(k) != record.get(k))
            raise FolderInUse(f"--out: {out} holds the results of another `lhe {old.get('command')}` "
                              f"(it differs in: {', '.join(changed)}); choose another --out. Nothing was run or overwritten.")
        return True
    if out.exists() and any(out.iterdir()):
        raise FolderInUse(f"--out: {out} exists and holds other files; choose a new or empty folder. "
                          "Nothing was run or overwritten.")
    write_json(plan_file, record)
    return False


def finished(folder: Path, key: str) -> bool:
    if not is_complete(folder):
        return False
    return json.loads((folder / COMPLETE).read_text()).get("run") == key


def mark_run(folder: Path, key: str, seconds: float, worker: str) -> None:
    mark_complete(folder, {"run": key, "seconds": round(seconds, 3), "worker": worker})
