"""Voice answers (issue 18): accuracy, technical terms, speed, memory, latency and grade agreement on CPU.

    .venv/bin/python bench/speech.py                     # the spoken set: WER, terms, RTF, memory
    .venv/bin/python bench/speech.py --latency 4 --mad 10  # also end-of-speech -> next message, spoken-vs-typed grade
    .venv/bin/python bench/speech.py --engine flite        # the same answers spoken by CMU Flite's voices

Needs `pip install -e ".[bench]"` (jiwer and the Whisper normalizer, for the WER) and espeak-ng (or flite).

Runs the project's own speech path (interviewer/speech: the packaged Whisper base joined into the models
folder, faster-whisper int8 on `--threads` CPU threads). It builds spoken answers from the bank's reference
answers (prose only: code blocks, tables and formula sentences dropped), synthesizes each with Debian's
espeak-ng with a rotating voice and speed, and transcribes them two ways:

- `stream`: what the page does. The audio is fed to a `Take` 1 s at a time, a partial transcript every 2 s
  of audio (beam 1, segments committed once the tail passes 8 s), then `finish()` (beam 5 over the tail).
- `whole`: one beam-5 pass over the whole answer, the same prompt (the question and its technical key terms).

Both spell the question's technical terms as the rubric does (interviewer/speech/terms.py), as a take does.
WER is reported as speech benchmarks report it (the Whisper paper's English normalizer, then jiwer), and with
the simpler normalization of the first measurement (lower case, punctuation removed) for comparison.

`--latency N`: N answers of ~150 words, each after the first answer of an interview (Service, default model):
partial transcripts are sent as drafts (Service.warm) as the page does, then the time from the end of speech
to the interviewer's next message (finish() + Service.answer) is measured. `--mad N`: the grade of N spoken
answers (their `stream` transcripts) against the grade of the same answers typed (the spoken text), with
the default model. Sockets are refused for the whole run, so a hidden download fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

SAMPLE_RATE = 16000
VOICES = ["en-us", "en-gb", "en+f3", "en+m3", "en-us+f2", "en-gb-x-rp", "en+m7", "en-us+f4"]
SPEEDS = [140, 155, 165, 175, 190]
# CMU Flite (Debian `flite`): voices built from recorded speakers (slt, rms, awb: statistical parametric;
# kal16: diphones), the rate set by stretching durations.
FLITE_VOICES = ["slt", "rms", "awb", "kal16"]
FLITE_STRETCH = [1.15, 1.0, 0.9, 1.05, 0.85]
ENGINES = {"espeak": (VOICES, SPEEDS), "flite": (FLITE_VOICES, FLITE_STRETCH)}


# ---------------------------------------------------------------- offline guard

class NetworkUsed(RuntimeError):
    pass


def refuse_network() -> None:
    """Any socket connection during the run raises, so 'offline' is checked, not assumed."""

    def _refuse(self, *args, **kwargs):
        raise NetworkUsed(f"network connection attempted: {args!r}")

    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
    socket.create_connection = lambda *a, **k: _refuse(None, *a)  # type: ignore[assignment]


# ---------------------------------------------------------------- bank text

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_MATH = re.compile(r"[=+^_{}<>|\\/Σλ∑∂√≤≥≈×·²³]|\d\s*[*x]\s*\d|O\(|\w\(")
_ACRONYMISH = re.compile(r"[A-Z].*[A-Z]|[A-Za-z]\d|\d[A-Za-z]")


def load_questions(bank_dir: Path) -> list[dict]:
    questions = []
    for path in sorted(bank_dir.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "reference_answer" not in data:
            continue
        terms = []
        for criterion in (data.get("rubric") or {}).get("criteria") or []:
            for group in criterion.get("key_terms") or []:
                terms.extend(group if isinstance(group, list) else [group])
        questions.append({"id": data["id"], "category": data["category"], "question": data["question"],
                          "reference": data["reference_answer"], "terms": [str(t) for t in terms]})
    return questions


def prose(reference: str, max_words: int) -> str:
    """The first sentences of the reference answer's prose, up to max_words; code and formulas dropped."""
    text = re.sub(r"```.*?```", " ", reference, flags=re.S)
    kept: list[str] = []
    words = 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("|", "#", "    ")):
            continue
        line = re.sub(r"`([^`]*)`", r"\1", line)
        line = re.sub(r"\*\*|__|\*", "", line).lstrip("-• ").strip()
        line = line.replace("→", " leads to ").replace("—", ", ").replace("–", ", ")
        for sentence in _SENTENCE.split(line):
            if _MATH.search(sentence) or not re.search(r"[a-z]", sentence):
                continue
            sentence = sentence.encode("ascii", "ignore").decode().strip()
            n = len(sentence.split())
            if n < 4:
                continue
            if words and words + n > max_words:
                return " ".join(kept)
            kept.append(sentence if sentence[-1] in ".!?:" else sentence + ".")
            words += n
    return " ".join(kept)


