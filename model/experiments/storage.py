"""A sweep's folder: results streamed to disk, resumable, never overwritten.

```
DIR/manifest.json          the experiment (text and hash), design, sampler seed, base digest, commit,
                           package versions, and one entry per session (executor, start, end, status)
DIR/experiment.toml        the experiment file as first run (later versions: experiment-<hash>.toml)
DIR/design.parquet         one row per point: factor values and unit coordinates
DIR/plan.parquet           one row per planned run: point, seed, run_id
DIR/runs/part-SSS-NNNNN.parquet   one row per finished run: run_id, point, seed, status, seconds,
                           worker, session, error, factor values, outcomes
DIR/monthly/place/point=P/seed=S/part-0.parquet (and organisations/...)   with keep_monthly
DIR/COMPLETE.json          written last, once every planned run has finished
```

Only the driver writes. Part files and monthly tables are written under a
temporary name and renamed into place (:mod:`model.outputs`), so a kill
loses at most the rows not yet flushed, and no reader ever sees half a file.
Rows are keyed by run id (:func:`model.experiments.spec.run_id`), so a resumed
or extended sweep runs only what is missing; :func:`load_runs` takes each run
once (its finished row if there is one).
"""

from __future__ import annotations

import getpass
import json
import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from model.outputs import (
    COMPLETE,
    is_complete,
    mark_complete,
    write_json,
    write_parquet,
    write_text,
)

MANIFEST = "manifest.json"
FORMAT = 1
PACKAGES = ("lhe", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "scipy", "SALib", "dask", "distributed")
# When the driver writes a part file: after FLUSH_RUNS rows if FLUSH_MIN_SECONDS have passed (quick runs
# make fewer, bigger files), or after FLUSH_SECONDS whatever the count. A kill loses at most that much work.
FLUSH_RUNS = 25
FLUSH_MIN_SECONDS = 2.0
FLUSH_SECONDS = 10.0


class StoreError(ValueError):
    """A sweep folder that cannot take this experiment (with what to do instead)."""


def git_commit() -> str | None:
    try:
        here = Path(__file__).resolve().parent
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        if res.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return res.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def package_versions() -> dict[str, str | None]:
    out = {}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def read_manifest(root: Path | str) -> dict[str, Any]:
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise StoreError(f"{root}: no {MANIFEST}; this is not a sweep folder (lhe sweep FILE --out {root} makes one)")
    return json.loads(path.read_text())


