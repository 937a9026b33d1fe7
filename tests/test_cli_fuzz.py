"""Bad values for every parameter of every command, and for every INTERVIEWER_* setting: each run ends in a
one-line `Error: ...` (or succeeds), never in a traceback or a hang.

The commands are found by walking the click group, so a new command or option is fuzzed without editing this
file. Nothing slow runs: the default model is a file that does not exist (a command that would load it fails
at once), `grade` grades model-free, and `ui` gets a stand-in for the server it would start."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from interviewer.cli import cli
from interviewer.engine import Interview, InterviewConfig
from interviewer.settings import Settings, get_settings

NO_MODEL = "local:/nonexistent/model.gguf"


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


COMMANDS = dict(commands())


NUMBERS = ["0", "-5", "1e20", str(10**30), "nan", "abc", ""]
PATHS = ["", " ", "/proc/foo", "/dev/full", "@/nonexistent"]
TEXTS = ["x" * 5000, "\u202e\U0001f600", "@/dev/full"]  # (no NUL byte: a command line cannot hold one)


def bad_values(tmp: Path, param: click.Parameter | None = None) -> list[str]:
    """Bad values for `param`'s type (numbers for a number, paths for a path), or every bad value (None)."""
    folder = tmp / "a-folder"
    folder.mkdir(exist_ok=True)
    (tmp / "a-file").write_text("a file")
    # Absolute paths only where nothing can be created (as root, /nonexistent/x could be): the rest under tmp.
    paths = [*PATHS, str(folder), f"@{folder}", str(tmp / "missing" / "x"), str(tmp / "a-file" / "x")]
    if param is None:
        return list(dict.fromkeys([*NUMBERS, *paths, *TEXTS]))
    if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)):
        return NUMBERS
    return paths if isinstance(param.type, click.Path) else [*NUMBERS, *paths, *TEXTS]


@pytest.fixture
def served(monkeypatch, tmp_path) -> list[dict]:
    """Keeps every run short and in tmp_path: the default model is a file that does not exist, a relative path
    (`--out=abc`) is made in tmp_path, and `ui` gets a stand-in for its server (returned: the launches it got)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTERVIEWER_MODEL", NO_MODEL)
    get_settings.cache_clear()
    launches: list[dict] = []
    monkeypatch.setitem(sys.modules, "interviewer.ui.app",
                        types.SimpleNamespace(launch=lambda **kw: launches.append(kw)))
    return launches


def finished_session() -> str:
    interview, _ = Interview.start(InterviewConfig(questions=1, lexical=True, max_followups=0, seed=1))
    interview.answer("/skip")
    interview.close()
    return interview.session_id


def valid_values(path: tuple[str, ...], tmp: Path) -> dict:
    """Valid values for `path`'s required parameters (a real finished session, a real answers file, a real
    question document), chosen so that a run with them is short."""
    if path in (("sessions", "show"), ("sessions", "export")):
        return {"session_id": finished_session()}
    answers = tmp / "answers.csv"
    answers.write_text("id,question_id,answer\na1,ml-fundamentals-01,Overfitting is memorising noise.\n")
    doc = tmp / "mine.txt"
    doc.write_text("My Topics\n\n1 questions\n1What is a GPU?\nA parallel processor.\n")
    (tmp / "bank-out").mkdir(exist_ok=True)
    return {
        ("bank", "show"): {"question_id": "ml-fundamentals-01"},
        ("bank", "import"): {"path": str(doc), "out": str(tmp / "bank-out")},
        ("bank", "validate"): {"path": str(tmp / "bank-out")},
        ("grade",): {"input_path": str(answers), "output": str(tmp / "graded.jsonl"), "lexical": True},
        ("models", "check"): {"name": NO_MODEL},
        ("rubric", "draft"): {"question": "What is overfitting?", "reference": "Memorising noise in the data."},
    }.get(path, {})


def argv(path: tuple[str, ...], cmd: click.Command, values: dict) -> list[str]:
    """The command line for `values` (parameter name -> value; True for a flag)."""
    args, opts = [], []
    for p in cmd.params:
        if p.name not in values:
            continue
        value = values[p.name]
        if isinstance(p, click.Argument):
            args.append(value)
        elif value is True:
            opts.append(max(p.opts, key=len))
        else:
            opts.append(f"{max(p.opts, key=len)}={value}")  # `--x=-5`: a value, never read as an option
    return [*path, *opts, "--", *args] if args else [*path, *opts]


def check(result, args: list[str]) -> None:
    """Success, or a clean error: click's `Error: ...` as the last line, exit code 1 or 2, no traceback."""
    shown = f"{args!r} -> exit {result.exit_code}:\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown + repr(result.exception)
    assert "Traceback" not in result.output, shown
    if result.exit_code != 0:
        assert result.exit_code in (1, 2), shown
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("Error: "), shown


