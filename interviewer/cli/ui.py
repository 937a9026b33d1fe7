"""`interviewer ui`: the web UI (Gradio) on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import click

from ..settings import Settings
from . import cli
from .options import InputFile, model_options


@cli.command()
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=7860, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Serving beyond this machine? Set a login with --auth-file.")
@click.option("--auth-file", type=InputFile(), default=None,
              envvar="INTERVIEWER_UI_AUTH_FILE",
              help="A login for the page: a file of `user:password` lines (or INTERVIEWER_UI_AUTH_FILE).")
@click.option("--share", is_flag=True, help="Also open a public Gradio share link (needs internet access).")
@click.option("--open", "open_browser", is_flag=True, help="Open the UI in your web browser.")
@click.option("--concurrency", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Answers graded at the same time; more wait in a visible queue.")
@click.option("--allow-model-dir", "model_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Let the page's users load GGUF files from this folder (repeatable). "
              "[env INTERVIEWER_ALLOW_MODEL_DIRS, separated by ':']")
@click.option("--allow-endpoint", "endpoints", multiple=True, metavar="URL",
              help="Let the page's users name this OpenAI-compatible base URL, or one below it (repeatable); "
              "they bring their own key. [env INTERVIEWER_ALLOW_ENDPOINTS, separated by ',']")
@model_options
def ui(port: int, host: str, share: bool, open_browser: bool, concurrency: int, auth_file: Path | None,
       model_dirs: tuple[Path, ...], endpoints: tuple[str, ...], settings: Settings) -> None:
    """Start the web UI: set up an interview, answer in a chat, see scores, reports and history.

    It serves on http://127.0.0.1:7860 by default. --model picks the model preselected in the setup panel;
    an API key given here (or in INTERVIEWER_API_KEY) is used when the page leaves its key field empty.

    The page's users (and API clients) may pick this model, the packaged models, and any model at the
    endpoint set with --base-url (with the server's key). GGUF files and other endpoints only where
    --allow-model-dir / --allow-endpoint allow them; a login (--auth-file) limits failed tries.
    """
    from ..ui.app import launch  # gradio is slow to import: only this command needs it
    from ..ui.offer import canonical_url

    for url in endpoints:
        if canonical_url(url) is None:
            raise click.BadParameter(f"{url!r} is not a plain http(s) base URL (no user, query, fragment or "
                                     "percent-escapes), e.g. http://127.0.0.1:8000/v1", param_hint="'--allow-endpoint'")
    settings = settings.with_overrides(allow_model_dirs=[str(d) for d in model_dirs] or None,
                                       allow_endpoints=list(endpoints) or None)
    auth = read_auth(auth_file) if auth_file else None
    if (share or host not in ("127.0.0.1", "localhost", "::1")) and not auth:
        click.echo("Warning: serving beyond this machine without a login (--auth-file). Each browser sees only its "
                   "own sessions, but anyone who can reach the page can run interviews on this machine's CPU and "
                   "on the server's API key.", err=True)
    click.echo(f"Interviewer UI on http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port} "
               "(Ctrl+C to stop)", err=True)
    try:
        launch(host=host, port=port, share=share, open_browser=open_browser, settings=settings,
               concurrency=concurrency, quiet=not share, auth=auth)
    except OSError as e:  # e.g. the port is taken
        raise click.ClickException(f"cannot serve on {host}:{port}: {e}") from None


def read_auth(path: Path) -> list[tuple[str, str]]:
    """`user:password` lines (blank lines and # comments skipped) as Gradio's auth pairs."""
    pairs = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"{path}: cannot read the login file ({e})") from None
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or len(password) < 8:
            raise click.ClickException(f"{path}, line {n}: expected `user:password` with a password of 8+ characters")
        pairs.append((user.strip(), password))
    if not pairs:
        raise click.ClickException(f"{path}: no `user:password` line")
    return pairs
