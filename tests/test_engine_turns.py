"""The intake's reading of a turn (interviewer.engine.turns), on messages written for these tests, in neither
labelled set of bench/intake: each kind, the mixed cases the label rules decide, the "unsure" outcome, the reply to
the confirmation question, and the patterns' engine (RE2: linear in the input)."""

from __future__ import annotations

import pytest
import re2

from interviewer.bank.storage import load_bank
from interviewer.engine import turns
from interviewer.engine.turns import UNSURE, classify, confirmation, subject_of


@pytest.fixture(scope="module")
def bank():
    return load_bank(include_user=False)


#: (question id, message, kind): a few per kind, plain and tricky, in the candidates' own styles.
CASES = [
    # answers, however short, hedged, or phrased as a question or a guess
    ("transformers-llms-04", "It caches K and V for past tokens so each decode step only projects the new token.",
     "answer"),
    ("ml-fundamentals-01", "high bias = underfit, high variance = overfit. regularization trades one for the other",
     "answer"),
    ("vector-databases-06", "Soft delete with a flag, then rebuild the index overnight?", "answer"),
    ("transformers-llms-08", "Pass on greedy for creative tasks, it repeats itself. Top-p with temperature around 0.7 "
     "is what I'd pick.", "answer"),
    ("ml-fundamentals-05", "Which metric matters depends on costs: recall when missing a positive is expensive, "
     "precision when false alarms are.", "answer"),
    ("vector-databases-05", "I'm not an expert here, but ColBERT keeps one vector per token and scores with MaxSim, "
     "so it's more precise but heavier to store.", "answer"),
    ("transformers-llms-11", "interpolate positions? squash the longer range into the trained one", "answer"),
    # clarifying questions about this question
    ("transformers-llms-04", "Are you asking about the memory footprint or about how it speeds things up?", "clarify"),
    ("ml-fundamentals-06", "For missing data, do we know whether it's missing at random?", "clarify"),
    ("vector-databases-04", "Hundreds of millions of vectors at what dimensionality? 128 or 1536?", "clarify"),
    ("transformers-llms-09", "consumer hardware meaning a single 24GB card?", "clarify"),
    ("ml-fundamentals-02", "I'm unsure if you want the update equations or the intuition behind each optimizer.",
     "clarify"),
    ("production-ai-systems-03", "moderation of inputs, outputs, or both?", "clarify"),
    ("ml-fundamentals-12", "Is compute budget a constraint here?", "clarify"),  # asked, not proposed
    # declining
    ("transformers-llms-11", "I have no idea how YaRN works, sorry.", "dont_know"),
    ("vector-databases-05", "ColBERT is new to me.", "dont_know"),
    ("fine-tuning-05", "I'd be guessing, so let's not.", "dont_know"),
    ("rag-embeddings-06", "GraphRAG I haven't looked into at all.", "dont_know"),
    ("deep-learning-08", "Keine Ahnung, sorry.", "dont_know"),
    ("ml-fundamentals-12", "no idea, next", "dont_know"),
    # asking for help (even next to "I don't know")
    ("transformers-llms-02", "Can I get a pointer on what makes attention quadratic?", "hint"),
    ("vector-databases-02", "Can you give me a starting point?", "hint"),
    ("agents-tool-use-04", "I need a little help getting started with this one.", "hint"),
    ("deep-learning-03", "Any hint? I remember the names but not the details.", "hint"),
    ("fine-tuning-08", "I'm blocked. Where do I begin with this?", "hint"),
    # about the interview
    ("ml-fundamentals-01", "Do I get partial credit for half answers?", "meta"),
    ("vector-databases-06", "Can we pick this up after lunch?", "meta"),
    ("agents-tool-use-01", "Sorry, I need a few minutes, be right back", "meta"),
    ("transformers-llms-12", "I'd prefer harder questions from now on.", "meta"),
    ("fine-tuning-01", "Can I switch to French? Easier for me.", "meta"),
    ("ml-fundamentals-11", "Is a human going to read this?", "meta"),
    ("rag-embeddings-01", "Do you count typos against me?", "meta"),
]


@pytest.mark.parametrize("qid,text,kind", CASES, ids=[f"{k}:{t[:30]}" for _, t, k in CASES])
def test_each_kind_of_turn_is_read_from_its_words(bank, qid, text, kind):
    assert classify(text, subject=subject_of(bank.get(qid))).kind == kind


