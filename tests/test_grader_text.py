"""The grader's lexical layer: tokens that keep their symbols, the Snowball stemmer, phrase and negation matching,
and the signals that tell an explanation from a keyword list."""

from __future__ import annotations

import pytest

from interviewer.bank.models import Criterion
from interviewer.grader.signals import (
    explained_coverage, is_list_like, list_likeness, source_overlap, term_coverage,
)
from interviewer.text import (
    STOPWORDS, content_stems, contains_phrase, mentions, negated, normalize, sentences, stem, term_stream, words,
)


def has(text: str, term: str) -> bool:
    return contains_phrase(content_stems(text), term)


# --- tokens: symbols that carry meaning survive ---------------------------------------------------------------

@pytest.mark.parametrize("term, text", [
    ("β", "raise beta to stay closer to the reference"),
    ("beta", "the β hyperparameter"),
    ("θ", "rotation angles theta at several frequencies"),
    ("O(n²)", "attention is O(n^2) in the sequence length"),
    ("O(n^2)", "attention costs O(n²) memory"),
    ("O(n²)", "that is o(N**2) time"),
    ("O(n log n)", "sorting is O(n log n)"),
    ("k=5", "we used k = 5 folds"),
    ("W&B", "tracked in W&B"),
    ("a/b", "run an A/B test first"),
    ("R²", "an r^2 of 0.9"),
    ("1/(k+rank)", "it sums 1/(k + rank) over the lists"),
    ("max(0, x)", "ReLU is max(0,x)"),
])
def test_symbols_survive_and_match_their_spellings(term, text):
    assert term_stream(term), term
    assert has(text, term)


def test_symbols_tokenize_to_words():
    assert words("β and θ") == ["beta", "and", "theta"]
    assert words("O(n²)") == words("O(n^2)") == ["o(n^2)"]
    assert words("W&B, A/B, k=5") == ["w&b", "a/b", "k=5"]
    assert words("encoder/decoder and L1/L2") == ["encoder", "decoder", "and", "l1", "l2"]
    assert words("LLMs and GPUs") == ["llm", "and", "gpu"]
    assert words("c++ and c#") == ["c++", "and", "c#"]


def test_nfkc_normalises_compatibility_characters():
    assert words("ﬁne-tuning") == words("fine-tuning")  # the "fi" ligature
    assert has("it’s not generative", "not generative")  # curly apostrophe


def test_single_letters_match_only_as_words():
    assert not has("The model uses memory and many modules", "M")
    assert not has("a model", "a/b")


# --- stemming ------------------------------------------------------------------------------------------------

def test_snowball_stemmer():
    assert stem("overfitting") == stem("overfit") == "overfit"
    assert stem("embeddings") == stem("embedding") == "embed"
    assert stem("generative") == stem("generation") == "generat"
    assert stem("decoder-only") == "decod-onli"
    assert stem("gpt-4") == "gpt-4" and stem("o(n^2)") == "o(n^2)"
    assert has("we store normalized embeddings", "normalize embedding")
    assert not has("the embeddings were normalized", "normalize embedding")  # order matters


# --- phrases keep their words ---------------------------------------------------------------------------------

def test_multi_word_terms_do_not_shrink():
    assert has("a decoder-only model", "decoder only") and has("decoder only", "decoder-only")
    assert not has("the decoder attends to the encoder", "decoder only")
    assert not has("more data helps", "same data")
    assert has("one-shot prompting", "one shot") and not has("few-shot prompting", "one-shot")
    assert has("users can opt-in", "opt-in") and not has("users can opt-out", "opt-in")


def test_glue_words_are_skipped_on_both_sides():
    assert has("the mixture of the experts", "mixture of experts")
    assert has("masking the tokens", "masked tokens")


def test_matches_do_not_cross_punctuation():
    assert has("precision and recall", "precision recall")
    assert not has("precision. Recall matters too", "precision recall")
    assert not has("precision, recall", "precision recall")


