"""Import a question document (the seed's format) into bank questions.

The format: a preamble, then categories. A category is a name line followed by a line
"N questions". Each question is a line that starts with its number glued to its text
("1Explain ...", "10What ..."), followed by its reference answer: prose paragraphs, bullet
lines ("  • ...") and code lines (comments, imports, assignments, calls) with no fences.
The importer turns the answer into Markdown (code fenced, bullets as "- "), keeping every
character of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BankError
from .models import Question, slugify
from .storage import read_text

COUNT_RE = re.compile(r"^(\d+) questions?$")
BULLET_RE = re.compile(r"^\s*[•▪◦●\-*]\s+")
NUMBERED_RE = re.compile(r"^\s*\d+[.)]\s+\S")
CODE_RES = [
    re.compile(r"^\s*(#|//)"),  # comments
    re.compile(r"^\s*(from\s+[\w.]+\s+import\b|import\s+[\w.{*])"),
    re.compile(r"^\s*(def|class|async def|with|for|while|if|elif|try|except|finally|return|yield|raise|await)\b.*$"),
    re.compile(r"^\s*(const|let|var|function|export)\s"),
    re.compile(r"^\s*else\s*:"),
    re.compile(r"^\s*@\w"),  # decorators
    re.compile(r"^\s*[^\s=\"']+(\s*,\s*[A-Za-z_][\w.]*)*\s*(\+|-|\*|/|\|)?=(?!=)"),  # x = ..., a, b = ...
    re.compile(r"^\s*[A-Za-z_][\w.]*\(.*\)\s*;?\s*(#.*)?$"),  # call(...)
    re.compile(r"^.*(\{|\(|\[|=>|;)\s*$"),  # a line that opens a block or ends a statement
    re.compile(r"^\s*[\]\)}]"),  # closing brackets
    re.compile(r"^\s*[\w\"'-]+\s*:\s*[\[{]\s*$"),
    re.compile(r"^\s*\"[\w\- ]+\"\s*:\s*(\"|\d|\[|\{|true|false|null)"),  # JSON keys
    re.compile(r"^\s*[\w.-]+:\s*$"),  # YAML key opening a block ("jobs:")
    re.compile(r"^\s{2,}[\w.-]+:\s+\S"),  # indented YAML key: value
    re.compile(r"^\s*(\./|sudo |\$ |pip |python |docker |kubectl |curl |git |mlflow |vllm |torchrun |accelerate )"),
    re.compile(r"^\s*(SELECT|INSERT|CREATE|UPDATE|DELETE|WITH)\b[A-Z ]"),
    re.compile(r"^ {4,}\S"),  # indented continuation
]


@dataclass
class RawQuestion:
    category: str
    number: int
    question: str
    body: list[str]
    line: int


def is_code(line: str) -> bool:
    if BULLET_RE.match(line):
        # "- item" indented four or more spaces is a YAML list inside code, not a prose bullet.
        return bool(re.match(r"^ {4,}[-*]\s", line))
    return any(r.match(line) for r in CODE_RES)


def to_markdown(body: list[str]) -> str:
    """Turn an answer's raw lines into Markdown: code runs fenced, bullets as '- ' items."""
    lines = [line.rstrip() for line in body]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    kinds: list[str] = []
    in_string = False
    for line in lines:
        if in_string:
            kinds.append("code")
            in_string = line.count('"""') % 2 == 0
        elif not line.strip():
            kinds.append("blank")
        elif is_code(line):
            kinds.append("code")
            in_string = line.count('"""') % 2 == 1
        elif BULLET_RE.match(line):
            kinds.append("bullet")
        else:
            kinds.append("prose")
    # A prose line between two code lines, with no blank line around it, is code too.
    for i in range(1, len(kinds)):
        if kinds[i] != "prose" or kinds[i - 1] != "code":
            continue
        sandwiched = i + 1 < len(kinds) and kinds[i + 1] == "code"
        # A line right under a comment that does not read as a sentence is the command the comment describes.
        under_comment = lines[i - 1].lstrip().startswith(("#", "//")) and not lines[i].rstrip().endswith((".", ":"))
        if sandwiched or under_comment:
            kinds[i] = "code"
    out: list[str] = []
    i = 0
    while i < len(lines):
        kind = kinds[i]
        if kind == "code":
            j = i
            # A code block runs on through blank lines when code follows them.
            while j < len(lines) and (
                kinds[j] == "code" or (kinds[j] == "blank" and j + 1 < len(lines) and kinds[j + 1] == "code")
            ):
                j += 1
            _separate(out)
            out.append("```")
            out.extend(lines[i:j])
            out.append("```")
            i = j
        elif kind == "bullet":
            if out and out[-1] and not out[-1].startswith("- "):
                out.append("")
            out.append("- " + BULLET_RE.sub("", lines[i]))
            i += 1
        elif kind == "blank":
            if out and out[-1] != "":
                out.append("")
            i += 1
        else:
            if out and out[-1] != "" :
                out.append("")
            out.append(lines[i].strip())
            i += 1
    return "\n".join(out).strip("\n")


