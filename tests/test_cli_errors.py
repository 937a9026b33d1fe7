"""Bad flags, bad INTERVIEWER_* values, bad paths, a damaged database and an unusable INTERVIEWER_HOME: each is
one line, `Error: ...`, exit code 1 or 2, and nothing the user had is changed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.engine import Interview, InterviewConfig
from interviewer.errors import StoreCorrupt, UserDirError
from interviewer.paths import user_dir
from interviewer.settings import get_settings
from interviewer.store import open_db


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def error_line(result) -> str:
    """The one `Error: ...` line a failed run printed (and that it printed no traceback)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    return errors[0]


@pytest.fixture
def finished():
    interview, _ = Interview.start(InterviewConfig(questions=1, lexical=True, max_followups=0, seed=3))
    interview.answer("/skip")
    interview.close()
    return interview.session_id


@pytest.mark.parametrize("flag, value, shown", [
    ("--n-ctx", "100", "100 is not in the range 256<=x<=131072"),
    ("--n-ctx", str(10**20), "is not in the range 256<=x<=131072"),  # once: llama.cpp hung on it
    ("--n-ctx", "1e20", "'1e20' is not a valid integer"),
    ("--threads", "0", "0 is not in the range 1<=x<=1024"),
    ("--threads", str(10**20), "is not in the range 1<=x<=1024"),  # once: std::bad_alloc, abort
    ("--n-gpu-layers", "-5", "-5 is not in the range -1<=x<=1000"),
])
def test_model_flags_out_of_range_are_refused_before_anything_loads(flag, value, shown):
    for command, rest in ((["models", "check"], []), (["grade"], ["in.csv", "-o", "out.jsonl"]), (["interview"], []),
                          (["ui"], [])):
        result = run(*command, f"{flag}={value}", *rest)
        assert result.exit_code == 2
        assert f"Invalid value for '{flag}'" in error_line(result) and shown in result.output


@pytest.mark.parametrize("value", ["1e20", str(10**20), "-1"])
def test_a_seed_out_of_range_is_refused(value):
    result = run("interview", "--lexical", f"--seed={value}")
    assert result.exit_code == 2 and "Invalid value for '--seed'" in error_line(result)
    assert run("sessions", "list").output.startswith("No sessions yet")


@pytest.mark.parametrize("variable, value, shown", [
    ("INTERVIEWER_N_CTX", "abc", "Error: INTERVIEWER_N_CTX: Input should be a valid integer"),
    ("INTERVIEWER_N_CTX", "100", "Error: INTERVIEWER_N_CTX: Input should be greater than or equal to 256"),
    ("INTERVIEWER_N_THREADS", "0", "Error: INTERVIEWER_N_THREADS: Input should be greater than or equal to 1"),
    ("INTERVIEWER_N_GPU_LAYERS", "-5", "Error: INTERVIEWER_N_GPU_LAYERS: Input should be greater than or equal to -1"),
    ("INTERVIEWER_REQUEST_TIMEOUT", "nan", "Error: INTERVIEWER_REQUEST_TIMEOUT: "),
    ("INTERVIEWER_MAX_ANSWER_CHARS", str(10**30), "Error: INTERVIEWER_MAX_ANSWER_CHARS: "),
])
def test_a_bad_environment_value_names_its_variable(monkeypatch, variable, value, shown):
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    for command in (["models", "check", "local:/nonexistent.gguf"], ["interview", "--lexical"]):
        result = run(*command)
        assert result.exit_code == 1 and error_line(result).startswith(shown), result.output


def test_export_to_a_missing_folder_or_a_full_disk(finished, tmp_path):
    missing = tmp_path / "missing" / "x.md"
    result = run("sessions", "export", finished, "-o", str(missing))
    assert result.exit_code == 1
    assert error_line(result) == f"Error: {missing}: cannot write the export there (No such file or directory)"
    if os.path.exists("/dev/full"):  # Linux: every write to it fails with ENOSPC
        result = run("sessions", "export", finished, "-o", "/dev/full")
        assert result.exit_code == 1 and "No space left on device" in error_line(result)
    ok = run("sessions", "export", finished, "-o", str(tmp_path / "x.md"))
    assert ok.exit_code == 0 and "Overall" in (tmp_path / "x.md").read_text()