def _changed_fields(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for k in sorted(set(old) | set(new)):
        path = f"{prefix}{k}"
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _changed_fields(a, b, path + ".")
        elif a != b:
            out.append(f"{path}: {json.dumps(a)} -> {json.dumps(b)}")
    return out


EXTENDABLE = ("seeds", "design.size")


class Store:
    """The driver's writer for one sweep folder."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = root
        self.manifest = manifest
        self.session = len(manifest["sessions"]) - 1
        self._rows: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._part = 0
        self.flush_runs = FLUSH_RUNS
        self.flush_min_seconds = FLUSH_MIN_SECONDS
        self.flush_seconds = FLUSH_SECONDS
        self.written = 0
        self.failed = 0

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str, experiment: Any, executor: dict[str, Any], *, extend: bool = False) -> Store:
        """Open ``root`` for ``experiment``: create it, resume it, or (with ``extend``) grow it.

        Refuses, saying why, a folder that holds something else, a changed
        experiment (unless ``extend`` and only its seeds or design size changed)
        or a base place whose parameters changed since the sweep began.
        """
        root = Path(root)
        spec = experiment.spec.model_dump(mode="json", by_alias=True)
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        session = {"started": now, "ended": None, "status": "running", "executor": executor, "pid": os.getpid(),
                   "host": platform.node(), "user": _user(), "experiment_hash": experiment.content_hash()}
        design = experiment.design()
        plan = experiment.plan(design)
        if (root / MANIFEST).is_file():
            manifest = read_manifest(root)
            old = manifest["experiment"]
            if old["hash"] != experiment.content_hash():
                changed = _changed_fields(old["spec"], spec)
                movable = all(c.split(":")[0].startswith(EXTENDABLE) for c in changed)
                if not (extend and movable):
                    hint = ("run again with --extend to add them, reusing every finished run"
                            if movable else "only seeds and design.size can change in place (--extend)")
                    raise StoreError(
                        f"{root} holds the sweep of {old['file']} as it was (hash {old['hash'][:12]}); "
                        f"{experiment.file} has changed since: {'; '.join(changed)}. {hint}; "
                        f"or choose another --out. Nothing was run or overwritten.")
                write_text(root / f"experiment-{experiment.content_hash()[:12]}.toml", experiment.text)
                manifest.setdefault("history", []).append({"hash": old["hash"], "spec": old["spec"], "until": now})
            if manifest["base"]["digest"] != experiment.base_digest():
                raise StoreError(
                    f"{root}: the base place's parameters have changed since this sweep began (digest "
                    f"{manifest['base']['digest']} then, {experiment.base_digest()} now: was its scenario file edited?); "
                    "finished runs would not match new ones. Restore the scenario or choose another --out.")
        else:
            if root.exists() and any(p.name != ".DS_Store" for p in root.iterdir()):
                raise StoreError(f"{root} exists and is not a sweep folder (no {MANIFEST}); choose another --out. "
                                 "Nothing was run or overwritten.")
            manifest = {"format": FORMAT, "sessions": [], "created": now}
            write_text(root / "experiment.toml", experiment.text)
        from model.experiments.simulators import SIMULATORS

        manifest.update({
            "experiment": {"name": experiment.name, "file": experiment.file, "hash": experiment.content_hash(),
                           "text": experiment.text, "spec": spec},
            "simulator": experiment.simulator,
            "base": {**SIMULATORS[experiment.simulator].describe(experiment.base), "fixed_changes": experiment.fixed,
                     "steps": experiment.steps},
            "design": experiment.describe(),
            "sampler_seed": experiment.spec.design.seed,
            "seeds": experiment.seeds,
            "outcomes": experiment.outcomes,
            "keep_monthly": experiment.spec.keep_monthly,
            "runs_planned": int(plan["run_id"].nunique()),
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "packages": package_versions(),
        })
        manifest["sessions"].append(session)
        write_parquet(root / "design.parquet", design)
        write_parquet(root / "plan.parquet", plan)
        write_json(root / MANIFEST, manifest)
        store = cls(root, manifest)
        store.plan = plan
        store.design = design
        return store

    # -- writing ---------------------------------------------------------------------------------
    def add(self, row: dict[str, Any], place: pd.DataFrame | None = None, organisations: pd.DataFrame | None = None) -> None:
        """Take one finished run's row (written with the next flush) and its monthly tables (written now)."""
        if place is not None:
            folder = f"point={row['point']}/seed={row['seed']}"
            write_parquet(self.root / "monthly" / "place" / folder / "part-0.parquet", place)
            if organisations is not None:
                write_parquet(self.root / "monthly" / "organisations" / folder / "part-0.parquet", organisations)
        row = {**row, "session": self.session}
        self._rows.append(row)
        if row["status"] != "ok":
            self.failed += 1
        waited = time.monotonic() - self._last_flush
        if (len(self._rows) >= self.flush_runs and waited >= self.flush_min_seconds) or waited >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the rows taken since the last flush as one part file (renamed into place whole)."""
        self._last_flush = time.monotonic()
        if not self._rows:
            return
        frame = pd.DataFrame(self._rows)
        while True:
            path = self.root / "runs" / f"part-{self.session:03d}-{self._part:05d}.parquet"
            self._part += 1
            if not path.exists():
                break
        write_parquet(path, frame)
        self.written += len(self._rows)
        self._rows = []

    def finish(self, status: str) -> bool:
        """Flush, record how the session ended; mark the folder complete if every planned run finished."""
        self.flush()
        session = self.manifest["sessions"][self.session]
        session.update({"ended": time.strftime("%Y-%m-%dT%H:%M:%S"), "status": status,
                        "runs_written": self.written, "runs_failed": self.failed})
        write_json(self.root / MANIFEST, self.manifest)
        done = finished_ids(self.root)
        missing = set(self.plan["run_id"]) - done
        if not missing and status == "finished":
            mark_complete(self.root, {"runs": len(set(self.plan["run_id"])), "experiment_hash": self.manifest["experiment"]["hash"],
                                      "finished": session["ended"]})
            return True
        if missing and is_complete(self.root):
            (self.root / COMPLETE).unlink()  # an extended sweep is no longer complete until its new runs are in
        return False


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


# --- reading ---------------------------------------------------------------------------------------
def part_files(root: Path | str) -> list[Path]:
    runs = Path(root) / "runs"
    return sorted(p for p in runs.glob("part-*.parquet")) if runs.is_dir() else []


def load_runs(root: Path | str) -> pd.DataFrame:
    """Every stored run once: its finished row if it has one, else its latest failed one."""
    parts = [pd.read_parquet(p) for p in part_files(root)]
    if not parts:
        return pd.DataFrame(columns=["run_id", "point", "seed", "status", "seconds", "worker", "session", "error"])
    runs = pd.concat(parts, ignore_index=True)
    runs["_order"] = range(len(runs))
    runs["_ok"] = runs["status"] == "ok"
    runs = runs.sort_values(["_ok", "_order"]).drop_duplicates("run_id", keep="last")
    return runs.sort_values("_order").drop(columns=["_order", "_ok"]).reset_index(drop=True)


def finished_ids(root: Path | str) -> set[str]:
    ids: set[str] = set()
    for p in part_files(root):
        t = pd.read_parquet(p, columns=["run_id", "status"])
        ids.update(t.loc[t["status"] == "ok", "run_id"])
    return ids


def results(root: Path | str) -> pd.DataFrame:
    """The current plan joined to the stored runs: one row per planned (point, seed), with factor values,
    status (``missing`` for a run not yet done) and outcomes."""
    root = Path(root)
    manifest = read_manifest(root)
    plan = pd.read_parquet(root / "plan.parquet")
    design = pd.read_parquet(root / "design.parquet")
    runs = load_runs(root)
    keep = ["run_id", "status", "seconds", "worker", "error", *[o for o in manifest["outcomes"] if o in runs.columns]]
    out = plan.merge(design, on="point", how="left").merge(runs[keep], on="run_id", how="left")
    out["status"] = out["status"].fillna("missing")
    return out


def monthly(root: Path | str, table: str = "place") -> pd.DataFrame:
    """The kept monthly tables, with ``point`` and ``seed`` columns (empty without keep_monthly)."""
    folder = Path(root) / "monthly" / table
    if not folder.is_dir():
        return pd.DataFrame()
    frames = []
    for f in sorted(folder.glob("point=*/seed=*/part-0.parquet")):
        point = int(f.parent.parent.name.split("=", 1)[1])
        seed = int(f.parent.name.split("=", 1)[1])
        frames.append(pd.read_parquet(f).assign(point=point, seed=seed))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
