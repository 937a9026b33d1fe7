"""The local llama.cpp backend with real GGUF models, and the packaged default model's assembly."""

from __future__ import annotations

import hashlib
import sys

import pytest

from interviewer.errors import ModelError, ModelNotFound
from interviewer.llm.base import CACHE_BREAK
from interviewer.llm.catalog import PackagedModel, assemble, resolve
from interviewer.llm.local import LocalModel, gpu_offload_supported
from interviewer.llm.registry import get_model

pytestmark = pytest.mark.slow

QUESTION = [
    {"role": "system", "content": "You check arithmetic."},
    {"role": "user", "content": f"Question: what is 2 + 2?\n{CACHE_BREAK}Answer given: 4\n{CACHE_BREAK}"
                                "Is the answer given correct? Reply Yes or No."},
]


def test_chat(small_model):
    reply = small_model.chat([{"role": "user", "content": "Say hi."}], max_tokens=12)
    assert isinstance(reply, str) and reply.strip()


def test_choose_returns_a_distribution(small_model):
    probs = small_model.choose(QUESTION, ["Yes", "No"])
    assert set(probs) == {"Yes", "No"}
    assert abs(sum(probs.values()) - 1) < 1e-6 and all(0 <= p <= 1 for p in probs.values())
    multi = small_model.choose(QUESTION, ["correct", "wrong", "unsure"])
    assert abs(sum(multi.values()) - 1) < 1e-6


def test_choose_is_independent_of_what_was_evaluated_before(small_model):
    """Cached prefixes are reused whole or not at all, so the same prompt gives the same probabilities (which is
    what makes memoizing them sound)."""
    small_model.clear_memo()
    first = small_model.choose(QUESTION, ["Yes", "No"])
    other = [QUESTION[0], {"role": "user", "content": QUESTION[1]["content"].replace("4", "5")}]
    small_model.choose(other, ["Yes", "No"])
    small_model.chat([{"role": "user", "content": "Unrelated text to disturb the cache."}], max_tokens=4)
    small_model.clear_memo()  # evaluate again, not from the memo
    again = small_model.choose(QUESTION, ["Yes", "No"])
    assert again == first
    small_model.clear_memo()
    before = small_model.stats.cached_tokens
    small_model.choose(QUESTION, ["Yes", "No"])
    assert small_model.stats.cached_tokens > before  # the shared prefix was reused
    hits = small_model.stats.memo_hits
    assert small_model.choose(QUESTION, ["Yes", "No"]) == first and small_model.stats.memo_hits == hits + 1


def test_default_model_is_packaged_and_verified(default_model):
    assert default_model.name == "local:qwen2.5-coder-1.5b"
    assert default_model.path.stat().st_size == 1_117_320_768
    probs = default_model.choose(QUESTION, ["Yes", "No"])
    assert probs["Yes"] > probs["No"]


def test_gpu_layers_without_gpu_build_is_a_clear_error(small_model):
    if gpu_offload_supported():
        pytest.skip("this build has GPU offload")
    with pytest.raises(ModelError, match="no GPU support"):
        LocalModel("local:x", small_model.path, n_gpu_layers=-1)


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(ModelNotFound, match="no such file"):
        resolve(str(tmp_path / "nope.gguf"))
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + b"\0" * 1000)
    with pytest.raises(ModelError, match="could not load"):
        LocalModel("local:junk", junk)


def make_parts(tmp_path, monkeypatch, chunks):
    for i, data in enumerate(chunks, 1):
        pkg = tmp_path / "site" / f"fakepart{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return tuple((f"fakepart{i}", f"data/part{i:02d}.bin") for i in range(1, len(chunks) + 1))


