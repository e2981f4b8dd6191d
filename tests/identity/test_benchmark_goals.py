"""Issue 13's goals for ``crmbridge match`` on the seeded international social data."""

import csv
import json

import pytest

from crmbridge.identity.match import MatchConfig, match_files
from crmbridge.testing.identity_data import CONTACT_COLUMNS, generate
from crmbridge.testing.identity_eval import KeyOracle, evaluate


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("goals")
    contacts, authors, truth, classes = generate(3000, 1000, seed=11)
    cpath, apath, out = tmp_path / "c.csv", tmp_path / "a.jsonl", tmp_path / "links.csv"
    with cpath.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CONTACT_COLUMNS)
        writer.writeheader()
        writer.writerows(contacts)
    apath.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in authors), encoding="utf-8"
    )
    match_files(cpath, apath, out, MatchConfig())
    return evaluate(out, truth, classes, authors, KeyOracle(contacts))


def test_auto_links_on_the_social_benchmark_are_at_least_995_in_1000_right(figures):
    assert figures["precision"] >= 0.995


def test_at_most_one_in_a_hundred_authors_outside_the_crm_is_auto_linked(figures):
    assert figures["false_link_rate"] <= 0.01


def test_no_author_whose_strong_key_names_one_contact_is_missed_without_a_conflict(figures):
    assert figures["strong_key_missed_without_conflict"] == 0


def test_the_scored_tier_auto_links_at_least_45_percent_of_authors_in_the_crm(figures):
    assert figures["recall"] >= 0.45
