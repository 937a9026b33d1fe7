"""`interviewer ui`: the web UI (Gradio) on 127.0.0.1."""

from __future__ import annotations

import click

from ..settings import Settings
from . import cli
from .options import model_options


@cli.command()
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=7860, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Only change it on purpose: the UI has no login.")
@click.option("--share", is_flag=True, help="Also open a public Gradio share link (needs internet access).")
@click.option("--open", "open_browser", is_flag=True, help="Open the UI in your web browser.")
@click.option("--concurrency", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Answers graded at the same time; more wait in a visible queue.")
@model_options
def ui(port: int, host: str, share: bool, open_browser: bool, concurrency: int, settings: Settings) -> None:
    """Start the web UI: set up an interview, answer in a chat, see scores, reports and history.

    It serves on http://127.0.0.1:7860 by default. --model picks the model preselected in the setup panel;
    an API key given here (or in INTERVIEWER_API_KEY) is used when the page leaves its key field empty.
    """
    from ..ui.app import launch  # gradio is slow to import: only this command needs it

    if share or host not in ("127.0.0.1", "localhost", "::1"):
        click.echo("Warning: the UI has no login. Anyone who can reach it can read every session in its "
                   "history and start interviews on this machine.", err=True)
    click.echo(f"Interviewer UI on http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port} "
               "(Ctrl+C to stop)", err=True)
    try:
        launch(host=host, port=port, share=share, open_browser=open_browser, settings=settings,
               concurrency=concurrency, quiet=not share)
    except OSError as e:  # e.g. the port is taken
        raise click.ClickException(f"cannot serve on {host}:{port}: {e}") from None
