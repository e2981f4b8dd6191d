"""The seeded identity benchmark data: deterministic, varied, honest about its classes."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict

import phonenumbers
import pytest

from crmbridge.testing import identity_authors as social
from crmbridge.testing.identity_data import (
    IN_CRM_CLASSES,
    STRANGER_CLASSES,
    IdentityData,
    generate,
)
from crmbridge.testing.identity_eval import KeyOracle, bare_handle, region_of
from crmbridge.testing.identity_people import CULTURES, People
from crmbridge.testing.identity_places import COUNTRIES
from crmbridge.testing.identity_script import fold


@pytest.fixture(scope="module")
def small():
    data = IdentityData(3000, 1000, 11)
    contacts = list(data.contacts())
    authors = list(data.authors())
    return data, contacts, authors


def key(record):
    return f"{record['platform']}:{record['author']['id']}"


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = generate(600, 200, seed=5)
    again = generate(600, 200, seed=5)
    other = generate(600, 200, seed=6)
    assert first == again
    assert first[0] != other[0] and first[1] != other[1]


def test_streaming_gives_what_generate_returns(small):
    data, contacts, authors = small
    assert generate(3000, 1000, 11) == (contacts, authors, data.truth, data.classes)


def test_authors_cannot_be_drawn_before_the_contacts_they_portray():
    with pytest.raises(RuntimeError, match="contacts"):
        list(IdentityData(100, 10, 1).authors())


def test_every_culture_group_has_contacts(small):
    data, _, _ = small
    assert set(data.cultures) == {c.key for c in CULTURES}


def test_every_evidence_class_and_stranger_class_occurs(small):
    data, _, _ = small
    assert set(data.classes.values()) == set(IN_CRM_CLASSES) | set(STRANGER_CLASSES)


def test_about_a_third_of_the_authors_are_not_in_the_crm(small):
    data, _, authors = small
    strangers = sum(1 for v in data.truth.values() if v is None)
    assert len(data.truth) == len({key(r) for r in authors}) == 1000
    assert 0.28 <= strangers / len(data.truth) <= 0.38
    for k, label in data.classes.items():
        assert (label in STRANGER_CLASSES) == (data.truth[k] is None)


def test_strangers_never_own_a_crm_email_phone_or_handle(small):
    _, contacts, authors = small
    oracle = KeyOracle(contacts)
    handles = {
        bare_handle(c[col]) for c in contacts for col in ("x_handle", "instagram_handle") if c[col]
    }
    truth = small[0].truth
    strangers = [r for r in authors if truth[key(r)] is None]
    assert strangers
    for record in strangers:
        fields_only = {
            "platform": record["platform"],
            "author": {k: v for k, v in record["author"].items() if k != "bio"},
        }
        assert oracle.named(fields_only) == set(), record
        assert bare_handle(record["author"].get("handle") or "-") not in handles


def test_some_bios_quote_another_contacts_key_as_noise(small):
    data, contacts, authors = small
    oracle = KeyOracle(contacts)
    quoting = [
        r
        for r in authors
        if re.match(
            r"|".join(
                ["agent", "bookings", "mgmt", "PR", "collabs", "assistant", "business", "manager"]
            ),
            (r["author"].get("bio") or "").split(" · ")[-1],
        )
    ]
    assert quoting
    for record in quoting:
        named = oracle.named(record)
        assert named and named != {data.truth[key(record)]}


def test_strong_key_classes_are_backed_by_a_key_the_oracle_finds(small):
    data, contacts, authors = small
    oracle = KeyOracle(contacts)
    named = defaultdict(set)
    for record in authors:
        named[key(record)] |= oracle.named(record)
    for k, label in data.classes.items():
        if label in ("email", "phone", "handle", "key_in_text"):
            assert data.truth[k] in named[k], (label, k)


def test_some_authors_write_several_messages_and_a_key_may_come_later():
    contacts, authors, _, _ = generate(3000, 4000, seed=11)
    oracle = KeyOracle(contacts)
    by_key = defaultdict(list)
    for record in authors:
        by_key[key(record)].append(record)
    several = [records for records in by_key.values() if len(records) > 1]
    assert 0.15 < len(several) / len(by_key) < 0.35
    assert all(len({json.dumps(r["author"], sort_keys=True) for r in rs}) == 1 for rs in several)

    def keyed(record):
        return oracle.named({**record, "author": {"id": "-"}})

    later = [rs for rs in several if not keyed(rs[0]) and any(keyed(r) for r in rs[1:])]
    assert later


def test_crm_phones_are_valid_numbers_of_the_contacts_country(small):
    _, contacts, _ = small
    checked = 0
    for row in contacts:
        if row["phone"] and row["country"]:
            region = region_of(row["country"])
            number = phonenumbers.parse(row["phone"], region)
            assert phonenumbers.is_valid_number(number), row
            assert phonenumbers.region_code_for_number(number) == region, row
            checked += 1
    assert checked > 1000


def test_crm_phones_come_in_national_and_international_layouts(small):
    _, contacts, _ = small
    phones = [c["phone"] for c in contacts if c["phone"]]
    assert sum(p.startswith("+") for p in phones) > 200
    assert sum(p.startswith(("0", "(")) for p in phones) > 500
    italian_national = [
        c for c in contacts if c["phone"].startswith("3") and region_of(c["country"]) == "IT"
    ]
    assert italian_national


def test_countries_are_codes_english_names_and_local_names(small):
    _, contacts, _ = small
    cells = Counter(c["country"] for c in contacts if c["country"])
    assert all(region_of(cell) for cell in cells)
    assert {"US", "DE", "IT"} <= set(cells)
    assert {"Italy", "Germany", "United States"} & set(cells)
    assert {"Italia", "Deutschland", "Brasil", "España", "México", "USA"} & set(cells)


def test_names_keep_or_drop_their_diacritics_and_compound_surnames_occur(small):
    _, contacts, _ = small
    last = [c["last_name"] for c in contacts]
    assert sum(not n.isascii() for n in last) > 50
    assert {"Muller", "Müller", "Mueller"} & set(last) and sum(
        n in ("Garcia", "Rodriguez", "Gonzalez", "Lopez") for n in last
    ) > 0
    assert sum(" " in n for n in last) > 30  # García Márquez, van den Berg, Silva Santos


def test_cities_appear_in_native_and_english_spelling(small):
    _, contacts, authors = small
    native = {
        ci.native
        for c in COUNTRIES.values()
        for ci in c.cities
        if ci.english and ci.english != ci.native
    }
    english = {
        ci.english
        for c in COUNTRIES.values()
        for ci in c.cities
        if ci.english and ci.english != ci.native
    }
    cities = Counter(c["city"] for c in contacts)
    assert sum(cities[n] for n in native) > 50
    assert sum(cities[e] for e in english) > 50
    locations = " ".join(r["author"].get("location") or "" for r in authors)
    assert "📍" in locations and any(f in locations for f in ("🇩🇪", "🇮🇹", "🇺🇸", "🇧🇷"))


def test_authors_write_names_in_native_scripts_and_family_first(small):
    _, _, authors = small
    names = [r["author"].get("name") or "" for r in authors]
    scripts = {
        "cyrillic": r"[\u0400-\u04ff]",
        "greek": r"[\u0370-\u03ff]",
        "arabic": r"[\u0600-\u06ff]",
        "cjk": r"[\u4e00-\u9fff\uac00-\ud7af]",
    }
    found = {s for s, pattern in scripts.items() if any(re.search(pattern, n) for n in names)}
    assert found >= {"cyrillic", "cjk"}
    assert any(re.match(r"^[A-Z]{2,} [A-Z][a-z]+", n) for n in names)  # "WANG Wei"
    assert any(re.match(r"^[A-Z][\w'-]+, [A-Z]", n) for n in names)  # "García, José"


def test_profiles_show_names_often_locations_sometimes_keys_rarely(small):
    _, _, authors = small
    profiles = {key(r): r["author"] for r in authors}
    n = len(profiles)
    share = Counter(f for a in profiles.values() for f, v in a.items() if v)
    assert share["name"] / n > 0.75
    assert 0.2 < share["location"] / n < 0.6
    assert share["email"] / n < 0.05
    assert share["phone"] / n < 0.15


def test_the_oracle_reads_a_national_phone_in_a_bio_as_the_contacts_number():
    contacts = [
        {
            "id": "C1",
            "first_name": "Gianni",
            "last_name": "Rossi",
            "email": "",
            "phone": "+39 06 1234 5678",
            "city": "Roma",
            "country": "Italia",
        },
        {
            "id": "C2",
            "first_name": "Ann",
            "last_name": "Lee",
            "email": "",
            "phone": "(303) 555-0112",
            "city": "Denver",
            "country": "United States",
        },
    ]
    oracle = KeyOracle(contacts)
    assert oracle.named({"platform": "x", "author": {"id": "1", "bio": "tel 06 1234 5678"}}) == {
        "C1"
    }
    assert oracle.named({"platform": "x", "author": {"id": "2", "phone": "+1 303 555 0112"}}) == {
        "C2"
    }
    assert oracle.named({"platform": "x", "author": {"id": "3"}, "text": "0039 0612345678"}) == {
        "C1"
    }


def members(small):
    """(person, contact row, first record) for every author who is in the CRM."""
    data, _, authors = small
    seen = set()
    for record in authors:
        cid = data.truth[key(record)]
        if cid and key(record) not in seen:
            seen.add(key(record))
            person, row = data.kept[int(cid[1:])]
            yield person, row, record


def tokens(text):
    return set(re.findall(r"[\w'-]+", (text or "").lower()))


def test_authors_go_by_nicknames_in_several_languages(small):
    cultures = Counter()
    for person, row, record in members(small):
        nicks = person.culture.nicknames.get(person.given, ())
        shown = tokens(record["author"].get("name"))
        latin = {person.latin(n).lower() for n in nicks} | {n.lower() for n in nicks}
        if latin & shown and row["first_name"].lower() not in shown:
            cultures[person.culture.key] += 1
    assert len(cultures) >= 5, cultures


def test_authors_spell_names_as_another_transliteration_than_the_crm(small):
    hits = Counter()
    for person, row, record in members(small):
        shown = tokens(record["author"].get("name"))
        for group in person.culture.variants:
            spellings = {g.lower() for g in group}
            crm = {row["first_name"].lower(), row["last_name"].lower()}
            if crm & spellings and (shown & spellings) - crm:
                hits[person.culture.key] += 1
    assert sum(hits.values()) >= 5 and len(hits) >= 3, hits


def test_compound_surnames_are_shown_whole_or_in_part(small):
    whole = part = 0
    for person, _row, record in members(small):
        parts = person.family.lower().split(" ")
        if len(parts) == 2 and person.culture.key in ("spanish", "portuguese"):
            name = (record["author"].get("name") or "").lower()
            whole += parts[0] in name and parts[1] in name
            part += (parts[0] in name) != (parts[1] in name)
    assert whole and part


def test_diacritics_are_dropped_on_either_side(small):
    crm_only = author_only = 0
    for _person, row, record in members(small):
        name = record["author"].get("name") or ""
        last = row["last_name"]
        if not last.isascii() and fold(last) in name:
            crm_only += 1
        if last.isascii() and last in fold(name) and last not in name:
            author_only += 1
    assert crm_only and author_only


@pytest.mark.parametrize(
    ("culture", "given", "family", "pattern"),
    [
        ("greek", "Γεώργιος", "Παπαδόπουλος", r"[\u0370-\u03ff]"),
        ("arabic", "Mohammed", "Haddad", r"[\u0600-\u06ff]"),
        ("russian", "Сергей", "Кузнецов", r"[\u0400-\u04ff]"),
        ("chinese", "Wei", "Wang", r"[\u4e00-\u9fff]"),
        ("japanese", "Hiroshi", "Tanaka", r"[\u4e00-\u9fff]"),
        ("korean", "Min-jun", "Kim", r"[\uac00-\ud7af]"),
    ],
)
def test_some_profiles_write_the_name_in_its_own_script(culture, given, family, pattern):
    rng = random.Random(3)
    people = People(rng, 10)
    group = next(c for c in CULTURES if c.key == culture)
    person = people.person(group, female=False)
    person.given, person.family = given, family
    person.renamed()
    names = [social.display_name(rng, person) for _ in range(400)]
    native = [n for n in names if re.search(pattern, n)]
    assert 0.05 < len(native) / len(names) < 0.3
    assert any(not re.search(pattern, n) and person.given_latin.split("-")[0] in n for n in names)


def test_the_data_does_not_depend_on_the_process_hash_seed():
    script = (
        "import hashlib, json; from crmbridge.testing.identity_data import generate; "
        "print(hashlib.sha256(json.dumps(generate(600, 200, 3), sort_keys=True)"
        ".encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1
