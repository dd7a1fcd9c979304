"""Writing results safely: every file appears whole under its final name, or not at all.

A file is written to a temporary name in the same folder, flushed to disk and
renamed into place (a rename within one file system is atomic), so a crash, a
full disk or a kill mid-write never leaves a truncated file under a name a
reader trusts. A run folder gets its completion record (``COMPLETE.json``)
last: a folder without one holds a partial or failed run.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

COMPLETE = "COMPLETE.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# a temporary file is private (0600); the finished file gets the permissions any new file would
FILE_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed onto ``path`` when the block ends without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp_path, FILE_MODE)
        os.replace(tmp_path, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_atomic(path: Path | str, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` to fill a temporary file, then rename it onto ``path``."""
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


def write_text(path: Path | str, text: str) -> Path:
    return write_atomic(path, lambda p: p.write_text(text))


def write_json(path: Path | str, data: Any) -> Path:
    return write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def write_parquet(path: Path | str, frame: Any) -> Path:
    """A pandas DataFrame as Parquet, atomically."""
    return write_atomic(path, lambda p: frame.to_parquet(p, index=False))


def mark_complete(folder: Path | str, record: dict[str, Any]) -> Path:
    """Write the folder's completion record: the last file a finished run writes."""
    return write_json(Path(folder) / COMPLETE, record)


def is_complete(folder: Path | str) -> bool:
    return (Path(folder) / COMPLETE).is_file()


# --- run folders ----------------------------------------------------------------------
RESULTS = Path("results")  # where runs go unless told otherwise (relative to the working folder)
PARTIAL = "PARTIAL.json"
RECORDS = (COMPLETE, PARTIAL)
SLUG_LENGTH = 80


class OutputError(Exception):
    """An output folder that cannot be used, said in terms of the option that chose it
    (``option=None``: the folder named after the scenario)."""

    def __init__(self, option: str | None, folder: Path | str, problem: str) -> None:
        self.option, self.folder, self.problem = option, str(folder), problem
        super().__init__(f"{option}: got {str(folder)!r}; {problem}" if option else f"{folder}: {problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.option, self.folder, self.problem))


def slug(name: str) -> str:
    """A scenario's name as one safe folder name: ASCII letters, digits, '_' and '-' only, so
    never hidden, never '..' and never a path (``"../x"`` is ``x``, ``"/srv/a"`` is ``srv-a``)."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_name)
    text = re.sub(r"-{2,}", "-", text).strip("-")[:SLUG_LENGTH].strip("-")
    return text or "scenario"


def default_folder(name: str, tag: str, results: Path | str = RESULTS) -> Path:
    """``results/<slug of name>-<tag>``: always a folder directly inside the results folder."""
    folder = Path(results) / f"{slug(name)}-{slug(tag)}"
    if folder.resolve().parent != Path(results).resolve():  # a slug has no separators, so this cannot happen
        raise ValueError(f"{folder} is not directly inside {results}")
    return folder


def prepare_folder(folder: Path | str, *, force: bool, option: str | None = "--out") -> Path:
    """Make ``folder`` ready for a run before any work is done: create it, check that files can
    be written in it, and refuse one that already holds files unless ``force``; with ``force``, an
    earlier run's recorded files are removed first (its record before anything else, so the folder
    is never marked complete while it holds a mix of two runs)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(option, folder, "that is a file; a folder (new or empty) is allowed")
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            other = "choose another folder" if option else "choose another folder with --out"
            raise OutputError(option, folder, f"the folder already holds {_holds(folder)}, which is kept; "
                                              f"{other}, or pass --force to replace it")
        clear_run(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OutputError(option, folder, f"cannot write there ({e.strerror or e}); a writable folder is allowed") from None
    return folder


def _holds(folder: Path) -> str:
    for name, what in ((COMPLETE, "a finished run"), (PARTIAL, "a partial run")):
        if (folder / name).is_file():
            return f"{what} ({name})"
    if (folder / "run.json").is_file():
        return "a run (run.json)"
    n = sum(1 for _ in folder.iterdir())
    return f"{n} file{'s' if n != 1 else ''}"


def clear_run(folder: Path | str) -> None:
    """Remove an earlier run's record and the files it lists, and a run.json of ours; nothing else."""
    folder = Path(folder)
    listed: set[str] = set()
    for name in RECORDS:
        try:
            listed.update(json.loads((folder / name).read_text()).get("files", []))
        except (OSError, ValueError, AttributeError):
            pass
    try:
        if "scenario_hash" in json.loads((folder / "run.json").read_text()):
            listed.add("run.json")  # a run's record from before completion records, or one that stopped early
    except (OSError, ValueError, TypeError):
        pass
    for name in (*RECORDS, *sorted(listed)):
        path = folder / name
        if path.parent == folder and path.is_file():  # recorded names are plain file names in the folder
            path.unlink()


def mark_partial(folder: Path | str, record: dict[str, Any]) -> Path:
    """Write the record of a run that stopped before its end: why, when and which files it left."""
    return write_json(Path(folder) / PARTIAL, record)


class RunFolder:
    """A run's folder as it is written: each file atomically and listed, then the completion record
    last, or a partial record saying why the run stopped."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.files: list[str] = []

    def write_parquet(self, name: str, frame: Any) -> Path:
        return self._listed(write_parquet(self.folder / name, frame))

    def write_json(self, name: str, data: Any) -> Path:
        return self._listed(write_json(self.folder / name, data))

    def written(self, paths: list[Path]) -> None:
        """Files written by others (the charts), atomically too, to be listed in the record."""
        for path in paths:
            self._listed(Path(path))

    def complete(self, record: dict[str, Any]) -> Path:
        return mark_complete(self.folder, {"status": "complete", **record, "files": list(self.files)})

    def partial(self, record: dict[str, Any]) -> Path:
        return mark_partial(self.folder, {"status": "partial", **record, "files": list(self.files)})

    def _listed(self, path: Path) -> Path:
        self.files.append(path.name)
        return path
