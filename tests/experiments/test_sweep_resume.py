"""Streamed, resumable sweeps: a SIGKILL (part-way, or while a part file is being written) loses at most the
runs in flight; the same command again runs only what is missing, and every run is then present once and
identical to the same run of an uninterrupted sweep. A changed experiment file is refused; seeds added with
--extend reuse every finished run. No worker outlives its driver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sweep_cases import quiet, write_small

from model.cli import main
from model.experiments.runner import Inline
from model.experiments.spec import load_experiment
from model.experiments.storage import finished_ids, load_runs, part_files, read_manifest, results
from model.experiments.sweep import Interrupted, _Signals, run_sweep

OUTCOMES = ["place_balance", "share_collaborative", "waiting_list"]
SIZE, SEEDS = 8, 3  # 24 runs
POLL_LIMIT = 240.0  # seconds to wait for what a test polls for before failing


def _poll(what, limit: float = POLL_LIMIT, every: float = 0.02):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"waited {limit} s for {what.__doc__ or what}")


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _gone(pids: list[int]) -> bool:
    """every process of the killed sweep has exited"""
    alive = []
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return not alive


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The same experiment, uninterrupted, in this process."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = load_experiment(write_small(folder, size=SIZE, seeds=SEEDS))
    assert run_sweep(experiment, folder / "out", executor=Inline(), progress=False, say=quiet).complete
    runs = load_runs(folder / "out")
    assert len(runs) == SIZE * SEEDS
    return runs.set_index("run_id")[OUTCOMES].sort_index()


def _check_against(folder: Path, reference: pd.DataFrame) -> None:
    for p in part_files(folder):
        pd.read_parquet(p)  # every part file under its final name reads whole
    stored = pd.concat([pd.read_parquet(p) for p in part_files(folder)], ignore_index=True)
    ok = stored[stored["status"] == "ok"]
    assert ok["run_id"].is_unique, "a finished run was run (and stored) twice"
    assert set(ok["run_id"]) == set(reference.index)
    pd.testing.assert_frame_equal(ok.set_index("run_id")[OUTCOMES].sort_index(), reference, check_exact=True)
    assert (folder / "COMPLETE.json").is_file()


def _sweep(path: Path, out: Path, *more: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "model.cli", "sweep", str(path), "--out", str(out), "--quiet",
                             "--processes", "2", *more], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_part_way_then_resume(tmp_path, reference):
    path = write_small(tmp_path, size=SIZE, seeds=SEEDS)
    out = tmp_path / "out"
    proc = _sweep(path, out, "--flush-every", "3")

    def some_runs_stored():
        """a part file with finished runs"""
        return part_files(out)

    _poll(some_runs_stored)
    family = [proc.pid, *_children(proc.pid)]
    proc.kill()
    proc.wait(timeout=30)
    _poll(lambda: _gone(family), limit=30)  # the workers die with their driver: no orphans
    assert len(family) >= 3  # the driver and its two workers were there to be killed
    done_before = len(finished_ids(out))
    assert 0 < done_before < SIZE * SEEDS, "the kill came too late to test a resume"
    manifest = read_manifest(out)
    assert manifest["sessions"][-1]["status"] == "running"  # no end recorded: the session was killed

    again = _sweep(path, out)
    stdout, stderr = again.communicate(timeout=600)
    assert again.returncode == 0, stderr.decode()
    assert f"({done_before} runs already finished there)" in stderr.decode()
    assert read_manifest(out)["sessions"][-1]["runs_written"] == SIZE * SEEDS - done_before  # only what was missing
    _check_against(out, reference)


HOLD_IN_WRITE = """
import sys, time
from pathlib import Path
import model.experiments.storage as storage
from model.outputs import atomic_path

real = storage.write_parquet
parts = []

