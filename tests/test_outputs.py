"""Atomic writes: a file appears whole under its final name, or not at all."""

import pandas as pd
import pytest

from model.outputs import atomic_path, is_complete, mark_complete, write_parquet


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