def test_bank_import_into_an_impossible_folder(tmp_path):
    doc = tmp_path / "mine.txt"
    doc.write_text("My Topics\n\n1 questions\n1What is a GPU?\nA parallel processor.\n")
    result = run("bank", "import", str(doc), "--out", "/proc/foo")
    assert result.exit_code == 1 and error_line(result).startswith("Error: /proc/foo")
    assert not os.path.exists("/proc/foo")


@pytest.mark.parametrize("reference, shown", [
    ("@{dir}/missing", "missing' does not exist"),
    ("@{dir}", "is a directory"),
    ("@/dev/full", "'/dev/full' is not a regular file"),  # reading it never ends
])
def test_rubric_draft_with_a_bad_reference_file(tmp_path, reference, shown):
    result = run("rubric", "draft", "-q", "What is overfitting?", "-r", reference.format(dir=tmp_path))
    assert result.exit_code == 2
    assert "Invalid value for '--reference'" in error_line(result) and shown in result.output


@pytest.mark.parametrize("command", [["grade", "/dev/full", "-o", "out.jsonl"], ["bank", "import", "/dev/full"],
                                     ["rubric", "draft", "/dev/full"], ["ui", "--auth-file", "/dev/full"]])
def test_an_endless_file_is_not_read(command):
    result = run(*command)
    assert result.exit_code == 2 and "'/dev/full' is not a regular file" in error_line(result)


@pytest.mark.parametrize("content", [os.urandom(4096), b"my notes, not a database\n" * 10])
def test_a_damaged_database_is_named_and_kept(interviewer_home, content):
    db = interviewer_home / "interviewer.db"
    db.write_bytes(content)
    for command in (["sessions", "list"], ["sessions", "export", "x"], ["interview", "--lexical"]):
        result = run(*command)
        assert result.exit_code == 1
        line = error_line(result)
        assert line.startswith(f"Error: {db}: not a usable SQLite database") and "move it aside" in line
    assert db.read_bytes() == content
    with pytest.raises(StoreCorrupt):
        open_db()


def test_a_damaged_checkpoint_database_is_named_before_a_session_is_recorded(interviewer_home):
    checkpoints = interviewer_home / "checkpoints.db"
    content = b"not a database\n" * 100
    checkpoints.write_bytes(content)
    line = error_line(run("interview", "--lexical", "-n", "1"))
    assert line.startswith(f"Error: {checkpoints}: not a usable SQLite database"), line
    assert checkpoints.read_bytes() == content
    assert list(open_db()["sessions"].rows) == []  # no half-started session left behind


@pytest.mark.parametrize("home", ["a-file", "a-file/below", "/proc/x"])
def test_an_unusable_home_is_named(monkeypatch, tmp_path, home):
    (tmp_path / "a-file").write_text("not a folder")
    path = home if home.startswith("/") else str(tmp_path / home)
    monkeypatch.setenv("INTERVIEWER_HOME", path)
    for command in (["sessions", "list"], ["interview", "--lexical"], ["models", "list"]):
        result = run(*command)
        assert result.exit_code == 1
        assert error_line(result).startswith(f"Error: {path}: cannot keep the interviewer's files there"), result.output
    with pytest.raises(UserDirError, match="INTERVIEWER_HOME"):
        user_dir()
    assert (tmp_path / "a-file").read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any folder")
def test_an_unwritable_home_is_named(monkeypatch, tmp_path):
    home = tmp_path / "locked"
    home.mkdir(mode=0o500)
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    result = run("sessions", "list")
    assert result.exit_code == 1 and "it is not writable" in error_line(result)


def test_the_installed_command_prints_one_line(interviewer_home):
    """The real process, not the test runner: stderr is the one line, exit code 1."""
    (interviewer_home / "interviewer.db").write_text("not a database")
    env = {**os.environ, "INTERVIEWER_N_CTX": "100"}
    for args, env, shown in ((["sessions", "list"], os.environ, "not a usable SQLite database"),
                             (["models", "check"], env, "INTERVIEWER_N_CTX: ")):
        proc = subprocess.run([sys.executable, "-c", "from interviewer.cli import cli; cli()", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and proc.stdout == "", proc.stderr
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("Error: ") and shown in proc.stderr
