"""Atomic writes: a file appears whole under its final name, or not at all. Run folders: always
inside the results folder unless --out says otherwise, never overwritten without --force, marked
complete last, or partial with the reason when a run stops part-way."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from model.cli import main
from model.outputs import (
    COMPLETE,
    PARTIAL,
    OutputError,
    atomic_path,
    default_folder,
    is_complete,
    mark_complete,
    prepare_folder,
    slug,
    write_parquet,
)


def test_a_failed_write_leaves_no_file_under_the_final_name(tmp_path):
    target = tmp_path / "table.parquet"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a table")
        raise RuntimeError("disk full")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


def test_a_finished_write_replaces_the_old_file_whole(tmp_path):
    target = tmp_path / "t.parquet"
    write_parquet(target, pd.DataFrame({"a": [1]}))
    write_parquet(target, pd.DataFrame({"a": [1, 2, 3]}))
    assert pd.read_parquet(target)["a"].tolist() == [1, 2, 3]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_a_folder_is_complete_only_once_its_record_is_written(tmp_path):
    assert not is_complete(tmp_path)
    mark_complete(tmp_path, {"steps": 3})
    assert is_complete(tmp_path)


# --- run folders --------------------------------------------------------------------------------
SMALL = ["--set", "population.size=2000", "--quiet", "--no-charts"]


@pytest.mark.parametrize(("name", "expected"), [
    ("baseline", "baseline"), ("../x", "x"), ("/srv/anywhere", "srv-anywhere"), ("..", "scenario"), ("a/../../b", "a-b"),
    ("~/x", "x"), ("C:\\x", "C-x"), (".hidden", "hidden"), ("Hôpital général", "Hopital-general"), ("\x00", "scenario"),
])
def test_a_name_becomes_one_safe_folder_name(name, expected, tmp_path):
    assert slug(name) == expected
    results = tmp_path / "results"
    assert default_folder(name, "seed1", results).parent == results


def _run(args: list[str], capsys) -> tuple[int, str]:
    code = main(["run", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", ["../escaped", "{tmp}/elsewhere/run"])
def test_a_scenarios_name_never_puts_its_run_outside_the_results_folder(name, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    name = name.replace("{tmp}", str(tmp_path))
    (work / "place.toml").write_text(f'extends = "teach-place"\nname = "{name}"\n')
    code, err = _run(["place.toml", "--steps", "1", *SMALL], capsys)
    assert code == 0, err
    folders = list((work / "results").iterdir())
    assert [f.name for f in folders] == [f"{slug(name)}-seed1"]
    assert (folders[0] / COMPLETE).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]  # nothing beside the working folder


def test_a_killed_write_leaves_no_file_under_the_final_name(tmp_path):
    """A process killed (SIGKILL: no clean-up) half-way through writing a table leaves only a
    hidden temporary file, never a truncated file under the table's name."""
    target = tmp_path / "place.parquet"
    script = (
        "import sys, time\n"
        "from model.outputs import write_atomic\n"
        "def slow(p):\n"
        "    p.write_bytes(b'half a table')\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "write_atomic(sys.argv[1], slow)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert not target.exists()
    assert all(p.name.startswith(".place.parquet.") and p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_a_second_run_into_the_same_folder_is_refused_and_the_first_is_kept(tmp_path, capsys):
    out = tmp_path / "run"
    code, err = _run(["teach-place", "--steps", "2", "--out", str(out), *SMALL], capsys)
    assert code == 0, err
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert COMPLETE in first
    code, err = _run(["teach-place", "--steps", "3", "--out", str(out), *SMALL], capsys)
    assert code == 2
    assert f"--out: got '{out}'" in err and "a finished run (COMPLETE.json)" in err and "--force" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    (out / "notes.md").write_text("mine")
    code, err = _run(["teach-place", "--steps", "3", "--out", str(out), "--force", *SMALL], capsys)
    assert code == 0, err
    assert json.loads((out / COMPLETE).read_text())["steps"] == 3
    assert pd.read_parquet(out / "place.parquet")["month"].tolist() == [1, 2, 3]
    assert (out / "notes.md").read_text() == "mine"  # --force replaces the run's files, nothing else


def test_the_default_folder_is_not_overwritten_either(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert _run(["teach-place", "--steps", "1", *SMALL], capsys)[0] == 0
    code, err = _run(["teach-place", "--steps", "1", *SMALL], capsys)
    assert code == 2
    assert err.startswith("lhe: error: results/teach-place-seed1: the folder already holds a finished run")
    assert "--out" in err and "--force" in err


def test_out_is_checked_before_any_work(tmp_path, monkeypatch, capsys):
    """A file as --out is refused before the place is built (it used to lose the whole run)."""
    import model.economy

    def never(*args, **kwargs):
        raise AssertionError("the model was built")

    monkeypatch.setattr(model.economy.LocalHealthEconomy, "__init__", never)
    (tmp_path / "afile").write_text("x")
    code, err = _run(["teach-place", "--out", str(tmp_path / "afile"), *SMALL], capsys)
    assert code == 2 and "that is a file" in err
    assert (tmp_path / "afile").read_text() == "x"


def test_prepare_folder_refuses_a_full_folder_and_accepts_an_empty_one(tmp_path):
    assert prepare_folder(tmp_path / "new", force=False).is_dir()
    assert prepare_folder(tmp_path / "new", force=False) == tmp_path / "new"  # empty: fine
    (tmp_path / "new" / "x.txt").write_text("x")
    with pytest.raises(OutputError, match="already holds 1 file"):
        prepare_folder(tmp_path / "new", force=False)


def test_a_run_that_fails_part_way_keeps_its_tables_marked_partial(tmp_path, monkeypatch, capsys):
    """The real error, the month and the organisation in one line; the tables so far kept with a
    PARTIAL.json saying why and no completion record; the traceback only with --debug."""
    from model.organisations import Hospital

    read_books = Hospital.read_books

    def failing(self):
        if self.model.month == 3 and self.name == "Riverside Hospitals":
            raise RuntimeError("boom")
        return read_books(self)

    monkeypatch.setattr(Hospital, "read_books", failing)
    out = tmp_path / "run"
    code, err = _run(["baseline", "--steps", "6", "--out", str(out), *SMALL], capsys)
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "the run failed in month 3 at Riverside Hospitals: RuntimeError: boom" in err
    assert f"the tables of months 1 to 2 are kept in {out}, marked partial (PARTIAL.json)" in err
    assert "--debug shows the traceback" in err
    assert pd.read_parquet(out / "place.parquet")["month"].tolist() == [1, 2]
    partial = json.loads((out / PARTIAL).read_text())
    assert (partial["month"], partial["organisation"], partial["months_done"]) == (3, "Riverside Hospitals", 2)
    assert partial["error"] == "RuntimeError: boom"
    assert not (out / COMPLETE).exists()
    assert json.loads((out / "run.json").read_text())["status"] == "failed"
    code, err = _run(["baseline", "--steps", "6", "--out", str(out), "--force", "--debug", *SMALL], capsys)
    assert code == 1 and "Traceback" in err and "RuntimeError: boom" in err


def test_a_first_month_failure_reports_the_real_error(tmp_path, monkeypatch, capsys):
    """With no month finished there are no tables to keep; the message is the model's error (it used
    to be pandas' 'cannot convert float NaN to integer' from building empty tables)."""
    from model.organisations import Council

    def failing(self):
        raise ValueError("lam value too large")

    monkeypatch.setattr(Council, "read_books", failing)
    out = tmp_path / "run"
    code, err = _run(["baseline", "--steps", "3", "--out", str(out), *SMALL], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "the run failed in month 1 at Northvale Council: ValueError: lam value too large" in err
    assert "no month finished" in err
    assert sorted(p.name for p in out.iterdir()) == [PARTIAL, "run.json"]


def test_charts_that_fail_leave_the_tables_marked_partial(tmp_path, monkeypatch, capsys):
    import model.report

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model.report, "draw_charts", broken)  # in the drawers, then again here
    out = tmp_path / "run"
    code = main(["run", "teach-place", "--steps", "2", "--out", str(out), "--set", "population.size=2000", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "charts failed" in err and "No space left on device" in err and "Traceback" not in err
    assert not (out / COMPLETE).exists()
    assert json.loads((out / PARTIAL).read_text())["files"] == ["place.parquet", "organisations.parquet", "run.json"]


def test_force_removes_only_what_an_earlier_run_wrote(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "run.json").write_text('{"data": "not ours"}')
    (folder / "place.parquet").write_text("theirs")
    prepare_folder(folder, force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["place.parquet", "run.json"]  # no record: nothing listed
    mark_complete(folder, {"files": ["place.parquet"]})
    prepare_folder(folder, force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["run.json"]


def test_an_interrupted_run_keeps_its_tables_marked_partial(tmp_path, monkeypatch, capsys):
    from model.organisations import Hospital

    read_books = Hospital.read_books

    def ctrl_c(self):
        if self.model.month == 2:
            raise KeyboardInterrupt
        return read_books(self)

    monkeypatch.setattr(Hospital, "read_books", ctrl_c)
    out = tmp_path / "run"
    code, err = _run(["teach-place", "--steps", "5", "--out", str(out), *SMALL], capsys)
    assert code == 130 and "interrupted in month 2" in err
    assert pd.read_parquet(out / "place.parquet")["month"].tolist() == [1]
    assert json.loads((out / PARTIAL).read_text())["error"] == "interrupted (Ctrl-C)"


def test_a_name_set_on_the_command_line_stays_inside_the_results_folder(tmp_path, monkeypatch, capsys):
    """The issue's case: `lhe run teach-place --steps 2 --set 'name="/srv/anywhere"'` wrote /srv/anywhere-seed1/."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, err = _run(["teach-place", "--steps", "2", "--set", f'name="{tmp_path}/anywhere"', *SMALL], capsys)
    assert code == 0, err
    assert [p.name for p in (work / "results").iterdir()] == [f"{slug(str(tmp_path))}-anywhere-seed1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
