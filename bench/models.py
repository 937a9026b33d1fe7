"""Model speed benchmark: load time, prompt and generation tokens/s, one constrained Yes/No, peak RSS.

    python bench/models.py [--models local:smollm2-135m local:qwen2.5-coder-1.5b] [--threads N]

Each model runs in its own process so its peak RSS is its own. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

PASSAGE = (
    "Retrieval-augmented generation combines a retriever with a generator. Documents are split into chunks, "
    "embedded, and indexed; at query time the most similar chunks are retrieved and placed in the prompt. "
    "Hybrid search adds BM25 keyword scores to dense similarity, and a cross-encoder can rerank the top results. "
)


def measure(name: str, threads: int | None, n_gpu_layers: int) -> dict:
    import numpy as np

    from interviewer.llm.registry import get_model
    from interviewer.settings import Settings

    settings = Settings(model=name, n_threads=threads, n_gpu_layers=n_gpu_layers)
    start = time.perf_counter()
    model = get_model(name, settings)
    load = time.perf_counter() - start
    llm = model.llm

    # Prompt processing: a fresh ~400-token prompt.
    tokens = llm.tokenize((PASSAGE * 6).encode(), add_bos=True)[:400]
    llm.reset()
    model._kv_segments = []
    start = time.perf_counter()
    llm.eval(tokens)
    prompt_s = time.perf_counter() - start

    # Generation: 64 greedy tokens, one at a time.
    n_gen = 64
    start = time.perf_counter()
    for _ in range(n_gen):
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
        llm.eval([int(logits.argmax())])
    gen_s = time.perf_counter() - start

    # One constrained Yes/No over a ~200-token prompt that shares nothing with what is cached.
    body = (PASSAGE * 3)[: 200 * 4]
    msgs = [{"role": "user", "content": f"{body}\nDoes the text say that BM25 is a keyword score? Reply Yes or No."}]
    llm.reset()
    model._kv_segments = []
    start = time.perf_counter()
    probs = model.choose(msgs, ["Yes", "No"])
    choose_s = time.perf_counter() - start
    n_choose = len(llm.tokenize(model.format_prompt(msgs).encode(), add_bos=True, special=True))
    return {
        "model": name, "backend": "llama.cpp " + ("GPU" if model.on_gpu else "CPU"), "load_s": load,
        "prompt_tps": len(tokens) / prompt_s, "gen_tps": n_gen / gen_s, "choose_s": choose_s,
        "choose_tokens": n_choose, "p_yes": probs["Yes"],
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["local:smollm2-135m", "local:qwen2.5-coder-1.5b"])
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--n-gpu-layers", type=int, default=0)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.threads, args.n_gpu_layers)))
        return
    rows = []
    for name in args.models:
        cmd = [sys.executable, __file__, "--one", name, "--n-gpu-layers", str(args.n_gpu_layers)]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{name}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| model | backend | load s | prompt tok/s | generation tok/s | Yes/No s (prompt tokens) | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['backend']} | {r['load_s']:.2f} | {r['prompt_tps']:.1f} | {r['gen_tps']:.1f} | "
              f"{r['choose_s']:.2f} ({r['choose_tokens']}) | {r['rss_mib']:.0f} |")


if __name__ == "__main__":
    main()
