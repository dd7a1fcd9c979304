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


_MODE = 0o666 & ~_umask()  # what open() would give a new file; mkstemp's 0600 would hide results from others


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
        os.chmod(tmp_path, _MODE)
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
