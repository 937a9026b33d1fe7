"""What the docs name exists: every `interviewer ...` command, subcommand and option in README.md and in the
docstrings of interviewer/ and ui/, and every slash command (/hint, /skip, ...) they name.

Read as an invocation: `interviewer` followed by words in a code span or a code block line (the words that follow
must be a command path of the click group, and the options after it that command's), a code span that starts
with a command group (`sessions show ID`), and in prose an `interviewer WORDS --option` (the word "interviewer"
alone is the product's name). Not invocations: paths and modules (`interviewer/grader/`, `interviewer.ui`).
A slash word counts as a slash command when it is close to one (a typo such as /skp) or sits in a list with one
("/skip, /repeat or /quit"); API endpoints (`/start`) and paths are neither."""

from __future__ import annotations

import ast
import difflib
import re
import shlex
from pathlib import Path

import click
import pytest

from interviewer.cli import cli
from interviewer.engine.inputs import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
# Our own docs, not candidate text: Python's re is fine here.
FENCE = re.compile(r"^ *```.*?^ *```", re.S | re.M)
SPAN = re.compile(r"`([^`\n]+)`")
#: `interviewer` as a command, not as part of a path, module or variable name.
INVOCATION = re.compile(r"(?<![\w./-])interviewer(?=[ \t]+[-a-z])")
SLASH = re.compile(r"(?<![\w/.:<>~-])/([a-z][a-z_-]*)\b(?![/\w-]|\.\w)")
#: Separators inside a list of slash commands ("/skip, /repeat or /quit").
LIST_GLUE = re.compile(r"^(\s*(,|or|and|/)?\s*`?)$")
ENDS = {"#", "|", "||", "&&", ";", ">", "2>&1"}


