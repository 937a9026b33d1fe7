"""`interviewer models ...`: what models are available, and a quick check that one works."""

from __future__ import annotations

import resource
import time

import click
from rich.console import Console
from rich.table import Table

from ..llm.catalog import CATALOG, DEFAULT_ALIAS
from ..llm.registry import backends, get_model
from ..paths import models_dir
from ..settings import Settings
from . import cli
from .options import model_options


@cli.group()
def models() -> None:
    """List and check language models."""


@models.command("list")
def list_() -> None:
    """Packaged local models, backends, where the default lives, and GPU offload support."""
    from ..llm.local import gpu_offload_supported

    table = Table("name", "installed", "file", "licence", title="Packaged local models (no download needed)")
    for alias, m in CATALOG.items():
        name = f"local:{alias}" + (" (default)" if alias == DEFAULT_ALIAS else "")
        if len(m.parts) > 1:
            path = models_dir() / m.filename
            where = f"{path} ({'assembled' if path.is_file() else 'assembled from its parts on first use'})"
        else:
            where = f"inside package {m.parts[0][0]}"
        table.add_row(name, "yes" if m.installed() else f"no: {m.install_hint}", where, m.licence)
    console = Console()
    console.print(table)
    for prefix, b in backends().items():
        console.print(f"[bold]{prefix}:[/] {b.help}")
    gpu = gpu_offload_supported()
    console.print(f"GPU offload in this llama-cpp-python build: [bold]{'yes' if gpu else 'no'}[/]"
                  + ("" if gpu else " (CPU only; rebuild with CMAKE_ARGS='-DGGML_CUDA=on' for NVIDIA GPUs)"))


@models.command()
@click.argument("name", required=False)
@model_options
def check(name: str | None, settings: Settings) -> None:
    """Load a model, run one short chat and one constrained choice, print latency and speed."""
    name = name or settings.model
    start = time.perf_counter()
    model = get_model(name, settings)
    load = time.perf_counter() - start
    click.echo(f"{model.model_id}: loaded in {load:.2f}s")
    start = time.perf_counter()
    before = model.stats.completion_tokens
    reply = model.chat([{"role": "user", "content": "In one sentence: what is overfitting?"}], max_tokens=48)
    chat_s = time.perf_counter() - start
    tokens = model.stats.completion_tokens - before
    rate = f", {tokens / chat_s:.1f} tok/s" if tokens else ""
    click.echo(f"chat ({chat_s:.2f}s{rate}): {reply.strip()[:200]}")
    start = time.perf_counter()
    probs = model.choose(
        [{"role": "user", "content": "Is 'a model that memorises noise in its training data' a description of "
                                    "overfitting? Reply Yes or No."}], ["Yes", "No"])
    click.echo(f"choice ({time.perf_counter() - start:.2f}s): " + ", ".join(f"{k}={v:.3f}" for k, v in probs.items())
               + ("" if model.gives_probabilities else " (this backend gives no probabilities)"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(f"peak RSS {peak:.0f} MiB")
    if probs["Yes"] <= probs["No"]:
        click.secho("warning: the model answered this easy check wrongly; its grades will be unreliable", fg="yellow")
