"""The model registry's memory stays bounded: local models are cached by file and evicted when idle, API clients
by LRU."""

from __future__ import annotations

import pytest
from fakes import ScriptedModel, backend

from interviewer.errors import ModelBusy
from interviewer.llm import registry
from interviewer.settings import Settings


@pytest.fixture(autouse=True)
def own_instances(monkeypatch):
    """Each test sees an empty cache (the suite's real models stay cached, and counted, outside it)."""
    import weakref
    from collections import OrderedDict

    monkeypatch.setattr(registry, "_INSTANCES", OrderedDict())
    monkeypatch.setattr(registry, "_HEAVY", weakref.WeakSet())


@pytest.fixture
def heavy_fake():
    made = []

    def factory(name, spec, settings):
        made.append(name)
        return ScriptedModel(name)

    with backend("heavyfake", factory, cache_key=lambda n, s, st: (s,), heavy=True):
        yield made


def test_one_local_instance_per_file_whatever_the_endpoint_settings(heavy_fake):
    a = registry.get_model("heavyfake:m1", Settings(base_url="http://127.0.0.1:1/v1"))
    b = registry.get_model("heavyfake:m1", Settings(base_url="http://127.0.0.1:2/v1", api_key="k"))
    assert a is b and heavy_fake == ["heavyfake:m1"]


def test_a_full_cache_evicts_the_least_recently_used_idle_model(heavy_fake):
    """Past the cap, a new heavy model takes the slot of the least recently used one nothing refers to; that
    one is freed (nothing else held it), the others stay cached."""
    import weakref

    settings = Settings(max_local_models=2)
    m2 = weakref.ref(registry.get_model("heavyfake:m2", settings))
    registry.get_model("heavyfake:m1", settings)
    registry.get_model("heavyfake:m2", settings)  # m1 is now the least recently used
    m1 = weakref.ref(registry.get_model("heavyfake:m1", settings))
    registry.get_model("heavyfake:m2", settings)
    registry.get_model("heavyfake:m3", settings)
    assert m1() is None and m2() is not None
    assert sorted(k[1] for k in registry._INSTANCES) == ["m2", "m3"]
    assert heavy_fake == ["heavyfake:m2", "heavyfake:m1", "heavyfake:m3"]


def test_a_model_in_use_is_never_evicted(heavy_fake, monkeypatch):
    """While every loaded model is referenced (a request is using it), a new one waits for a slot and, when
    none frees up in time, is refused; the models in use stay cached and open."""
    monkeypatch.setattr(registry, "SLOT_WAIT_S", 0.2)
    settings = Settings(max_local_models=2)
    held = [registry.get_model("heavyfake:m1", settings), registry.get_model("heavyfake:m2", settings)]
    with pytest.raises(ModelBusy, match="in use"):
        registry.get_model("heavyfake:m3", settings)
    assert registry.get_model("heavyfake:m1", settings) is held[0]
    assert registry.get_model("heavyfake:m2", settings) is held[1]
    assert heavy_fake == ["heavyfake:m1", "heavyfake:m2"]


def test_a_load_waits_until_a_model_is_let_go(heavy_fake):
    """A load that finds every slot in use waits; when one request lets its model go, the load takes that
    slot (the model it replaces was never closed under its user, only dropped once unused)."""
    import threading
    import weakref

    settings = Settings(max_local_models=2)
    held = [registry.get_model("heavyfake:m1", settings), registry.get_model("heavyfake:m2", settings)]
    first = weakref.ref(held[0])
    got: list = []
    loader = threading.Thread(target=lambda: got.append(registry.get_model("heavyfake:m3", settings)))
    loader.start()
    while registry.waiting() == 0 and loader.is_alive():
        threading.Event().wait(0.01)
    assert registry.waiting() == 1, "the load should be waiting for a slot"
    del held[0]  # the request using m1 is done
    loader.join(timeout=60)
    assert [m.name for m in got] == ["heavyfake:m3"]
    assert first() is None
    assert sorted(k[1] for k in registry._INSTANCES) == ["m2", "m3"]


def test_api_clients_are_bounded():
    with backend("lightfake", lambda name, spec, settings: ScriptedModel(name)):
        for i in range(registry.MAX_CLIENTS * 3):
            registry.get_model("lightfake:m", Settings(base_url=f"http://127.0.0.1:{1000 + i}/v1"))
        assert sum(1 for k in registry._INSTANCES if k[0] == "lightfake") == registry.MAX_CLIENTS