def test_the_question_s_own_words_are_no_attempt(bank):
    q = bank.get("ml-fundamentals-08")  # random forest, gradient boosting, XGBoost
    said = "I know it's about random forests and XGBoost, but I couldn't explain the differences."
    assert classify(said, subject=subject_of(q)).kind == "dont_know"
    own = "I know random forests use bagging, but I couldn't explain XGBoost's regularised objective."
    assert classify(own, subject=subject_of(q)).kind == "answer"


def test_a_follow_up_probe_s_words_are_the_question_s_too(bank):
    q = bank.get("transformers-llms-04")
    probe = "Without the cache, what would each new token cost?"
    assert classify("recompute the whole prefix every step", subject=subject_of(q, probe)).kind == "answer"


def test_without_the_question_the_plain_cases_still_read():
    assert classify("Could you clarify what you mean by drift here?").kind == "clarify"
    assert classify("How many questions are left?").kind == "meta"
    assert classify("can i get a hint").kind == "hint"
    assert classify("no clue, sorry").kind == "dont_know"
    said = "Bagging trains trees on bootstrap samples and averages them, which cuts variance."
    assert classify(said).kind == "answer"


def test_a_question_with_a_weak_attempt_is_unsure_and_leans_to_what_it_asks(bank):
    trees = subject_of(bank.get("ml-fundamentals-08"))
    turn = classify("XGBoost or LightGBM? add regularisation", subject=trees)
    assert (turn.kind, turn.lean) == (UNSURE, "clarify")
    turn = classify("How much time do I have? bagging first", subject=trees)
    assert (turn.kind, turn.lean) == (UNSURE, "meta")
    assert classify("XGBoost or LightGBM?", subject=trees).kind == "clarify"  # no attempt: a plain question


def test_the_model_settles_what_the_rules_are_not_sure_of(bank):
    asked = []

    def decide(text, kinds):
        asked.append(text)
        return "answer"

    trees = subject_of(bank.get("ml-fundamentals-08"))
    assert classify("XGBoost or LightGBM? add regularisation", decide, trees).kind == "answer" and len(asked) == 1
    assert classify("Can we stop here? I have to go.", decide, trees).kind == "meta" and len(asked) == 1


@pytest.mark.parametrize("reply,said", [
    ("answer", "answer"), ("Answer.", "answer"), ("yes grade it", "answer"), ("that's my answer", "answer"),
    ("it's my answer", "answer"), ("yes", "answer"), ("question", "question"), ("it was a question", "question"),
    ("No, just a question", "question"), ("I was asking", "question"), ("no", "question"),
    ("my answer is that boosting fits residuals", None), ("both?", None), ("random forests average trees", None),
])
def test_the_reply_to_the_confirmation_question(reply, said):
    assert confirmation(reply) == said


def test_every_pattern_runs_on_re2_and_odd_input_is_read():
    compiled = [v for v in vars(turns).values() if hasattr(v, "search") and hasattr(v, "pattern")]
    assert len(compiled) >= 15
    assert all(type(r) is type(re2.compile("x")) for r in compiled)
    for odd in ("?" * 50_000, " but " * 10_000, "a-" * 30_000, "\u4e0d\u77e5\u9053", "!!", "  "):
        assert classify(odd).kind in (*turns.KINDS, UNSURE)


def test_answers_of_the_answer_set_are_answers_whole_and_cut_short():
    """Every human-graded answer (but the off-topic and bare-list kinds), and its first sentence or two as a
    terse answer would be, is taken as an answer, or at most asked about: never graded as a question, a
    hint request or a pass. (A claim such as "bias is error from wrong assumptions" once read as a clarifying
    question because it says "assumptions".)"""
    import re

    from answers_data import load_answers

    from interviewer.bank.storage import load_bank

    bank = load_bank(include_user=False)
    taken = []
    for r in load_answers():
        if r["kind"] in ("wrong", "keyword_list"):
            continue
        subject = subject_of(bank.get(r["question_id"]))
        pieces = re.split(r"(?<=[.!])\s+", r["answer"])
        for text in {r["answer"], pieces[0], " ".join(pieces[:2])}:
            kind = classify(text, subject=subject).kind
            if kind not in ("answer", UNSURE):
                taken.append((r["id"], kind, text[:80]))
    assert taken == []
