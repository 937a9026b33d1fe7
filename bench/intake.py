"""How well the interviewer tells what kind of turn a message is. Prints a table; asserts nothing.

    python bench/intake.py [--model local:qwen2.5-coder-1.5b]

Reads bench/intake/messages.jsonl (written and labelled by the project's engineers) and classifies each message
with interviewer.engine.intake: the rules alone, and with --model the rules plus the model's constrained choice
where the rules are unsure. Prints accuracy per label, on the messages marked tricky, the confusion matrix, and
the cost per message (and on the answers alone: the cost a normal answer pays).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.engine.turns import KINDS, classify  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    rows = [json.loads(x) for x in (ROOT / "bench" / "intake" / "messages.jsonl").read_text().splitlines() if x]
    decide = None
    if args.model:
        from interviewer.bank.storage import load_bank
        from interviewer.engine.turns import model_decider
        from interviewer.llm.registry import get_model

        bank = load_bank(include_user=False)
        decide_for = model_decider(get_model(args.model))
    got, secs, how = [], [], Counter()
    for r in rows:
        if args.model:
            decide = decide_for(bank.get(r["question_id"]).question)
        start = time.perf_counter()
        kind, by = classify(r["text"], decide)
        secs.append(time.perf_counter() - start)
        got.append(kind)
        how[by] += 1
    print(f"`python bench/intake.py{' --model ' + args.model if args.model else ''}`: {len(rows)} messages, "
          f"decided by {dict(how)}\n")
    print("| label | n | accuracy |\n|---|---|---|")
    for k in KINDS:
        idx = [i for i, r in enumerate(rows) if r["label"] == k]
        print(f"| {k} | {len(idx)} | {sum(got[i] == k for i in idx) / len(idx):.2f} |")
    tricky = [i for i, r in enumerate(rows) if r.get("note", "").startswith("tricky")]
    print(f"| all | {len(rows)} | {sum(g == r['label'] for g, r in zip(got, rows)) / len(rows):.2f} |")
    print(f"| tricky | {len(tricky)} | {sum(got[i] == rows[i]['label'] for i in tricky) / max(1, len(tricky)):.2f} |")
    print("\nconfusion (rows: label, columns: classified as)\n")
    print("| | " + " | ".join(KINDS) + " |\n|---|" + "---|" * len(KINDS))
    for k in KINDS:
        c = Counter(g for g, r in zip(got, rows) if r["label"] == k)
        print(f"| {k} | " + " | ".join(str(c[j]) for j in KINDS) + " |")
    ans = [s for s, r in zip(secs, rows) if r["label"] == "answer"]
    print(f"\nseconds per message: median {statistics.median(secs) * 1000:.2f} ms, max {max(secs) * 1000:.1f} ms; "
          f"on answers: median {statistics.median(ans) * 1000:.2f} ms")
    wrong = [(r["label"], g, r["text"][:90]) for g, r in zip(got, rows) if g != r["label"]]
    print("\nmisclassified:\n" + "\n".join(f"- {a} -> {b}: {t}" for a, b, t in wrong))


if __name__ == "__main__":
    main()
