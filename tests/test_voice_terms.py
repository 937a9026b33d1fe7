"""The question's technical terms spelled as the rubric spells them in a transcript (interviewer/speech/terms.py):
misheard sound-alikes are snapped, look-alikes that are other words are not, and timings and punctuation stay."""

from __future__ import annotations

from interviewer.speech.delivery import Word
from interviewer.speech.terms import snap, speech_terms, technical


def words(text: str, step: float = 0.5) -> list[Word]:
    return [Word(text=w, start=i * step, end=i * step + 0.4) for i, w in enumerate(text.split())]


def said(ws: list[Word]) -> str:
    return " ".join(w.text for w in ws)


TERMS = ["LoRA", "QLoRA", "KV cache", "HNSW", "BERT", "RAG", "LayerNorm", "int8", "learning rate"]


def test_misheard_terms_take_the_rubric_spelling():
    got = snap(words("We freeze the model and train Laura adapters, and cue Lora quantizes to int 8."), TERMS)
    assert said(got) == "We freeze the model and train LoRA adapters, and QLoRA quantizes to int8."
    assert said(snap(words("The KV cash grows with context."), TERMS)) == "The KV cache grows with context."
    assert said(snap(words("an H N S W graph, then layer norm"), TERMS)) == "an HNSW graph, then LayerNorm"
    assert said(snap(words("the kv-cache and h.n.s.w."), TERMS)) == "the KV cache and HNSW."


def test_other_words_that_look_alike_are_left_as_heard():
    for text in ("a bird on the wire", "the rack in the data center", "Laura said the rate was high",
                 "learning rates matter", "cash flow"):
        terms = ["BERT", "RAG", "KV cache"]  # not LoRA: a term the question does not ask about is never snapped
        assert said(snap(words(text), terms)) == text


def test_a_run_never_spans_a_clause_end():
    assert said(snap(words("the KV. Cache is"), TERMS)) == "the KV. Cache is"


def test_timing_and_punctuation_of_the_run_are_kept():
    ws = words("(cue Lora), then")
    got = snap(ws, TERMS)
    assert [w.text for w in got] == ["(QLoRA),", "then"]
    assert got[0].start == ws[0].start and got[0].end == ws[1].end


def test_exact_spelling_is_left_alone_and_snapping_is_idempotent():
    ws = words("LoRA and QLoRA use the KV cache")
    assert snap(ws, TERMS) == ws
    once = snap(words("Laura and the KV cash"), TERMS)
    assert snap(once, TERMS) == once


def test_only_technical_terms_are_speech_terms():
    assert speech_terms(["LoRA", "learning rate", "KV cache", "LoRA", " ", "A100", "int8"]) == \
        ["LoRA", "KV cache", "A100", "int8"]
    assert technical("GPT-4") and not technical("covariate shift")
    assert snap([], TERMS) == [] and said(snap(words("Laura"), [])) == "Laura"


def test_a_common_word_that_sounds_like_a_term_is_not_snapped():
    # "shape" sounds like SHAP and is spelled nearly like it, but it is written as a word, not a name
    assert said(snap(words("the shape of the tensor, then SHAP values"), ["SHAP"])) == \
        "the shape of the tensor, then SHAP values"
    assert said(snap(words("we use Shap values"), ["SHAP"])) == "we use SHAP values"


def test_plain_terms_misheard_are_spelled_back_and_case_is_kept_where_the_rubric_has_none():
    terms = ["linear regression", "feature contribution", "bert", "multi-step", "loan approval", "threshold"]
    assert said(snap(words("fit a linear aggression, locally."), terms)) == "fit a linear regression, locally."
    assert said(snap(words("each future a contribution adds up"), terms)) == "each feature contribution adds up"
    assert said(snap(words("Lone approval models, BERT and multi -step plans"), terms)) == \
        "Loan approval models, BERT and multi-step plans"  # a lower-case rubric term says nothing of case
    # a stray word before a sound-alike is not swallowed, and numbers are never part of a term
    assert said(snap(words("until the OOT threshold is met"), terms)) == "until the OOT threshold is met"
    assert said(snap(words("500 question answer pairs"), ["question-answer pairs"])) == "500 question-answer pairs"


def test_odd_letters_never_break_the_transcript():
    for text in ("İstanbul data set", "ﬁne tuning", "— — …", "ǅ", "KV\u200bcache"):
        got = snap(words(text), ["data set", "fine-tuning", "istanbul", "KV cache"])
        assert got and all(w.text for w in got)
