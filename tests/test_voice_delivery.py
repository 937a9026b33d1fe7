"""Delivery figures (interviewer/speech/delivery.py) on known transcripts with word timings, and the report's
Delivery section built from stored takes (interviewer/speech/store.py)."""

from __future__ import annotations

import pytest

from interviewer.speech import store
from interviewer.speech.delivery import Delivery, Word, count_fillers, delivery, figures_line, total


def timed(text: str, wpm: float = 150.0, start: float = 0.0, pauses: dict[int, float] | None = None) -> list[Word]:
    """`text`'s words at a steady `wpm`; pauses[i] adds silence before word i."""
    step = 60.0 / wpm
    out, t = [], start
    for i, w in enumerate(text.split()):
        t += (pauses or {}).get(i, 0.0)
        out.append(Word(text=w, start=t, end=t + step * 0.8))
        t += step
    return out


def test_pace_of_a_steady_answer():
    words = timed(" ".join(["word"] * 60), wpm=150)  # 60 words at 150 wpm: 23.6 s from first start to last end
    d = delivery(words)
    assert d.words == 60 and d.fillers == 0 and d.long_pauses == 0
    assert d.speaking_s == pytest.approx(59 * 0.4 + 0.32)
    assert d.wpm == pytest.approx(60 / (d.speaking_s / 60))
    assert 145 < d.wpm < 155
    assert "comfortable" in d.notes[0]


def test_slow_and_fast_are_named():
    assert "slow" in delivery(timed(" ".join(["a"] * 40), wpm=90)).notes[0]
    assert "fast" in delivery(timed(" ".join(["a"] * 80), wpm=200)).notes[0]


def test_fillers_counted_but_not_like_as_a_verb_or_preposition():
    text = ("Um, so the cache, like, stores keys. Uh it is, you know, big. Models like BERT do not use it. "
            "I mean it depends. I like this.")
    words = timed(text)
    # um, like (set off by commas), uh, you know, I mean; not "like BERT", not "I like this"
    assert count_fillers(words) == 5
    assert count_fillers(timed("Like, the KV cache")) == 1
    assert count_fillers(timed("things like attention and like caching")) == 0


def test_long_pauses():
    words = timed("one two three four five six seven eight", wpm=120, pauses={3: 2.5, 6: 4.0})
    d = delivery(words)
    assert d.long_pauses == 2
    assert d.longest_pause_s == pytest.approx(4.0 + 0.1, abs=0.01)  # the pause plus the gap between words
    short = delivery(timed("one two three", wpm=120, pauses={1: 1.5}))
    assert short.long_pauses == 0


def test_too_short_to_judge_and_nothing_heard():
    d = delivery(timed("a short answer"))
    assert d.wpm is None and d.fillers_per_min is None
    assert "Too short" in d.notes[0]
    assert "pace: too short" in figures_line(d)
    nothing = delivery([])
    assert nothing.words == 0 and nothing.notes == ["No speech was recognised."]


def test_filler_rate_notes():
    many = delivery(timed(" ".join(["um word"] * 30), wpm=150))  # 30 fillers in 60 words: 75 a minute
    assert many.fillers == 30
    assert "a lot" in many.notes[1]
    assert "Few filler" in delivery(timed(" ".join(["word"] * 60))).notes[1]


def test_takes_add_up():
    a = delivery(timed(" ".join(["w"] * 30), wpm=120, pauses={10: 3.0}))
    b = delivery(timed("um " + " ".join(["w"] * 29), wpm=120))
    both = total([a, b])
    assert both is not None
    assert both.words == 60 and both.fillers == 1 and both.long_pauses == 1 and both.takes == 2
    assert both.speaking_s == pytest.approx(a.speaking_s + b.speaking_s)
    assert total([]) is None


def test_report_section_joins_takes_to_sent_answers(tmp_path):
    db = tmp_path / "voice.db"
    d1 = delivery(timed(" ".join(["w"] * 40), wpm=140))
    d2 = delivery(timed(" ".join(["w"] * 20), wpm=140))
    store.add_take("s1", 2, "q-a", d1, path=db)
    store.add_take("s1", 2, "q-a", d2, path=db)  # a second take of the same answer
    store.add_take("s1", 5, "q-b", d1, path=db)  # recorded, never sent: message 5 is the interviewer's
    store.add_take("other", 2, "q-a", d1, path=db)
    messages = [{"role": "interviewer"}, {"role": "interviewer"}, {"role": "candidate"}, {"role": "interviewer"},
                {"role": "interviewer"}, {"role": "interviewer"}]
    spoken = store.answers("s1", messages, path=db)
    assert [(a.question_id, a.message_index, a.delivery.words, a.delivery.takes) for a in spoken] == [
        ("q-a", 2, 60, 2)]
    section = store.report_section(spoken)
    assert section is not None and section["overall"]["words"] == 60 and section["answers"][0]["wpm"] is not None
    md = store.markdown(section)
    assert md.startswith("## Delivery (spoken answers)") and "| q-a | 60 |" in md and "words/min" in md
    assert store.report_section([]) is None and store.markdown(None) == ""


def test_delivery_is_a_typed_model():
    d = Delivery(words=10, speaking_s=12.0)
    assert Delivery.model_validate_json(d.model_dump_json()) == d
