"""The AMX crash (ggml-org/llama.cpp#20824): this install compiles the AMX path out, and a build that has it
is loaded in a way that stays off it on AMX CPUs."""

from __future__ import annotations

import pytest

from interviewer.llm import local
from interviewer.llm.local import LocalModel

QUESTION = [{"role": "user", "content": "Is Paris the capital of France? Answer Yes or No."}]


@pytest.mark.slow
def test_the_installed_build_has_no_amx_path():
    """`make install` (and .ci/run) build llama-cpp-python with -mno-amx-*: on an AMX host a native build
    would otherwise compile the crashing path in."""
    assert not local.build_has_amx()


@pytest.mark.slow
def test_an_amx_build_on_an_amx_cpu_loads_without_extra_buffer_types(small_model, monkeypatch):
    monkeypatch.setattr(local, "cpu_has_amx", lambda: True)
    monkeypatch.setattr(local, "build_has_amx", lambda: True)
    model = LocalModel("local:amx-check", small_model.path, n_ctx=512)
    try:
        assert model.safe_mode
        assert model.llm.model_params.use_extra_bufts is False
        probs = model.choose(QUESTION, ["Yes", "No"])
        assert abs(sum(probs.values()) - 1) < 1e-6
    finally:
        model.close()
    import llama_cpp.llama_cpp as lib

    assert lib.llama_model_default_params().use_extra_bufts is True, "the library's default is restored"


@pytest.mark.slow
def test_a_normal_load_keeps_extra_buffer_types(small_model, monkeypatch):
    monkeypatch.setattr(local, "cpu_has_amx", lambda: False)
    model = LocalModel("local:plain", small_model.path, n_ctx=512)
    try:
        assert not model.safe_mode and model.llm.model_params.use_extra_bufts is True
    finally:
        model.close()