def fuzzable(cmd: click.Command) -> list[click.Parameter]:
    return [p for p in cmd.params if not (isinstance(p, click.Option) and p.is_flag)
            and not isinstance(p.type, click.Choice)]


def test_the_sweep_covers_every_command():
    assert {("bank", "import"), ("grade",), ("models", "check"), ("rubric", "draft"), ("sessions", "export"),
            ("interview",), ("ui",)} <= set(COMMANDS)
    assert {p.name for p in fuzzable(COMMANDS[("interview",)])} >= {"seed", "n_ctx", "threads", "n_gpu_layers"}


def sweep(path: tuple[str, ...], tmp: Path, *, every: bool) -> int:
    """Run `path` once per (parameter, bad value), the other parameters valid; returns the runs made. Numbers
    and paths get the bad values of their type; with `every`, every parameter gets every bad value."""
    cmd, base, runs = COMMANDS[path], valid_values(path, tmp), 0
    for param in fuzzable(cmd):
        if not every and not isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType, click.Path)):
            continue
        for value in bad_values(tmp, None if every else param):
            args = argv(path, cmd, {**base, param.name: value})
            check(CliRunner().invoke(cli, args), args)
            runs += 1
    return runs


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_bad_numbers_and_paths(path, served, tmp_path):
    """Every number and path parameter (--n-ctx, --seed, --output, INPUT, ...) with bad values of its type."""
    runs = sweep(path, tmp_path, every=False)
    numbers_or_paths = [p for p in fuzzable(COMMANDS[path]) if isinstance(p.type, (click.types.IntParamType,
                                                                                    click.types.FloatParamType,
                                                                                    click.Path))]
    assert runs >= len(numbers_or_paths) * len(NUMBERS)


@pytest.mark.slow  # every value for every parameter: minutes, mostly loading the bank once per run
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_bad_value_for_every_parameter(path, served, tmp_path):
    assert sweep(path, tmp_path, every=True) == len(fuzzable(COMMANDS[path])) * len(bad_values(tmp_path))
    if path == ("ui",):
        assert served, "no run reached the (stand-in) server: the sweep only met parse errors"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_bad_values_for_every_setting(field, served, tmp_path, monkeypatch):
    """INTERVIEWER_<FIELD> set to nonsense: a value Settings refuses is named in one line by every command
    that reads settings; one it takes runs on to a clean end."""
    variable = f"INTERVIEWER_{field.upper()}"
    refused = 0
    for value in bad_values(tmp_path):
        monkeypatch.setenv(variable, value)
        get_settings.cache_clear()
        try:
            Settings()
            bad = False
        except ValidationError:
            bad = True
        refused += bad
        for args in (["models", "check", NO_MODEL], ["interview", "--lexical", "--resume", "nope"]):
            result = CliRunner().invoke(cli, args)
            check(result, [f"{variable}={value}", *args])
            assert "validation error" not in result.output, result.output
            if bad:
                assert result.exit_code == 1 and f"Error: {variable}: " in result.output, (value, result.output)
    bounds = [m for m in Settings.model_fields[field].metadata if hasattr(m, "ge") or hasattr(m, "gt")]
    if bounds:  # a bounded number: "abc", "nan", -5 or 10**30 is out of bounds
        assert refused, f"no bad value for {variable} was refused"
