import csv
import importlib.util
import json
from pathlib import Path

from crmbridge.identity.match import MatchConfig, match_files

_SPEC = importlib.util.spec_from_file_location(
    "identity_benchmark", Path(__file__).resolve().parents[2] / "benchmarks" / "identity.py"
)
assert _SPEC and _SPEC.loader
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def test_the_social_benchmark_meets_its_precision_and_stranger_goals_at_small_scale(tmp_path):
    contacts, authors, truth = bench.generate(3000, 1000, seed=11)
    cpath, apath, out = tmp_path / "c.csv", tmp_path / "a.jsonl", tmp_path / "links.csv"
    with cpath.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(contacts[0]))
        writer.writeheader()
        writer.writerows(contacts)
    apath.write_text("".join(json.dumps(a) + "\n" for a in authors), encoding="utf-8")
    match_files(cpath, apath, out, MatchConfig())
    figures = bench.evaluate(out, truth, authors)
    assert figures["precision"] >= 0.995
    assert figures["false_link_rate_not_in_crm"] <= 0.01
    assert figures["strong_key_missed_without_conflict"] == 0
