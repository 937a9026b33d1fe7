"""bench/judge.py's GGUF header reader and speed stand-ins (issue 17, "a stronger judge"): read from the real
default model's first chunk package, so a wrong size or a header the writer garbles fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from judge import SHAPES, NotGGUF, read_head, write_reshaped, write_standin

from interviewer.llm.catalog import CATALOG, DEFAULT_ALIAS, _part_path


@pytest.fixture(scope="module")
def first_chunk() -> Path:
    """The default model's first chunk: its GGUF header and the first tensors (installed with the project)."""
    pkg, rel = CATALOG[DEFAULT_ALIAS].parts[0]
    return _part_path(pkg, rel)


def test_header_of_a_first_chunk_knows_the_whole_file(first_chunk):
    with first_chunk.open("rb") as f:
        head = read_head(f)
    model = CATALOG[DEFAULT_ALIAS]
    assert first_chunk.stat().st_size < model.size
    assert head.size == model.size  # the size the catalog pins with its sha256
    assert head.metadata["general.architecture"] == "qwen2"
    assert head.metadata["qwen2.block_count"] == 28
    assert 1.5e9 < head.parameters < 1.9e9  # 1.54B, plus the untied output matrix this file carries


def test_standin_is_the_header_then_zeros(first_chunk, tmp_path):
    out = tmp_path / "standin.gguf"
    head = write_standin(first_chunk, out)
    assert out.stat().st_size == CATALOG[DEFAULT_ALIAS].size
    with first_chunk.open("rb") as a, out.open("rb") as b:
        assert a.read(head.data_start) == b.read(head.data_start)
        assert set(b.read(1 << 20)) == {0}
    with out.open("rb") as f:
        assert read_head(f).size == head.size


def test_reshaped_standin_has_the_new_shapes(first_chunk, tmp_path):
    out = tmp_path / "3b.gguf"
    head = write_reshaped(first_chunk, SHAPES["qwen2.5-3b"], out)
    assert out.stat().st_size == head.size
    assert head.metadata["qwen2.block_count"] == 36
    assert head.metadata["qwen2.embedding_length"] == 2048
    assert head.metadata["general.size_label"] == "3B"
    assert head.tensors == 3 + 36 * 12  # token_embd, output_norm, output + 12 per qwen2 layer
    assert 3.0e9 < head.parameters < 3.5e9
    # tokenizer and chat template carried over unchanged
    with first_chunk.open("rb") as f:
        src = read_head(f)
    assert head.metadata["tokenizer.chat_template"] == src.metadata["tokenizer.chat_template"]
    assert head.metadata["tokenizer.ggml.tokens"] == src.metadata["tokenizer.ggml.tokens"]


def test_not_a_gguf_file(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"PK\x03\x04" + bytes(64))
    with bad.open("rb") as f, pytest.raises(NotGGUF):
        read_head(f)