def normalize_words(text: str, lower: bool = True) -> list[str]:
    text = (text.lower() if lower else text).replace("%", " percent ").replace("&", " and ")
    text = re.sub(r"(?<=\d),(?=\d)|['\u2019]", "", text)  # 1,000 -> 1000; RNN's -> RNNs
    return re.findall(r"[A-Za-z0-9]+", text)


def technical(term: str) -> bool:
    """A key term counts as technical when it holds an acronym-like or alphanumeric token (LoRA, KV cache, L2)."""
    return any(_ACRONYMISH.search(tok) for tok in re.split(r"[\s\-/]+", term))


def multiword(term: str) -> bool:
    return len(normalize_words(term)) >= 2 and not technical(term)


def count_seq(words: list[str], seq: list[str]) -> int:
    n = len(seq)
    return sum(1 for i in range(len(words) - n + 1) if words[i:i + n] == seq) if n else 0


def term_occurrences(text_words: list[str], terms: list[str], lower: bool = True) -> Counter:
    """Occurrences of each term in a word list; a longer term hides the shorter terms inside it.

    lower=False matches case-sensitively (used on the spoken text, so the term END is not the word end)."""
    found: Counter = Counter()
    for term in sorted(set(terms), key=lambda t: -len(normalize_words(t))):
        seq = normalize_words(term, lower)
        c = count_seq(text_words, seq)
        if c:
            found[" ".join(seq).lower()] += c
    for longer in list(found):
        for shorter in list(found):
            if shorter != longer and f" {shorter} " in f" {longer} ":
                found[shorter] = max(0, found[shorter] - found[longer] * count_seq(longer.split(), shorter.split()))
    return +found


def category_prompt(questions: list[dict], category: str, limit: int = 60) -> str:
    counts: Counter = Counter()
    spelled: dict[str, str] = {}
    for q in questions:
        if q["category"] == category:
            for t in q["terms"]:
                if technical(t):
                    key = " ".join(normalize_words(t))
                    counts[key] += 1
                    spelled.setdefault(key, t)
    return "Glossary: " + ", ".join(spelled[k] for k, _ in counts.most_common(limit)) + "."


def question_prompt(q: dict) -> str:
    terms = list(dict.fromkeys(t for t in q["terms"] if technical(t)))
    return q["question"] + (" Terms: " + ", ".join(terms) + "." if terms else "")


# ---------------------------------------------------------------- audio

# espeak-ng spells these letter by letter ("low R A"); people say them as words.
SAY_AS = {"QLoRA": "Q Lora", "LoRA": "Lora"}


def synthesize(text: str, voice: str, wpm: float, out: Path, engine: str = "espeak") -> np.ndarray:
    """The engine's WAV (espeak-ng 22,050 Hz, flite 16 kHz), read and resampled to 16 kHz by the project's own
    audio code. `wpm` is espeak's words per minute, or flite's duration stretch (1.0: its own pace)."""
    from interviewer.speech.audio import read_wav

    spoken = re.sub("|".join(SAY_AS), lambda m: SAY_AS[m.group(0)], text)
    if engine == "flite":
        cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={wpm}", "-t", spoken, "-o", str(out)]
    else:
        cmd = ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(out), spoken]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return read_wav(out)


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- run

