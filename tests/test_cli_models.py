"""`interviewer models list` and `models check` with a real model, offline and without a key."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interviewer.cli import cli


def test_models_list():
    result = CliRunner(env={"COLUMNS": "250"}).invoke(cli, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert "qwen2.5-coder" in result.output and "smollm2" in result.output
    assert "GPU offload in this llama-cpp-python build" in result.output


@pytest.mark.slow
def test_models_check_small_model(small_model):
    result = CliRunner().invoke(cli, ["models", "check", "local:smollm2-135m"])
    assert result.exit_code == 0, result.output
    assert "loaded in" in result.output and "choice (" in result.output and "peak RSS" in result.output


def test_models_check_unknown_model_is_a_clear_error():
    result = CliRunner().invoke(cli, ["models", "check", "local:/nowhere/model.gguf"])
    assert result.exit_code == 1
    assert "no such file" in result.output and "Traceback" not in result.output


def test_models_check_server_down():
    result = CliRunner().invoke(cli, ["models", "check", "openai:x", "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 1 and "cannot reach" in result.output
