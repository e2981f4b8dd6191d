"""Strong keys in every common form: national phones, country names, keys written in text."""

from __future__ import annotations

import csv
import json

import pytest

from crmbridge.config import IdentityConfig
from crmbridge.crm.local import LocalConfig, LocalCrm
from crmbridge.identity.match import MatchConfig, match_files
from crmbridge.identity.places import city_key, country_code
from crmbridge.identity.scored_resolver import ScoredResolver
from crmbridge.models import parse_interaction
from crmbridge.state.store import StateStore
from tests.conftest import record

COLUMNS = ["id", "first_name", "last_name", "email", "phone", "city", "country", "x_handle"]
CONTACTS = [
    ["C1", "Jane", "Doe", "jane.doe@acme.io", "(303) 555-0112", "Denver", "United States", ""],
    ["C2", "Giulia", "Romano", "giulia@studio.it", "06 1234 5678", "Roma", "Italia", ""],
    ["C3", "João", "Silva", "", "(11) 91234-5678", "São Paulo", "Brasil", ""],
    ["C4", "Lukas", "Müller", "lukas@firma.de", "030 1234567", "München", "Deutschland", ""],
    ["C5", "Wei", "Zhang", "wei.zhang@corp.cn", "", "Shanghai", "CN", ""],
]


def run(tmp_path, records, region="GB"):
    cpath, apath, out = tmp_path / "c.csv", tmp_path / "a.jsonl", tmp_path / "links.csv"
    with cpath.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(CONTACTS)
    apath.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    match_files(cpath, apath, out, MatchConfig(default_region=region))
    return {r["identity_key"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}


def author(key, text=None, **fields):
    return {"platform": "instagram", "author": {"id": key, **fields}, "text": text}


@pytest.mark.parametrize(
    ("key", "phone", "contact"),
    [
        ("us-national", "(303) 555-0112", "C1"),  # read in GB it would be +44…
        ("us-plus", "+1 303-555-0112", "C1"),
        ("it-plus", "+39 06 1234 5678", "C2"),
        ("it-national", "06 12345678", "C2"),
        ("br-plus", "+55 11 91234 5678", "C3"),
        ("de-national", "030 1234567", "C4"),
        ("de-plus", "+49 30 1234567", "C4"),
    ],
)
def test_a_phone_in_any_common_form_links_its_one_contact_whatever_the_default_region(
    tmp_path, key, phone, contact
):
    rows = run(tmp_path, [author(key, phone=phone)])
    assert (rows[f"instagram:{key}"]["band"], rows[f"instagram:{key}"]["contact_id"]) == (
        "auto",
        contact,
    )
    assert "conflict" not in json.loads(rows[f"instagram:{key}"]["evidence"])


def test_the_same_number_is_no_phone_conflict_when_the_regions_differ(tmp_path):
    rows = run(tmp_path, [author("e", email="jane.doe@acme.io", phone="(303) 555-0112")])
    assert (rows["instagram:e"]["band"], rows["instagram:e"]["rule"]) == ("auto", "email+phone")


def test_a_second_phone_no_contact_holds_is_noted_with_both_values_not_a_conflict(tmp_path):
    # People have two numbers; the email names one contact and the other number no one.
    rows = run(tmp_path, [author("d", email="jane.doe@acme.io", phone="+1 720 555 0199")])
    evidence = json.loads(rows["instagram:d"]["evidence"])
    assert (rows["instagram:d"]["band"], rows["instagram:d"]["contact_id"]) == ("auto", "C1")
    assert "conflict" not in evidence
    assert "+17205550199" in evidence["other_phone"] and "303" in evidence["other_phone"]


def test_a_phone_of_another_contact_beside_the_email_is_a_conflict(tmp_path):
    rows = run(tmp_path, [author("d", email="jane.doe@acme.io", phone="+39 06 1234 5678")])
    evidence = json.loads(rows["instagram:d"]["evidence"])
    assert rows["instagram:d"]["band"] == "review"
    assert "2 contacts" in evidence["conflict"]


def test_country_names_in_several_languages_become_iso_codes():
    names = ["Italia", "Italy", "ITA", "Brasil", "Deutschland", "España", "United States", "USA"]
    assert [country_code(n) for n in names] == ["IT", "IT", "IT", "BR", "DE", "ES", "US", "US"]
    assert country_code("Atlantis") is None


def test_native_and_english_city_names_agree():
    assert city_key("München") == city_key("Munich") == city_key("Muenchen")
    assert city_key("Lisboa") == city_key("lisbon")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bio", "write to jane.doe@acme.io"),
        ("bio", "call +1 303 555 0112"),
        ("bio", "📞 (303) 555-0112"),
        ("text", "my number is 06 1234 5678"),
        ("text", "it's giulia@studio.it"),
    ],
)
def test_a_key_written_only_in_the_bio_or_the_message_auto_links(tmp_path, field, value):
    record = author("k", name=None) if field == "text" else author("k", bio=value)
    if field == "text":
        record["text"] = value
    rows = run(tmp_path, [record])
    assert rows["instagram:k"]["band"] == "auto"
    assert rows["instagram:k"]["contact_id"] == (
        "C2" if "giulia" in value or "06" in value else "C1"
    )