def edits(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions, deletions, insertions)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def wer(ref: str, hyp: str) -> float:
    r = ref.split()
    return edits(r, [w for w in hyp.split() if w != "<empty>"]) / max(1, len(r))


def standard_wer(refs: list[str], hyps: list[str]) -> tuple[float, list[float], dict[str, int]]:
    """(corpus WER, per-answer WERs, error counts) as speech benchmarks report it: both sides through the
    Whisper paper's English normalizer (numbers, spellings, contractions, "fine-tuning" = "fine tuning"), then
    jiwer. Brackets become commas first: the normalizer drops bracketed text, and the voice reads it out."""
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    norm = EnglishTextNormalizer()

    def clean(t: str) -> str:
        return norm(t.translate(str.maketrans("()[]{}", ",,,,,,"))) or "<empty>"

    r, h = [clean(x) for x in refs], [clean(x) for x in hyps]
    out = jiwer.process_words(r, h)
    each = [jiwer.wer(a, b) for a, b in zip(r, h)]
    return out.wer, each, {"S": out.substitutions, "D": out.deletions, "I": out.insertions, "N": sum(len(x.split()) for x in r)}


def corpus_wer(refs: list[str], hyps: list[str]) -> float:
    """All answers' word errors over all their reference words (what jiwer.wer computes for lists)."""
    errors = sum(edits(r.split(), [w for w in h.split() if w != "<empty>"]) for r, h in zip(refs, hyps))
    return errors / max(1, sum(len(r.split()) for r in refs))


def stream_take(transcriber, audio: np.ndarray, prompt: str, terms: list[str], chunk_s: float = 1.0):
    """The page's path: 1 s chunks, a partial at least every 2 s of audio, then finish(). Returns (final
    transcript, partial latencies s, finish s)."""
    from interviewer.speech.audio import SAMPLE_RATE
    from interviewer.speech.transcribe import Take

    take = Take(transcriber, prompt=prompt, terms=terms)
    step = int(chunk_s * SAMPLE_RATE)
    partials = []
    for i in range(0, audio.size, step):
        take.add(audio[i:i + step])
        t = time.perf_counter()
        before = take.partial_at
        take.partial()
        if take.partial_at != before:
            partials.append(time.perf_counter() - t)
    result = take.finish()
    return result, partials, result.took_s