# --- negation -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, term, expected", [
    ("BERT can generate text", "not generative", False),
    ("BERT can generate text", "can't generate", False),
    ("BERT is not a generative model", "not generative", True),
    ("BERT cannot generate text", "can't generate", True),
    ("BERT doesn't generate text", "not generative", True),
    ("BERT is not generative", "generative", False),
    ("BERT is not generative", "generation", False),
    ("GPT is generative", "generative", True),
    ("no labels are needed", "without labels", True),
    ("it is trained without labels", "labels", False),
    # the window ends at punctuation, a contrast word, or after NEGATION_WINDOW words
    ("it is not slow, it is generative", "generative", True),
    ("it is not slow but generative", "generative", True),
    ("it does not change the weights at all during inference", "inference", True),
    ("not only fast but cheap", "fast", True),
    ("a non-linear activation function", "linear", False),
    ("a non-linear activation function", "activation function", True),
    ("a non-linear activation function", "not linear", True),
])
def test_negation(text, term, expected):
    assert has(text, term) is expected


def test_negated_and_mentions():
    assert negated("no reward model") and negated("can't generate") and not negated("not only fast")
    assert not negated("reward model")
    assert mentions("Can you skip the reward model?", "no reward model")  # either polarity
    assert mentions("Is there no reward model?", "reward model")
    assert mentions("Why would gradients explode?", "exploding gradients")  # any order
    assert not mentions("Who scores the responses?", "reward model")


# --- compatibility of the public names ------------------------------------------------------------------------

def test_public_names_keep_their_contracts():
    assert "the" in STOPWORDS and "not" in STOPWORDS
    stems = content_stems("The embeddings are not normalized")
    assert isinstance(stems, list) and stems == ["embed", "normal"]
    assert contains_phrase(["embed", "normal"], "normalized")  # a plain list of stems still works
    assert not contains_phrase(["embed"], "M")
    assert sentences("One. Two!\nThree") == ["One.", "Two!", "Three"]
    assert normalize("  A\n b ") == "a b"


# --- signals: explanations versus keyword lists ---------------------------------------------------------------

CRITERION = Criterion(
    id="regularization-tools", point="Regularization lowers variance at the cost of a little bias.", weight=2,
    core=True, source="Regularization lowers variance",
    key_terms=[["L1", "lasso"], ["L2", "ridge"], ["dropout"], ["early stopping"]],
    probes=["Which levers reduce variance?"],
)
PROSE = ("L1 regularization pushes many weights to exactly zero, which gives sparse models. "
         "L2 shrinks every weight a little and rarely zeroes one. "
         "Dropout randomly silences units during training so the network cannot rely on any one of them. "
         "Early stopping halts training once the validation loss stops improving.")


@pytest.mark.parametrize("sentence, expected", [
    ("Dropout, L1, L2, early stopping.", True),
    ("Regularization: dropout, L1, L2 and early stopping.", True),
    ("The key ideas are dropout, L1, L2 and early stopping.", True),
    ("Use BM25, dense retrieval, and RRF.", True),
    ("bias variance overfitting underfitting regularization dropout", True),
    ("- early stopping", True),
    ("Expected error splits into bias squared, variance and irreducible noise.", False),
    ("Regularization like L1 lasso, L2 ridge, dropout and early stopping reduces variance.", False),
    ("Hybrid search combines sparse and dense retrieval.", False),
    ("- dropout randomly zeroes activations during training", False),
])
def test_is_list_like(sentence, expected):
    assert is_list_like(sentence) is expected


def test_list_likeness():
    assert list_likeness(PROSE) == 0
    assert list_likeness("Dropout, L1, L2, early stopping.") == 1
    assert list_likeness("- dropout\n- L1\n- L2\n- early stopping") == 1
    mixed = list_likeness(PROSE + "\nAlso: weight decay, max-norm, noise.")
    assert 0 < mixed < 0.3


def test_explained_coverage_credits_explanations_not_lists():
    keyword_list = "Dropout, L1, L2, early stopping."
    assert term_coverage(content_stems(keyword_list), CRITERION) == 1
    assert explained_coverage(keyword_list, CRITERION) == 0
    assert explained_coverage("dropout L1 L2 early stopping lasso ridge", CRITERION) == 0
    assert explained_coverage("Dropout helps. L1 too.", CRITERION) == 0  # no words around the terms
    assert explained_coverage(PROSE, CRITERION) == term_coverage(content_stems(PROSE), CRITERION) == 1
    half = "L1 regularization pushes many weights to exactly zero. Also dropout, L2, early stopping."
    assert explained_coverage(half, CRITERION) == 0.25


def test_beyond_reference_source_is_not_content():
    c = CRITERION.model_copy(update={
        "beyond_reference": True, "source": "The reference omits this although every senior answer covers it."})
    answer = "The reference omits this although every senior answer covers it."
    assert source_overlap(content_stems(answer), c) == 0
