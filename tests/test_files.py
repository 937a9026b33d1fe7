"""Atomic writes (interviewer/files.py): a reader sees the old file or the new one whole; writers of the same file
never share a temp file; a failure leaves the old file and no temp file behind."""

from __future__ import annotations

import stat
import threading

import pytest
import yaml
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.files import atomic_file, atomic_write, atomic_write_all


@pytest.fixture
def folder(tmp_path):
    """A folder of the test's own (the shared fixtures keep the user directory in tmp_path)."""
    path = tmp_path / "files"
    path.mkdir()
    return path


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_text_and_bytes_with_the_mode_asked(folder):
    assert atomic_write(folder / "a.txt", "é\n").read_bytes() == "é\n".encode()
    assert atomic_write(folder / "b.bin", b"\x00\xff").read_bytes() == b"\x00\xff"
    assert stat.S_IMODE((folder / "a.txt").stat().st_mode) == 0o644
    atomic_write(folder / "a.txt", "private", mode=0o600)
    assert stat.S_IMODE((folder / "a.txt").stat().st_mode) == 0o600
    assert names(folder) == ["a.txt", "b.bin"]


def test_two_open_writers_of_one_file_do_not_share_a_temp_file(folder):
    """With one fixed temp name the second writer would truncate the first's temp file, and the first's rename
    would then find nothing to move."""
    path = folder / "results.json"
    with atomic_file(path) as first:
        first.write(b"first, " * 100)
        with atomic_file(path) as second:
            second.write(b"second")
        assert path.read_bytes() == b"second"
        first.write(b"whole")
    assert path.read_bytes() == b"first, " * 100 + b"whole"
    assert names(folder) == ["results.json"]


def test_concurrent_writers_never_collide(folder):
    path = folder / "cache.json"
    contents = {f"writer {i} ".encode() * (1000 + i) for i in range(8)}
    start, errors = threading.Barrier(len(contents)), []

    def write(data: bytes) -> None:
        start.wait()
        try:
            for _ in range(25):
                atomic_write(path, data)
                assert path.read_bytes() in contents  # never a mix or a part
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(data,)) for data in contents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert path.read_bytes() in contents
    assert names(folder) == ["cache.json"]


def test_an_error_while_writing_keeps_the_old_file_and_leaves_no_temp_file(folder):
    path = atomic_write(folder / "q.yaml", "old\n")
    with pytest.raises(RuntimeError), atomic_file(path) as f:
        f.write(b"half of the new")
        raise RuntimeError("disk trouble")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(path, "a lone surrogate \ud800 cannot be UTF-8")
    assert path.read_text() == "old\n"
    assert names(folder) == ["q.yaml"]


def test_a_failed_rename_leaves_no_temp_file(folder):
    (folder / "taken").mkdir()
    (folder / "taken" / "inside").write_text("x")
    with pytest.raises(OSError):
        atomic_write(folder / "taken", "a file cannot replace a folder that is not empty")
    assert names(folder) == ["taken"]


def test_a_missing_folder_is_an_error_and_creates_nothing(folder):
    with pytest.raises(FileNotFoundError):
        atomic_write(folder / "no" / "such.txt", "x")
    assert names(folder) == []


def test_write_all_changes_nothing_when_preparing_one_file_fails(folder):
    a, b = atomic_write(folder / "a", "old a"), atomic_write(folder / "b", "old b")

    def files():
        yield a, "new a"
        yield b, "new b"
        raise ValueError("the third question does not dump")

    with pytest.raises(ValueError):
        atomic_write_all(files())
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert names(folder) == ["a", "b"]
    assert atomic_write_all([(a, "new a"), (b, b"new b")]) == [a, b]
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert names(folder) == ["a", "b"]


def test_rubric_draft_write_keeps_the_file_mode_and_leaves_no_temp_file(folder):
    path = folder / "custom-01.yaml"
    path.write_text(yaml.safe_dump({
        "id": "custom-01", "category": "Custom", "number": 1, "question": "What is overfitting?",
        "reference_answer": "Overfitting is when a model learns noise in the training data. Regularization, "
                            "early stopping and more data reduce it. Cross-validation detects it."}))
    path.chmod(0o640)
    result = CliRunner().invoke(cli, ["rubric", "draft", "--write", str(path)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(path.read_text())["rubric"]["criteria"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert names(folder) == ["custom-01.yaml"]