def pick(questions: list[dict], n: int, max_words: int) -> list[dict]:
    by_cat: dict[str, list[dict]] = {}
    for q in questions:
        by_cat.setdefault(q["category"], []).append(q)
    for cat in by_cat:  # answers whose reference is all code have no prose to speak
        by_cat[cat] = [q for q in by_cat[cat] if len(prose(q["reference"], max_words).split()) >= 40]
    chosen: list[dict] = []
    i = 0
    while len(chosen) < n and any(i < len(v) for v in by_cat.values()):
        for cat in sorted(by_cat):
            if i < len(by_cat[cat]) and len(chosen) < n:
                chosen.append(by_cat[cat][i])
        i += 1
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bank-dir", type=Path, default=Path("rubrics/bank"))
    ap.add_argument("--answers", type=int, default=40)
    ap.add_argument("--max-words", type=int, default=80)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--modes", default="stream,whole", help="comma list of stream, whole")
    ap.add_argument("--stream-answers", type=int, default=0,
                    help="stream mode on the first N answers only (0: all; it costs ~0.5 CPU s per audio s)")
    ap.add_argument("--latency", type=int, default=0, help="answers for the end-of-speech latency (0: skip)")
    ap.add_argument("--mad", type=int, default=0, help="answers for the spoken-vs-typed grade (0: skip)")
    ap.add_argument("--work-dir", type=Path, default=None, help="keep WAV files here (default: temp dir)")
    ap.add_argument("--json", type=Path, default=None, help="write per-answer results here")
    ap.add_argument("--engine", choices=sorted(ENGINES), default="espeak",
                    help="the synthesizer: espeak (espeak-ng) or flite (CMU Flite, `apt-get install flite`)")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    refuse_network()
    print("`" + " ".join([".venv/bin/python", "bench/speech.py"] + sys.argv[1:]) + "`\n")

    rss_start = rss_mib()
    import ctranslate2
    import faster_whisper

    from interviewer.speech.model import WHISPER_BASE
    from interviewer.speech.terms import snap
    from interviewer.speech.transcribe import Transcriber, join_words, question_prompt

    folder = WHISPER_BASE.folder()
    rss_imports = rss_mib()
    transcriber = Transcriber(folder, threads=args.threads)
    t0 = time.perf_counter()
    transcriber.load()
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mib()

    questions = load_questions(args.bank_dir)
    chosen = pick(questions, args.answers, args.max_words)
    all_terms = {t for q in questions for t in q["terms"]}
    kinds = {"acronym-like": sorted(t for t in all_terms if technical(t)),
             "multiword": sorted(t for t in all_terms if multiword(t))}
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="speech-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    items = []
    voices, speeds = ENGINES[args.engine]
    for n, q in enumerate(chosen):
        text = prose(q["reference"], args.max_words)
        voice, wpm = voices[n % len(voices)], speeds[n % len(speeds)]
        audio = synthesize(text, voice, wpm, work / f"{args.engine}-{q['id']}.wav", args.engine)
        items.append({"id": q["id"], "voice": voice, "wpm": wpm, "text": text, "seconds": len(audio) / SAMPLE_RATE,
                      "audio": audio, "prompt": question_prompt(q["question"], q["terms"]), "key_terms": q["terms"],
                      "terms": {"acronym-like": term_occurrences(normalize_words(text, False), kinds["acronym-like"],
                                                                 lower=False),
                                "multiword": term_occurrences(normalize_words(text), kinds["multiword"])}})
    total_audio = sum(it["seconds"] for it in items)
    n_terms = {k: sum(sum(it["terms"][k].values()) for it in items) for k in kinds}
    print(f"faster-whisper {faster_whisper.__version__}, ctranslate2 {ctranslate2.__version__}, {folder.name}, int8, "
          f"cpu_threads={args.threads}; {os.cpu_count()} CPUs; load avg at start {os.getloadavg()[0]:.2f}\n")
    print(f"{len(items)} answers ({len({q['category'] for q in chosen})} categories), "
          f"{sum(len(normalize_words(it['text'])) for it in items)} words, {total_audio / 60:.1f} min of audio "
          f"({min(it['seconds'] for it in items):.0f}-{max(it['seconds'] for it in items):.0f} s each), {args.engine} "
          f"voices {', '.join(voices)}, {'wpm' if args.engine == 'espeak' else 'duration stretch'} "
          f"{min(speeds)}-{max(speeds)}; "
          + "; ".join(f"{n_terms[k]} occurrences of {k} key terms" for k in kinds) + "\n")

    transcriber.transcribe(items[0]["audio"][: SAMPLE_RATE * 5])  # warm-up
    rows, per_answer, misses, partial_lat, finish_lat = [], {}, {}, [], []
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        refs, hyps, secs, ok, miss = [], [], 0.0, Counter(), Counter()
        load_before = os.getloadavg()[0]
        subset = items[: args.stream_answers] if mode == "stream" and args.stream_answers else items
        sub_audio = sum(it["seconds"] for it in subset)
        sub_terms = {k: sum(sum(it["terms"][k].values()) for it in subset) for k in kinds}
        for it in subset:
            t = time.perf_counter()
            if mode == "stream":
                result, parts, fin = stream_take(transcriber, it["audio"], it["prompt"], it["key_terms"])
                partial_lat += parts
                finish_lat.append(fin)
            else:
                result, _ = transcriber.transcribe(it["audio"], prompt=it["prompt"], beam=5)
                result.words = snap(result.words, it["key_terms"])  # as a take does
                result.text = join_words(result.words)
            secs += time.perf_counter() - t
            hyp_w = normalize_words(result.text)
            refs.append(" ".join(normalize_words(it["text"])))
            hyps.append(" ".join(hyp_w) or "<empty>")
            for kind, ts in kinds.items():
                got = term_occurrences(hyp_w, ts)
                for term, c in it["terms"][kind].items():
                    ok[kind] += min(c, got.get(term, 0))
                    if kind == "acronym-like" and got.get(term, 0) < c:
                        miss[term] += c - got.get(term, 0)
            per_answer.setdefault(mode, []).append({"id": it["id"], "voice": it["voice"], "wpm": it["wpm"],
                                                    "simple_wer": wer(refs[-1], hyps[-1]), "ref": it["text"],
                                                    "hyp": result.text, "seconds": it["seconds"]})
            print(f"<!-- {mode} {it['id']} {it['voice']} simple WER {per_answer[mode][-1]['simple_wer']:.3f} "
                  f"{time.perf_counter() - t:.1f} s -->", flush=True)
        misses[mode] = miss
        std, each, ops = standard_wer([a["ref"] for a in per_answer[mode]], [a["hyp"] for a in per_answer[mode]])
        for a, w in zip(per_answer[mode], each):
            a["wer"] = w
        print(f"<!-- {mode}: {ops} -->")
        rows.append((f"{mode} ({len(subset)} answers)", std, corpus_wer(refs, hyps), statistics.median(each), max(each),
                     {k: f"{ok[k]} of {sub_terms[k]} ({ok[k] / sub_terms[k]:.1%})" if sub_terms[k] else "-"
                      for k in kinds}, secs / sub_audio, (load_before + os.getloadavg()[0]) / 2))
        print(f"<!-- {mode} done: WER {rows[-1][1]:.3f} (simple {rows[-1][2]:.3f}) -->", flush=True)
        print_rows(rows, kinds)

    print_rows(rows, kinds)
    print("\n| mode | most missed acronym-like terms (misses) |\n|---|---|")
    for mode, miss in misses.items():
        print(f"| {mode} | {', '.join(f'{t} ({c})' for t, c in miss.most_common(10)) or '-'} |")
    first = next(iter(per_answer), "")
    by_voice: dict[str, list[float]] = {}
    for a in per_answer.get(first, []):
        by_voice.setdefault(a["voice"], []).append(a["wer"])
    print(f"\n| voice ({first}) | answers | mean WER |\n|---|---|---|" if by_voice else "")
    for v, w in by_voice.items():
        print(f"| {v} | {len(w)} | {statistics.mean(w):.1%} |")
    if partial_lat:
        q = sorted(partial_lat)
        print(f"\nStreaming: {len(q)} partial transcripts, median {statistics.median(q):.2f} s, p90 "
              f"{q[int(0.9 * (len(q) - 1))]:.2f} s, max {q[-1]:.2f} s ({sum(x > 2 for x in q)} over 2 s); "
              f"finish() median {statistics.median(finish_lat):.2f} s, max {max(finish_lat):.2f} s.")
    peak = peak_rss_mib()
    print("\n| memory (MiB) | value |\n|---|---|")
    print(f"| RSS before importing faster-whisper | {rss_start:.0f} |")
    print(f"| RSS after imports | {rss_imports:.0f} |")
    print(f"| RSS after loading the model ({load_s:.2f} s) | {rss_loaded:.0f} (+{rss_loaded - rss_imports:.0f}) |")
    print(f"| peak RSS after all transcriptions (the answers' audio held as float32: "
          f"{sum(it['audio'].nbytes for it in items) / 2**20:.0f} MiB) | {peak:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(per_answer, indent=1))
    if args.latency or args.mad:
        interview_measures(args, questions, transcriber, work)


def print_rows(rows: list, kinds: dict) -> None:
    print("\n| mode | WER (Whisper normalizer) | WER (lower case, no punctuation) | median WER per answer | "
          "worst answer | " + " | ".join(f"{k} terms right" for k in kinds) + " | CPU s per audio s | load avg |")
    print("|---|---|---|---|---|" + "---|" * len(kinds) + "---|---|", flush=True)
    for mode, corpus, simple, med, worst, terms_ok, rtf, load in rows:
        print(f"| {mode} | {corpus:.1%} | {simple:.1%} | {med:.1%} | {worst:.1%} | " + " | ".join(terms_ok[k] for k in kinds)
              + f" | {rtf:.3f} | {load:.2f} |", flush=True)


def interview_measures(args, questions: list[dict], transcriber, work: Path) -> None:
    """End of speech -> next message in a real interview (Service, default model), and spoken-vs-typed grades."""
    from interviewer.bank.storage import load_bank
    from interviewer.engine import InterviewConfig
    from interviewer.grading import make_grader
    from interviewer.settings import get_settings
    from interviewer.speech.audio import SAMPLE_RATE
    from interviewer.speech.transcribe import Take, question_prompt
    from interviewer.ui.service import Service

    bank = load_bank(include_user=False)
    settings = get_settings()
    service = Service(settings, bank)
    by_id = {q["id"]: q for q in questions}
    if args.latency:
        lat, n = [], 0
        config = InterviewConfig(categories=[], questions=args.latency + 1, max_followups=0, seed=7)
        view, _ = service.start(config)
        sid, token = view.session_id, view.token
        first = True
        while n < args.latency:
            view = service.look(sid, token)
            if view.done:
                break
            q = by_id[view.status.question_id]
            text = prose(q["reference"], 150)
            if first:  # the first answer of an interview is not measured (the condition)
                service.answer(sid, token, text)
                first = False
                continue
            audio = synthesize(text, "en-us", 160, work / f"latency-{n}.wav")
            take = Take(transcriber, prompt=question_prompt(q["question"], q["terms"]), terms=q["terms"])
            for i in range(0, audio.size, SAMPLE_RATE):  # while speaking: partials, each sent as a draft
                take.add(audio[i:i + SAMPLE_RATE])
                before = take.partial_at
                draft = take.partial()
                if take.partial_at != before:
                    service.warm(sid, token, draft)
            t = time.perf_counter()  # the candidate stops speaking (and presses Submit at once)
            final = take.finish()
            t_text = time.perf_counter() - t
            service.answer(sid, token, final.text)
            lat.append((time.perf_counter() - t, t_text, len(text.split()), len(audio) / SAMPLE_RATE))
            n += 1
        print(f"\nEnd of speech -> next message ({settings.model}, {len(lat)} answers after the first, "
              f"~150 words each, en-us 160 wpm):\n\n| answer | words | audio s | final transcript s | total s |"
              "\n|---|---|---|---|---|")
        for i, (total_s, text_s, words, secs) in enumerate(lat, 1):
            print(f"| {i} | {words} | {secs:.0f} | {text_s:.2f} | {total_s:.2f} |")
        print(f"\np50 {statistics.median([x[0] for x in lat]):.2f} s, max {max(x[0] for x in lat):.2f} s.")
    if args.mad:
        grader = make_grader(settings.model, settings)
        rows = []
        for n, q in enumerate(pick(questions, args.mad, args.max_words)):
            text = prose(q["reference"], args.max_words)
            audio = synthesize(text, VOICES[n % len(VOICES)], SPEEDS[n % len(SPEEDS)], work / f"mad-{n}.wav")
            spoken, _, _ = stream_take(transcriber, audio, question_prompt(q["question"], q["terms"]), q["terms"])
            question = bank.get(q["id"])
            typed_g, spoken_g = grader.grade(question, text).score, grader.grade(question, spoken.text).score
            rows.append((q["id"], VOICES[n % len(VOICES)], typed_g, spoken_g))
        print(f"\nSpoken vs typed grade ({settings.model}; the typed answer is the text espeak-ng spoke):\n\n"
              "| question | voice | typed | spoken | abs diff |\n|---|---|---|---|---|")
        for qid, voice, a, b in rows:
            print(f"| {qid} | {voice} | {a:.1f} | {b:.1f} | {abs(a - b):.1f} |")
        print(f"\nMAD {statistics.mean(abs(a - b) for _, _, a, b in rows):.2f} points (0-10 scale) over {len(rows)} "
              "answers.")


if __name__ == "__main__":
    main()
