"""Classification benchmark: the service layer beside plain VADER on hand-labelled messages.

Prints accuracy and macro-F1 of both, per-label recall, intent precision/recall per tag, and
texts per second on one core; the last line is one JSON object.

    python benchmarks/classify.py [--data benchmarks/data/service_messages.jsonl]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from crmbridge.classify import ServiceAnalyzer, VaderAnalyzer

LABELS = ("negative", "neutral", "positive")
DATA = Path(__file__).parent / "data" / "service_messages.jsonl"
HELDOUT = Path(__file__).parent / "data" / "service_messages_heldout.jsonl"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def sentiment_scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    out = {"accuracy": accuracy}
    f1s = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        _, recall, score = f1(tp, fp, fn)
        out[f"recall_{label}"] = recall
        f1s.append(score)
    out["macro_f1"] = sum(f1s) / len(f1s)
    return out


def intent_scores(rows: list[dict], predicted: list[list[str]]) -> dict[str, tuple]:
    tags = sorted({t for r in rows for t in r["intents"]} | {t for p in predicted for t in p})
    table = {}
    for tag in tags:
        tp = sum(tag in r["intents"] and tag in p for r, p in zip(rows, predicted, strict=True))
        fp = sum(tag not in r["intents"] and tag in p for r, p in zip(rows, predicted, strict=True))
        fn = sum(tag in r["intents"] and tag not in p for r, p in zip(rows, predicted, strict=True))
        table[tag] = (*f1(tp, fp, fn), tp + fn)
    return table


def throughput(analyze: Callable[[str], object], texts: list[str], seconds: float = 2.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            analyze(text)
        done += len(texts)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--errors", action="store_true", help="list the misread messages")
    args = parser.parse_args()
    rows = load(args.data)
    gold = [r["label"] for r in rows]
    service, vader = ServiceAnalyzer(), VaderAnalyzer()
    results = [service.analyze(r["text"]) for r in rows]
    ours = sentiment_scores(gold, [c.label for c in results])
    plain = sentiment_scores(gold, [vader.analyze(r["text"]).label for r in rows])
    counts = {label: gold.count(label) for label in LABELS}
    print(f"{len(rows)} messages: {counts}")
    print(f"{'':24}{'service layer':>15}{'plain VADER':>13}")
    for key in ("accuracy", "macro_f1", *(f"recall_{label}" for label in LABELS)):
        print(f"{key:24}{ours[key]:>15.3f}{plain[key]:>13.3f}")
    print(f"\n{'intent':12}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for tag, (p, r, f, support) in intent_scores(rows, [c.intents for c in results]).items():
        print(f"{tag:12}{p:>10.3f}{r:>8.3f}{f:>7.3f}{support:>9}")
    if args.errors:
        for row, c in zip(rows, results, strict=True):
            if c.label != row["label"]:
                print(f"{row['label']:>8} -> {c.label:8} {c.sentiment_score:+.2f} {row['text']}")
    held = load(args.heldout)
    held_gold = [r["label"] for r in held]
    held_ours = sentiment_scores(held_gold, [service.analyze(r["text"]).label for r in held])
    held_plain = sentiment_scores(held_gold, [vader.analyze(r["text"]).label for r in held])
    print(f"\nheld-out set ({len(held)} messages written after the patterns were frozen)")
    for key in ("accuracy", "macro_f1", "recall_negative"):
        print(f"{key:24}{held_ours[key]:>15.3f}{held_plain[key]:>13.3f}")
    texts = [r["text"] for r in rows]
    rate = throughput(service.analyze, texts)
    vader_rate = throughput(vader.compound, texts)
    print(f"\nthroughput: {rate:,.0f} texts/s on one core (service layer and intents)")
    print(f"VADER's score alone: {vader_rate:,.0f} texts/s")
    summary = {
        "messages": len(rows),
        "accuracy": round(ours["accuracy"], 4),
        "macro_f1": round(ours["macro_f1"], 4),
        "vader_accuracy": round(plain["accuracy"], 4),
        "vader_macro_f1": round(plain["macro_f1"], 4),
        "negative_recall": round(ours["recall_negative"], 4),
        "vader_negative_recall": round(plain["recall_negative"], 4),
        "heldout_accuracy": round(held_ours["accuracy"], 4),
        "heldout_macro_f1": round(held_ours["macro_f1"], 4),
        "heldout_vader_accuracy": round(held_plain["accuracy"], 4),
        "heldout_vader_macro_f1": round(held_plain["macro_f1"], 4),
        "vader_only_texts_per_second": round(vader_rate),
        "texts_per_second": round(rate),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