def held_write(path, frame):
    path = Path(path)
    if path.parent.name != "runs" or not parts:  # the design, the plan and the first part file are written whole
        parts.extend([path] if path.parent.name == "runs" else [])
        return real(path, frame)
    with atomic_path(path) as tmp:  # the part file is half-way: written under its temporary name only
        frame.to_parquet(tmp, index=False)
        data = tmp.read_bytes()
        tmp.write_bytes(data[: len(data) // 2])
        Path(sys.argv[1]).write_text(str(tmp))
        while True:
            time.sleep(0.05)  # held here until the test kills the process

storage.write_parquet = held_write
from model.cli import main
sys.exit(main(["sweep", sys.argv[2], "--out", sys.argv[3], "--quiet", "--processes", "2", "--flush-every", "3"]))
"""


def test_sigkill_while_a_part_file_is_written_then_resume(tmp_path, reference):
    path = write_small(tmp_path, size=SIZE, seeds=SEEDS)
    out, marker = tmp_path / "out", tmp_path / "writing"
    proc = subprocess.Popen([sys.executable, "-c", HOLD_IN_WRITE, str(marker), str(path), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def second_part_being_written():
        """the driver to be half-way through its second part file"""
        return marker.is_file() and marker.read_text()

    tmp_name = Path(_poll(second_part_being_written))
    family = [proc.pid, *_children(proc.pid)]
    proc.kill()
    proc.wait(timeout=30)
    _poll(lambda: _gone(family), limit=30)
    assert tmp_name.is_file() and tmp_name.name.startswith(".part-")  # the half-written file never got its final name
    (first,) = part_files(out)  # the first part file, written whole before the held one
    assert 0 < len(finished_ids(out)) == len(pd.read_parquet(first)) <= 3

    again = _sweep(path, out)
    _, stderr = again.communicate(timeout=600)
    assert again.returncode == 0, stderr.decode()
    _check_against(out, reference)


def test_a_changed_experiment_file_is_refused_on_resume(tmp_path, capsys):
    path = write_small(tmp_path, size=2, seeds=1)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--processes", "0"]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    path.write_text(path.read_text().replace("range = [0.0, 0.03]", "range = [0.0, 0.05]"))
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--processes", "0"]) == 2
    err = capsys.readouterr().err
    assert "has changed since" in err and "factors" in err and "0.03" in err and "0.05" in err
    assert "choose another --out" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # nothing overwritten
    # --extend does not let a factor change either
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--processes", "0", "--extend"]) == 2


def test_more_seeds_with_extend_reuse_every_finished_run(tmp_path, capsys):
    path = write_small(tmp_path, size=2, seeds=1)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--processes", "0"]) == 0
    first = load_runs(out).set_index("run_id")
    path.write_text(path.read_text().replace("count = 1", "count = 3"))
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--processes", "0"]) == 2
    assert "--extend" in capsys.readouterr().err
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--processes", "0", "--extend"]) == 0
    manifest = read_manifest(out)
    assert manifest["sessions"][-1]["runs_written"] == 4  # two points x two new seeds; the first two reused
    res = results(out)
    assert len(res) == 6 and (res["status"] == "ok").all()
    again = load_runs(out).set_index("run_id")
    pd.testing.assert_frame_equal(again.loc[first.index, OUTCOMES], first[OUTCOMES], check_exact=True)
    assert (out / "experiment.toml").is_file() and len(list(out.glob("experiment-*.toml"))) == 1  # both versions kept


def test_sigterm_flushes_stops_the_workers_and_exits_130(tmp_path):
    # 96 runs of ten years each, so that the signal comes long before the last one ends, however loaded the machine
    seeds = 12
    path = write_small(tmp_path, size=SIZE, seeds=seeds, keep_monthly=True, steps=120)
    out = tmp_path / "out"
    proc = _sweep(path, out, "--flush-every", "1000")  # runs wait for the signal (or the 10-second flush)

    def two_runs_finished():
        """two runs' monthly tables (written as each run finishes; their rows wait for a flush)"""
        return len(list((out / "monthly" / "place").glob("point=*/seed=*/part-0.parquet"))) >= 2

    _poll(two_runs_finished)
    seen = {(f.parent.parent.name, f.parent.name) for f in (out / "monthly" / "place").glob("point=*/seed=*/part-0.parquet")}
    family = [proc.pid, *_children(proc.pid)]
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()
    assert "interrupted" in stderr.decode() and "the same command resumes" in stderr.decode()
    _poll(lambda: _gone(family), limit=30)
    session = read_manifest(out)["sessions"][-1]
    assert session["status"] == "interrupted"
    stored = load_runs(out)
    flushed = {(f"point={r.point}", f"seed={r.seed}") for r in stored.itertuples()}
    assert seen <= flushed and session["runs_written"] == len(stored) < SIZE * seeds  # flushed on the way out
    assert not (out / "COMPLETE.json").exists()
    assert not list((out / "runs").glob(".*.tmp"))


def test_a_signal_inside_a_held_block_waits_for_the_block_to_end():
    """A run's monthly tables and its row are stored both or neither: SIGTERM inside ``held()`` stops the
    sweep only once the block is done (other threads cannot take it early, as they could a blocked signal)."""
    signals = _Signals()
    previous = signal.signal(signal.SIGTERM, signals.handler)
    done = []
    try:
        with pytest.raises(Interrupted):
            with signals.held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # the handler has run by now
                done.append("the rest of the block")
        assert done == ["the rest of the block"]
        with pytest.raises(Interrupted):  # outside a held block, at once
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    finally:
        signal.signal(signal.SIGTERM, previous)
