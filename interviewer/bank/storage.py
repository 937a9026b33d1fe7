"""Reading and writing the bank's data files: one YAML file per question, grouped by category."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import BankError
from ..files import atomic_write_all
from .models import Question


def read_text(path: Path | Traversable) -> str:
    """Read a text file as UTF-8 (a BOM is allowed); any other encoding is a clear error."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BankError(
            f"{path}: not UTF-8 text (byte {e.start}: {data[e.start:e.start + 1]!r}); save it as UTF-8 and retry"
        ) from None


def _format_validation(e: ValidationError) -> str:
    parts = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(question)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_question(text: str, origin: str) -> Question:
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as e:
        raise BankError(f"{origin}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise BankError(f"{origin}: expected a mapping with id, category, question, reference_answer")
    qid = data.get("id", "?")
    try:
        return Question.model_validate(data)
    except ValidationError as e:
        raise BankError(f"{origin}: question {qid}: {_format_validation(e)}") from None


def load_question_file(path: Path | Traversable) -> Question:
    return parse_question(read_text(path), str(path))


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list_representer(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    flow = all(isinstance(v, str) and len(v) <= 40 for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_LiteralDumper.add_representer(str, _str_representer)
_LiteralDumper.add_representer(list, _list_representer)


def dump_question(question: Question) -> str:
    dumped = question.model_dump(mode="json", exclude_none=True)
    order = ["id", "category", "number", "question", "difficulty", "tags", "scope", "reference_answer", "rubric"]
    data = {key: dumped[key] for key in order if key in dumped}
    # Multi-line strings must not carry trailing spaces, or YAML falls back to quoted style.
    data["reference_answer"] = "\n".join(line.rstrip() for line in data["reference_answer"].splitlines())
    return yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=4096)


def question_path(root: Path, question: Question) -> Path:
    return root / question.category_slug / f"{question.id}.yaml"


def write_bank(root: Path, questions: Iterable[Question]) -> list[Path]:
    """Write every question atomically: all files are staged first, then each is renamed into place."""

    def files() -> Iterator[tuple[Path, str]]:
        for q in questions:
            target = question_path(root, q)
            target.parent.mkdir(parents=True, exist_ok=True)
            yield target, dump_question(q)

    return atomic_write_all(files())


@dataclass
class Bank:
    questions: dict[str, Question] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def add(self, question: Question, origin: str) -> None:
        if question.id in self.questions:
            raise BankError(f"{origin}: question {question.id}: duplicate id (also in {self.files[question.id]})")
        self.questions[question.id] = question
        self.files[question.id] = origin

    def get(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise BankError(f"unknown question id {question_id!r}; `interviewer bank list` shows the ids") from None

    @property
    def categories(self) -> dict[str, list[Question]]:
        out: dict[str, list[Question]] = {}
        for q in sorted(self.questions.values(), key=lambda q: (q.category_slug, q.number)):
            out.setdefault(q.category, []).append(q)
        return out

    def in_categories(self, categories: Iterable[str] | None) -> list[Question]:
        """Questions in the named categories (by name or slug, case-insensitive); all when None."""
        if not categories:
            return list(self.categories_flat())
        wanted = {c.strip().lower() for c in categories}
        known = {name.lower(): name for name in self.categories} | {
            q.category_slug: q.category for q in self.questions.values()
        }
        unknown = sorted(w for w in wanted if w not in known)
        if unknown:
            raise BankError(f"unknown categories: {', '.join(unknown)}; known: {', '.join(self.categories)}")
        names = {known[w] for w in wanted}
        return [q for q in self.categories_flat() if q.category in names]

    def categories_flat(self) -> Iterable[Question]:
        for qs in self.categories.values():
            yield from qs

    def __len__(self) -> int:
        return len(self.questions)


def _iter_yaml(root: Path | Traversable) -> Iterable[Path | Traversable]:
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _iter_yaml(entry)
        elif entry.name.endswith((".yaml", ".yml")):
            yield entry


def shipped_bank_root() -> Traversable:
    return resources.files("interviewer.rubrics") / "bank"


def load_bank_dir(root: Path | Traversable, bank: Bank | None = None) -> Bank:
    bank = bank if bank is not None else Bank()
    if isinstance(root, Path) and not root.is_dir():
        raise BankError(f"{root}: no such bank directory")
    for path in _iter_yaml(root):
        bank.add(load_question_file(path), str(path))
    return bank


def load_bank(extra: Iterable[Path] = (), include_user: bool = True) -> Bank:
    """The shipped bank, plus the user's imported bank, plus any extra directories."""
    from ..paths import user_bank_dir

    bank = load_bank_dir(shipped_bank_root())
    roots = list(extra)
    if include_user and user_bank_dir().is_dir():
        roots.insert(0, user_bank_dir())
    for root in roots:
        load_bank_dir(root, bank)
    return bank
