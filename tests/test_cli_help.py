"""Every command and group answers --help."""

from __future__ import annotations

import click
from click.testing import CliRunner

from interviewer.cli import cli


def walk(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from walk(cmd, (*prefix, name))


def test_every_command_has_help():
    paths = list(walk(cli))
    assert ("bank", "import") in paths and ("grade",) in paths and ("models", "check") in paths
    for path in paths:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage:" in result.output and len(result.output) > 80, path