def _separate(out: list[str]) -> None:
    if out and out[-1] != "":
        out.append("")


def _question_start(line: str, expected: int, declared: int) -> str | None:
    """The question text if the line starts question number `expected`, else None."""
    if expected > declared:
        return None
    prefix = str(expected)
    if not line.startswith(prefix):
        return None
    rest = line[len(prefix):]
    if not rest or rest[0].isdigit() or not (rest[0].isupper() or rest[0] in "\"'“("):
        return None
    return rest.strip()


def parse_document(text: str, origin: str = "<document>") -> list[RawQuestion]:
    lines = text.splitlines()
    questions: list[RawQuestion] = []
    category: str | None = None
    declared = 0
    expected = 1
    counts: dict[str, tuple[int, int]] = {}
    for i, line in enumerate(lines):
        stripped = line.strip()
        m = COUNT_RE.match(stripped)
        if m:
            # The category name is the last non-empty line before "N questions".
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            if j < 0:
                raise BankError(f"{origin}:{i + 1}: '{stripped}' with no category name before it")
            name = lines[j].strip()
            if questions and questions[-1].body and questions[-1].body[-1:] and lines[j] in questions[-1].body:
                # The name line was taken as answer text of the previous question: give it back.
                body = questions[-1].body
                while body and body[-1].strip() != name:
                    body.pop()
                if body:
                    body.pop()
            category = name
            if category in counts:
                raise BankError(f"{origin}:{j + 1}: category {category!r} appears twice")
            declared = int(m.group(1))
            expected = 1
            counts[category] = (declared, j + 1)
            continue
        if category is None:
            continue  # preamble
        start = _question_start(stripped, expected, declared)
        if start:
            questions.append(RawQuestion(category, expected, start, [], i + 1))
            expected += 1
            continue
        if questions and questions[-1].category == category:
            questions[-1].body.append(line)
        elif stripped:
            raise BankError(f"{origin}:{i + 1}: text in category {category!r} before its first question: {stripped[:60]!r}")
    if not questions:
        raise BankError(f"{origin}: no questions found (expected category headers followed by 'N questions')")
    for name, (n, line_no) in counts.items():
        found = sum(1 for q in questions if q.category == name)
        if found != n:
            raise BankError(f"{origin}:{line_no}: category {name!r} declares {n} questions but {found} were found")
    for q in questions:
        if not any(line.strip() for line in q.body):
            raise BankError(f"{origin}:{q.line}: question {q.category} #{q.number} has no reference answer")
    return questions


def import_document(path: Path, existing: dict[str, Question] | None = None) -> list[Question]:
    """Parse a document into bank questions. Rubrics, difficulty, tags and scope notes of existing questions with
    the same id and question text are kept, so re-importing never loses hand-written rubrics."""
    text = read_text(path)
    existing = existing or {}
    out = []
    for raw in parse_document(text, str(path)):
        qid = f"{slugify(raw.category)}-{raw.number:02d}"
        reference = to_markdown(raw.body)
        keep = existing.get(qid)
        fields = {}
        if keep is not None and keep.question == raw.question:
            fields = {"difficulty": keep.difficulty, "tags": keep.tags, "scope": keep.scope, "rubric": keep.rubric}
        try:
            q = Question(
                id=qid, category=raw.category, number=raw.number, question=raw.question,
                reference_answer=reference, **fields,
            )
        except Exception:
            # A kept rubric whose sources no longer match the new reference answer is dropped, not kept wrong.
            q = Question(id=qid, category=raw.category, number=raw.number, question=raw.question,
                         reference_answer=reference)
        out.append(q)
    return out
