"""The model registry's memory stays bounded: local models are cached by file, API clients by LRU."""

from __future__ import annotations

import pytest

from interviewer.errors import ModelError
from interviewer.llm import registry
from interviewer.llm.fake import ScriptedModel
from interviewer.settings import Settings


@pytest.fixture(autouse=True)
def own_instances(monkeypatch):
    """Each test sees an empty cache (the suite's real models stay cached outside it)."""
    from collections import OrderedDict

    monkeypatch.setattr(registry, "_INSTANCES", OrderedDict())


@pytest.fixture
def heavy_fake():
    made = []

    def factory(name, spec, settings):
        made.append(name)
        return ScriptedModel(name)

    registry.register_backend("heavyfake", factory, cache_key=lambda n, s, st: (s,), heavy=True)
    yield made
    registry.unregister_backend("heavyfake")


def test_one_local_instance_per_file_whatever_the_endpoint_settings(heavy_fake):
    a = registry.get_model("heavyfake:m1", Settings(base_url="http://127.0.0.1:1/v1"))
    b = registry.get_model("heavyfake:m1", Settings(base_url="http://127.0.0.1:2/v1", api_key="k"))
    assert a is b and heavy_fake == ["heavyfake:m1"]


def test_local_models_are_capped(heavy_fake):
    settings = Settings(max_local_models=2)
    registry.get_model("heavyfake:m1", settings)
    registry.get_model("heavyfake:m2", settings)
    with pytest.raises(ModelError, match="holds 2 local model"):
        registry.get_model("heavyfake:m3", settings)
    assert registry.get_model("heavyfake:m1", settings).name == "heavyfake:m1"  # cached ones still served


def test_api_clients_are_bounded():
    registry.register_backend("lightfake", lambda name, spec, settings: ScriptedModel(name))
    try:
        for i in range(registry.MAX_CLIENTS * 3):
            registry.get_model("lightfake:m", Settings(base_url=f"http://127.0.0.1:{1000 + i}/v1"))
        assert sum(1 for k in registry._INSTANCES if k[0] == "lightfake") == registry.MAX_CLIENTS
    finally:
        registry.unregister_backend("lightfake")