def test_a_key_introduced_as_someone_elses_is_not_the_authors(tmp_path):
    rows = run(tmp_path, [author("o", name="Pixel Fan", bio="bookings: jane.doe@acme.io")])
    assert rows["instagram:o"]["band"] == "unmatched"


def test_a_key_of_ones_own_under_another_persons_name_waits_for_a_person(tmp_path):
    rows = run(tmp_path, [author("o", name="Karl Other", bio="my email is jane.doe@acme.io")])
    assert (rows["instagram:o"]["band"], rows["instagram:o"]["contact_id"]) == ("review", "C1")


def test_transliterated_and_accentless_names_with_their_city_link(tmp_path):
    rows = run(
        tmp_path,
        [
            author("j", name="Joao Silva", location="Sao Paulo, Brazil"),
            author("l", name="Lukas Mueller", location="Munich 🇩🇪"),
            author("w", name="张伟", location="上海"),
        ],
    )
    assert [rows[f"instagram:{k}"]["contact_id"] for k in "jlw"] == ["C3", "C4", "C5"]
    assert all(rows[f"instagram:{k}"]["band"] == "auto" for k in "jlw")


def test_the_review_queue_stores_evidence_per_field_with_both_values(tmp_path, workdir):
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    config = LocalConfig(path=workdir / "crm.db", contacts_csv=workdir / "contacts.csv")
    interaction = parse_interaction(record("r1", author={"id": "r", "name": "Jane Doe"}), "test")
    with LocalCrm(config) as crm:
        result = ScoredResolver(store, crm, IdentityConfig()).resolve([interaction])
    store.close()
    review = result["x:r"].new_review
    assert review is not None and "likely" in review["reason"]
    top = json.loads(review["candidates"])[0]
    assert top["contact_id"] == "C1"
    rows = {row["field"]: row for row in top["evidence"]}
    assert rows["name"]["verdict"] == "agree" and rows["name"]["contact"] == "Jane Doe"
    assert (rows["location"]["author"], rows["location"]["verdict"]) == (None, "missing")
    assert rows["location"]["contact"] == "leeds"
    assert rows["email"]["verdict"] == "missing" and rows["email"]["contact"]


def test_match_and_sync_use_the_same_bands():
    from crmbridge.identity.match import MatchConfig
    from crmbridge.identity.matcher import Thresholds

    config = IdentityConfig()
    assert (config.auto_threshold, config.review_threshold) == (Thresholds.auto, Thresholds.review)
    assert (MatchConfig.auto_threshold, MatchConfig.review_threshold) == (
        Thresholds.auto,
        Thresholds.review,
    )
