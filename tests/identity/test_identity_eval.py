"""Scoring a LINKS.csv against the identity benchmark's truth."""

from __future__ import annotations

import csv
import json

import pytest

from crmbridge.testing.identity_eval import KeyOracle, evaluate, region_of

CONTACTS = [
    {
        "id": "C1",
        "first_name": "Ana",
        "last_name": "Silva",
        "email": "ana@x.com.br",
        "phone": "(11) 91234-5678",
        "city": "São Paulo",
        "country": "Brasil",
        "x_handle": "@anasilva",
        "instagram_handle": "",
    },
    {
        "id": "C2",
        "first_name": "Bo",
        "last_name": "Li",
        "email": "bo@li.cn",
        "phone": "",
        "city": "",
        "country": "CN",
        "x_handle": "",
        "instagram_handle": "",
    },
    {
        "id": "C3",
        "first_name": "Cy",
        "last_name": "Ng",
        "email": "cy@ng.hk",
        "phone": "",
        "city": "",
        "country": "",
        "x_handle": "",
        "instagram_handle": "",
    },
]


def author(platform, aid, text="hi", **fields):
    return {"platform": platform, "author": {"id": aid, **fields}, "text": text}


AUTHORS = [
    author("x", "1", handle="AnaSilva"),  # strong: handle names C1
    author("x", "2", text="sou eu, +55 11 91234-5678"),  # strong: phone in text names C1
    author("instagram", "3", name="Bo Li"),  # no key
    author("instagram", "4", name="Cy Ng", bio="agent: bo@li.cn"),  # a stranger quoting C2
    author("facebook", "5", email="CY@ng.hk", bio="mgmt: ana@x.com.br"),  # two contacts named
]
TRUTH = {"x:1": "C1", "x:2": "C1", "instagram:3": "C2", "instagram:4": None, "facebook:5": "C3"}
CLASSES = {
    "x:1": "handle",
    "x:2": "key_in_text",
    "instagram:3": "name_only",
    "instagram:4": "stranger_others_key",
    "facebook:5": "email",
}


def links(tmp_path, rows):
    path = tmp_path / "links.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["identity_key", "contact_id", "score", "band", "rule", "evidence"])
        for key, contact, band in rows:
            writer.writerow([key, contact, "0.5", band, "r", json.dumps({})])
    return path


def test_country_cells_in_any_listed_spelling_give_the_region():
    assert [
        region_of(c)
        for c in (
            "Brasil",
            "brazil",
            "BR",
            "U.S.",
            "Deutschland",
            "Italia",
            "España",
            "México",
            "Türkiye",
            "Atlantis",
            "",
        )
    ] == ["BR", "BR", "BR", "US", "DE", "IT", "ES", "MX", "TR", None, None]


def test_the_oracle_finds_handles_phones_in_text_and_several_contacts_in_one_bio():
    oracle = KeyOracle(CONTACTS)
    assert [oracle.named(a) for a in AUTHORS] == [{"C1"}, {"C1"}, set(), {"C2"}, {"C3", "C1"}]


def test_figures_count_auto_links_review_candidates_strangers_and_strong_keys(tmp_path):
    rows = [
        ("x:1", "C1", "auto"),  # right
        ("x:2", "C2", "auto"),  # wrong
        ("instagram:3", "C2", "review"),  # right top candidate
        ("instagram:4", "C2", "review"),  # a stranger offered in review
        ("facebook:5", "", "unmatched"),
    ]
    got = evaluate(links(tmp_path, rows), TRUTH, CLASSES, AUTHORS, KeyOracle(CONTACTS))
    assert got["precision"] == 0.5
    assert got["recall"] == pytest.approx(1 / 4, abs=1e-4)
    # predictions: two autos and two review tops, two of them right; four in the CRM
    assert got["f1_with_review"] == 0.5
    assert got["false_link_rate"] == 0.0
    assert got["strangers_offered_in_review"] == 1.0
    assert got["review_share"] == 0.4
    assert got["strong_key_authors"] == 2  # x:1 and x:2; facebook:5 names two contacts
    assert got["strong_key_linked"] == 0.5
    assert got["strong_key_missed_without_conflict"] == 1
    assert got["recall_by_class"]["handle"] == {"n": 1, "auto": 1.0, "with_review": 1.0}
    assert got["recall_by_class"]["name_only"] == {"n": 1, "auto": 0.0, "with_review": 1.0}
    assert got["strangers_by_class"]["stranger_others_key"]["offered_in_review"] == 1.0


def test_an_identity_missing_from_links_counts_as_unmatched(tmp_path):
    got = evaluate(
        links(tmp_path, [("x:1", "C1", "auto")]), TRUTH, CLASSES, AUTHORS, KeyOracle(CONTACTS)
    )
    assert got["precision"] == 1.0 and got["recall"] == 0.25 and got["review_share"] == 0.0
