"""Delivery of a spoken answer, apart from its content: pace, filler words and long pauses, with a short
plain-language note on each. Pure computation over the recognised words and their times (no audio, no model).

    figures = delivery([Word(text="So", start=0.0, end=0.2), ...])
    figures.wpm, figures.fillers_per_min, figures.long_pauses, figures.notes

Pace is words per minute of speaking time (first word's start to last word's end, so silence before and
after a take does not count). Fillers: "um", "uh", "er", "erm", "ah", "hmm", "mm"; the phrases "you know"
and "I mean"; and "like" only where it stands apart from the sentence (after a pause mark or at a clause's
start, or followed by a comma: "so, like, the cache"), never "models like BERT". A long pause is a silence of
at least LONG_PAUSE_S between two words. The speech model drops some fillers (Whisper tends to tidy speech),
so the filler count is a floor, not an exact count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

#: A silence between two words at least this long is a long pause.
LONG_PAUSE_S = 2.0
#: Below this much speaking time the pace is not judged (a few words say nothing about pace).
MIN_SPEAKING_S = 10.0
SLOW_WPM, FAST_WPM = 110.0, 175.0
FEW_FILLERS, MANY_FILLERS = 3.0, 8.0  # per minute
FILLER_WORDS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm", "mhm"})
FILLER_PHRASES = (("you", "know"), ("i", "mean"))
CLAUSE_END = ",.;:!?—-…"


class Word(BaseModel):
    """One recognised word with its time in the recording, in seconds."""

    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)


class Delivery(BaseModel):
    """The delivery figures of one take, one answer (its takes together) or a whole interview."""

    words: int = 0
    speaking_s: float = 0.0
    fillers: int = 0
    long_pauses: int = 0
    longest_pause_s: float = 0.0
    takes: int = 1

    @property
    def minutes(self) -> float:
        return self.speaking_s / 60.0

    @property
    def wpm(self) -> float | None:
        return self.words / self.minutes if self.speaking_s >= MIN_SPEAKING_S else None

    @property
    def fillers_per_min(self) -> float | None:
        return self.fillers / self.minutes if self.speaking_s >= MIN_SPEAKING_S else None

    @property
    def notes(self) -> list[str]:
        return notes(self)

    def __add__(self, other: Delivery) -> Delivery:
        return Delivery(words=self.words + other.words, speaking_s=self.speaking_s + other.speaking_s,
                        fillers=self.fillers + other.fillers, long_pauses=self.long_pauses + other.long_pauses,
                        longest_pause_s=max(self.longest_pause_s, other.longest_pause_s),
                        takes=self.takes + other.takes)


def _bare(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "'")


def count_fillers(words: Sequence[Word]) -> int:
    """Filler words and phrases among `words` (see the module's doc for which)."""
    bare = [_bare(w.text) for w in words]
    n, i = 0, 0
    while i < len(words):
        if bare[i] in FILLER_WORDS:
            n, i = n + 1, i + 1
            continue
        if any(tuple(bare[i:i + len(p)]) == p for p in FILLER_PHRASES):
            n, i = n + 1, i + 2
            continue
        if bare[i] == "like":
            raw = words[i].text.strip()
            before = words[i - 1].text.strip() if i else ""
            if raw.endswith(",") or not before or before[-1] in CLAUSE_END:
                n += 1
        i += 1
    return n


def delivery(words: Sequence[Word]) -> Delivery:
    """The figures of one take: `words` in time order."""
    spoken = [w for w in words if _bare(w.text)]
    if not spoken:
        return Delivery(takes=1)
    gaps = [b.start - a.end for a, b in zip(spoken, spoken[1:])]
    long = [g for g in gaps if g >= LONG_PAUSE_S]
    return Delivery(words=len(spoken), speaking_s=max(0.0, spoken[-1].end - spoken[0].start),
                    fillers=count_fillers(spoken), long_pauses=len(long), longest_pause_s=max(long, default=0.0))


def total(parts: Iterable[Delivery]) -> Delivery | None:
    """Several takes or answers together (None for none)."""
    out: Delivery | None = None
    for p in parts:
        out = p if out is None else out + p
    return out


def notes(d: Delivery) -> list[str]:
    """Short plain-language notes on `d`, against what a senior interview expects."""
    if d.words == 0:
        return ["No speech was recognised."]
    if d.wpm is None or d.fillers_per_min is None:
        return ["Too short to judge pace and fillers (under 10 s of speech)."]
    out = []
    if d.wpm < SLOW_WPM:
        out.append(f"Pace {d.wpm:.0f} words/min is slow: senior interviews move at about 120-170; "
                   "lead with the answer, then the detail.")
    elif d.wpm > FAST_WPM:
        out.append(f"Pace {d.wpm:.0f} words/min is fast: slow down on the key trade-offs so they land.")
    else:
        out.append(f"Pace {d.wpm:.0f} words/min is comfortable to follow.")
    if d.fillers_per_min > MANY_FILLERS:
        out.append(f"{d.fillers_per_min:.1f} filler words a minute is a lot: a short silent pause reads as more "
                   "confident than 'um'.")
    elif d.fillers_per_min > FEW_FILLERS:
        out.append(f"{d.fillers_per_min:.1f} filler words a minute: noticeable; pause instead.")
    else:
        out.append("Few filler words.")
    per_min = d.long_pauses / d.minutes if d.minutes else 0.0
    if d.long_pauses and per_min > 1.0:
        out.append(f"{d.long_pauses} long pauses (longest {d.longest_pause_s:.0f} s): structure the answer "
                   "before you start (\"three points: ...\") so you do not stall mid-answer.")
    elif d.long_pauses:
        out.append(f"{d.long_pauses} long pause{'s' if d.long_pauses > 1 else ''} (longest "
                   f"{d.longest_pause_s:.0f} s): a pause to think is fine when it is rare.")
    else:
        out.append("No long pauses.")
    return out


def figures_line(d: Delivery) -> str:
    """One line of figures, e.g. '142 words/min · 1.2 fillers/min · 0 long pauses (2 s+)'."""
    pace = f"{d.wpm:.0f} words/min" if d.wpm is not None else "pace: too short to judge"
    fill = f"{d.fillers_per_min:.1f} fillers/min" if d.fillers_per_min is not None else f"{d.fillers} fillers"
    return f"{pace} · {fill} · {d.long_pauses} long pause{'' if d.long_pauses == 1 else 's'} ({LONG_PAUSE_S:.0f} s+)"