# -- the docs ------------------------------------------------------------------------------------------------
def docs() -> list[tuple[str, str]]:
    """(where, text): README.md, and each module, class and function docstring of interviewer/ and ui/."""
    found = [("README.md", (ROOT / "README.md").read_text(encoding="utf-8"))]
    for path in sorted([*(ROOT / "interviewer").rglob("*.py"), *(ROOT / "ui").glob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    name = getattr(node, "name", "module")
                    found.append((f"{path.relative_to(ROOT)}:{name}", doc))
    return found


def pieces(text: str) -> tuple[list[str], list[str], str]:
    """(code block lines, code spans, prose) of a Markdown-ish text."""
    blocks = [line for block in FENCE.findall(text) for line in block.splitlines()[1:-1]]
    rest = FENCE.sub("\n", text)
    return blocks, SPAN.findall(rest), SPAN.sub(" ", rest)


# -- the commands --------------------------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    try:
        words = shlex.split(text, comments=False)
    except ValueError:  # an unbalanced quote in a snippet
        words = text.split()
    out = []
    for word in words:
        if word in ENDS or word.startswith("#"):
            break
        out.append(word.rstrip(",;:)."))
    return out


def is_option(word: str) -> bool:
    return word.startswith("-") and len(word) > 1 and not word[1].isdigit()


def options_of(command: click.Command, ctx: click.Context) -> set[str]:
    return {name for param in command.get_params(ctx) for name in (*param.opts, *param.secondary_opts)}


def check(words: list[str], *, start: click.Command = cli, path: str = "interviewer") -> list[str]:
    """What in `words` (after `path`) is not a command or an option of the command it follows."""
    command, ctx, problems = start, click.Context(cli, info_name="interviewer"), []
    if start is not cli:
        ctx = click.Context(start, parent=ctx, info_name=path.split()[-1])
    commands_done = False
    for word in words:
        if is_option(word):
            name = word.split("=", 1)[0]
            if name not in options_of(command, ctx):
                problems.append(f"`{path}` has no option {name}")
            continue
        if not commands_done and isinstance(command, click.Group) and re.fullmatch(r"[a-z][a-z-]*", word):
            sub = command.get_command(ctx, word)
            if sub is None:
                problems.append(f"`{path}` has no command {word!r}")
                return problems
            command, path = sub, f"{path} {word}"
            ctx = click.Context(sub, parent=ctx, info_name=word, **sub.context_settings)
            continue
        commands_done = True  # an argument: what follows are its values and options
    return problems


def invocations(where: str, text: str) -> list[str]:
    """Problems with every invocation of the CLI in one doc."""
    blocks, spans, prose = pieces(text)
    problems = []
    for snippet in [*blocks, *spans]:
        for m in INVOCATION.finditer(snippet):
            problems += check(tokens(snippet[m.end():]))
    for snippet in spans:  # `sessions show ID`, `bank validate`: a group and its subcommand
        words = tokens(snippet)
        group = cli.commands.get(words[0]) if words else None
        if isinstance(group, click.Group) and len(words) > 1 and not INVOCATION.search(snippet):
            problems += check(words)
    for m in INVOCATION.finditer(prose):  # prose: only `interviewer WORDS --option`
        words = tokens(prose[m.end():].split("\n", 1)[0])
        head = []
        for word in words:
            if is_option(word):
                problems += check([*head, word])
                break
            if not re.fullmatch(r"[a-z][a-z-]*", word) or len(head) == 2:
                break
            head.append(word)
    return [f"{where}: {p}" for p in problems]


def slash_commands(where: str, text: str) -> list[str]:
    """Slash words that look meant as candidate commands but are not one."""
    real = {c.lstrip("/") for c in COMMANDS}
    found = list(SLASH.finditer(text))
    problems = []
    for i, m in enumerate(found):
        word = m.group(1)
        if word in real:
            continue
        near = difflib.get_close_matches(word, real, n=1, cutoff=0.75)
        listed = any(
            other.group(1) in real and LIST_GLUE.match(text[min(m.end(), other.end()):max(m.start(), other.start())])
            for other in found[max(0, i - 1):i + 2] if other is not m
        )
        if near or listed:
            problems.append(f"{where}: /{word} is not a command (they are: {', '.join(sorted(COMMANDS))})")
    return problems


DOCS = docs()


# -- the tests -----------------------------------------------------------------------------------------------
def test_the_docs_are_read():
    """The checks see the README and the docstrings, and the invocations in them (so a test that finds
    nothing wrong has looked)."""
    assert len(DOCS) > 100
    readme = DOCS[0][1]
    blocks, spans, _ = pieces(readme)
    assert any(INVOCATION.search(s) for s in blocks) and any(INVOCATION.search(s) for s in spans)
    assert len(SLASH.findall(readme)) >= 4


def chosen(where: str) -> list[tuple[str, str]]:
    return DOCS[:1] if where == "README.md" else DOCS[1:]


@pytest.mark.parametrize("where", ["README.md", "docstrings"])
def test_every_command_and_option_named_exists(where):
    assert [p for w, t in chosen(where) for p in invocations(w, t)] == []


@pytest.mark.parametrize("where", ["README.md", "docstrings"])
def test_every_slash_command_named_exists(where):
    assert [p for w, t in chosen(where) for p in slash_commands(w, t)] == []


# -- the checks themselves: each catches what it is for, and lets paths and prose be ---------------------------
@pytest.mark.parametrize("doc", [
    "Run `interviewer intervew -n 2`.",                       # a misspelled command
    "Run `interviewer sessions exprt ID`.",                   # a misspelled subcommand
    "Run `interviewer interview --max-folowups 1`.",         # a misspelled option
    "```bash\ninterviewer grade answers.csv --ouput x.jsonl  # batch\n```",
    "Then `sessions shw ID` shows it.",                       # a group's subcommand, without the prefix
    "Start it with interviewer ui --prot 8000 and open the page.",  # prose, with an option
])
def test_a_stale_command_or_option_is_caught(doc):
    assert invocations("doc", doc)


@pytest.mark.parametrize("doc", [
    "Type /skp to move on.",
    "Type /skip, /repeat or /quite.",
    "Commands: /hint, /skip, /stop.",
])
def test_a_stale_slash_command_is_caught(doc):
    assert slash_commands("doc", doc)


@pytest.mark.parametrize("doc", [
    "The grader lives in `interviewer/grader/` and the UI ships as `interviewer.ui`.",
    "The interviewer grades each answer and asks follow-ups; `INTERVIEWER_HOME` is the user directory.",
    "Run `interviewer interview -c mlops -n 2 --seed 3` or `interviewer sessions export ID --format json`.",
    "```text\n$ interviewer bank list -c mlops   # browse; `bank show ID`\n```",
    "API clients call `/start` and `/answer`; files under /dev/full; type /hint or /quit.",
])
def test_paths_prose_and_real_commands_pass(doc):
    assert invocations("doc", doc) == [] and slash_commands("doc", doc) == []