def test_assemble_joins_parts_and_checks_sha256(tmp_path, monkeypatch):
    chunks = [b"abc" * 1000, b"def" * 1000]
    parts = make_parts(tmp_path, monkeypatch, chunks)
    good = PackagedModel("fake", "d", "fake.gguf", hashlib.sha256(b"".join(chunks)).hexdigest(), 6000, parts, "x", "hint")
    out = assemble(good, tmp_path / "models", progress=False)
    assert out.read_bytes() == b"".join(chunks)
    assert assemble(good, tmp_path / "models", progress=False) == out  # second call reuses the verified file


def test_assemble_refuses_corrupt_parts_and_leaves_nothing(tmp_path, monkeypatch):
    parts = make_parts(tmp_path, monkeypatch, [b"abc", b"xyz"])
    bad = PackagedModel("fake", "d", "fake.gguf", "0" * 64, 6, parts, "x", "reinstall hint")
    target = tmp_path / "models"
    target.mkdir()
    with pytest.raises(ModelNotFound, match="sha256.*reinstall hint"):
        assemble(bad, target, progress=False)
    assert list(target.iterdir()) == []


def test_missing_parts_name_the_install_command(tmp_path):
    missing = PackagedModel("fake", "d", "f.gguf", "0" * 64, 1, (("no_such_pkg_xyz", "p"),) * 2, "x", "pip install it")
    with pytest.raises(ModelNotFound, match="pip install it"):
        assemble(missing, tmp_path, progress=False)


def test_unknown_names():
    with pytest.raises(ModelNotFound, match="backend:name"):
        get_model("qwen")
    with pytest.raises(ModelNotFound, match="unknown model backend 'hf'"):
        get_model("hf:gpt2")


def _evict(model) -> None:
    """Empty the model's prompt cache and its memo of results."""
    model.chat([{"role": "user", "content": "Unrelated text to empty the cache."}], max_tokens=2)
    model.clear_memo()


def _fresh(model, kind: str):
    """(question, answer, grader, the answer's grade from a cold model), the model left cold again."""
    from sample_answers import ANSWERS

    from interviewer.bank.storage import load_bank
    from interviewer.grader.grader import Grader

    q = load_bank(include_user=False).get("ml-fundamentals-01")
    answer, grader = ANSWERS[q.id][kind], Grader(model)
    _evict(model)
    fresh = grader.grade(q, answer)
    _evict(model)
    return q, answer, grader, fresh


@pytest.mark.slow
def test_reading_ahead_a_draft_changes_no_grade(small_model):
    """Grading after the UI handed over drafts gives exactly the grade of a fresh evaluation, and reads fewer
    new tokens at submit."""
    q, answer, grader, fresh = _fresh(small_model, "strong")
    cold = small_model.stats.prompt_tokens
    grader.grade(q, answer)
    cold = small_model.stats.prompt_tokens - cold
    _evict(small_model)
    for cut in (0.3, 0.6, 0.9):
        assert grader.warm(q, answer[: int(len(answer) * cut)]) > 0
    before = small_model.stats.prompt_tokens
    warmed = grader.grade(q, answer)
    saved = cold - (small_model.stats.prompt_tokens - before)
    assert saved > len(small_model.llm.tokenize(answer.encode())) / 2  # most of the answer was read ahead
    assert [c.signals for c in warmed.criteria] == [c.signals for c in fresh.criteria]
    assert warmed.score == fresh.score


@pytest.mark.slow
def test_a_draft_equal_to_the_answer_is_graded_ahead(small_model):
    """A draft that is the final answer is judged while the candidate pauses: the grade then reads no new
    token, and is the grade a fresh evaluation gives."""
    q, answer, grader, fresh = _fresh(small_model, "partial")
    grader.warm(q, answer)
    before, hits = small_model.stats.prompt_tokens, small_model.stats.memo_hits
    ahead = grader.grade(q, answer)
    assert small_model.stats.prompt_tokens == before
    assert small_model.stats.memo_hits - hits == len(q.rubric.criteria)  # every point (anchors: the grader's own)
    assert [c.signals for c in ahead.criteria] == [c.signals for c in fresh.criteria]
