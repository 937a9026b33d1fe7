"""One vocabulary: the score format, settings overrides, the grader factory, model sources and the lexical
choice, each decided in one place."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from interviewer.engine import InterviewConfig
from interviewer.errors import InterviewerError
from interviewer.grading import make_grader
from interviewer.settings import Settings
from interviewer.ui.service import NO_KEY, Service, Source, model_name
from interviewer.grader import models
from interviewer.vocabulary import (SCORED, AnswerStatus, Flag, FollowUpStatus, QuestionStatus, SessionStatus, Verdict,
                                    final_score, format_score)


def test_one_score_format():
    assert format_score(None) == "n/a" and format_score(7) == "7.0" and format_score(6.25) == "6.2"
    assert QuestionStatus.GRADED == "graded" and "skipped" in SCORED and QuestionStatus.PENDING not in SCORED
    assert final_score(QuestionStatus.SKIPPED, None) == 0.0 and final_score(QuestionStatus.GRADED, 6.256) == 6.26
    assert final_score(QuestionStatus.PENDING, 5.0) is None and final_score(QuestionStatus.GRADED, None) is None


def test_every_word_is_a_str_enum_printed_as_its_value():
    for word in (Verdict.MET, Flag.INJECTION, QuestionStatus.NO_ANSWER, AnswerStatus.RECEIVED, FollowUpStatus.ASKED,
                 SessionStatus.QUIT):
        assert f"{word}" == str(word) == word.value and word == word.value
    assert models.Verdict is Verdict and models.Flag is Flag  # the grader's contract uses the same words


def test_open_points_are_defined_once():
    assert [v for v in Verdict if v.missed] == [Verdict.MISSED, Verdict.NO_EVIDENCE]
    assert [v for v in Verdict if v.unmet] == [Verdict.PARTIAL, Verdict.MISSED, Verdict.NO_EVIDENCE, Verdict.WRONG]


def test_settings_with_overrides_validates_and_ignores_none():
    base = Settings(model="local:x")
    assert base.with_overrides(model=None, api_key=None) is base
    changed = base.with_overrides(api_key="sk-1", n_ctx=512)
    assert isinstance(changed.api_key, SecretStr) and changed.api_key.get_secret_value() == "sk-1"
    assert changed.n_ctx == 512 and changed.model == "local:x" and base.api_key is None


def test_lexical_means_no_model_in_one_place():
    config = InterviewConfig(lexical=True, model="local:anything")
    assert config.model is None and config.grading_model(Settings(model="local:y")) is None
    assert InterviewConfig().grading_model(Settings(model="local:y")) == "local:y"
    assert InterviewConfig(model="openai:m").grading_model(Settings()) == "openai:m"
    grader = make_grader(None)
    assert grader.model is None and grader.model_id == "lexical"


def test_model_sources_are_an_enum():
    assert model_name(Source.GGUF, None, " /m.gguf ", None) == "local:/m.gguf"
    assert model_name(Source.ENDPOINT.value, None, None, "gpt-4o-mini") == "openai:gpt-4o-mini"
    assert model_name(Source.PACKAGED, "qwen2.5-coder-1.5b", None, None) == "local:qwen2.5-coder-1.5b"
    with pytest.raises(InterviewerError, match="gguf"):
        model_name(Source.GGUF, None, "", None)


def test_the_server_key_goes_only_to_its_own_endpoint():
    service = Service(Settings(base_url="http://own/v1", api_key="server-key"))
    assert service.settings_for() is service.base
    other = service.settings_for("http://elsewhere/v1")
    assert other.base_url == "http://elsewhere/v1" and other.api_key.get_secret_value() == NO_KEY
    assert service.settings_for("http://own/v1/", "mine").api_key.get_secret_value() == "mine"
    assert service.default_model()[0] == Source.PACKAGED
    assert Service(Settings(model="openai:m")).default_model()[0] == Source.ENDPOINT
    assert Service(Settings(model="local:/x.gguf")).default_model() == (Source.GGUF, None, "/x.gguf", None)
