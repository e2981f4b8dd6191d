"""The evidence model keeps a name's rarity, and knows names and places are not independent."""

import random

from crmbridge.identity.blocking import ContactIndex
from crmbridge.identity.features import Identity, TermFrequencies, prepare_contact
from crmbridge.identity.matcher import Matcher
from crmbridge.identity.model import Model
from crmbridge.models import Author, Contact

CITIES = [f"Town{i}" for i in range(40)]


def filler(n: int, seed: int = 3) -> list[Contact]:
    """Contacts with unrelated names spread over forty towns."""
    rng = random.Random(seed)
    return [
        Contact(
            id=f"F{i}",
            first_name=f"Given{rng.randrange(300)}",
            last_name=f"Family{rng.randrange(3000)}",
            city=CITIES[rng.randrange(len(CITIES))],
            country="GB",
        )
        for i in range(n)
    ]


def decide(contacts: list[Contact], model: Model, **author: str) -> tuple[str, str | None]:
    matcher = Matcher(ContactIndex.build(contacts), model)
    decision = matcher.decide(Identity.of("x", Author(id="a", **author)))
    return decision.band, decision.contact_id


def test_a_rare_name_with_its_town_auto_links_even_when_namesakes_are_many():
    contacts = [
        *filler(3000),
        Contact(id="R", first_name="Ottoline", last_name="Quarrington", city="Town7"),
    ]
    # Strangers sharing a contact's name eight times likelier than the names' rates say:
    # the excess weighs on "not in the CRM", it does not erase how rare this name is.
    model = Model(namesakes=8.0)
    assert decide(contacts, model, name="Ottoline Quarrington", location="Town7") == ("auto", "R")


def test_a_common_name_with_a_town_it_shares_with_namesakes_does_not_auto_link():
    smiths = [
        Contact(id=f"S{i}", first_name="John", last_name="Smith", city=CITIES[i % 4])
        for i in range(40)
    ]
    band, _ = decide([*filler(3000), *smiths], Model(), name="John Smith", location="Town1")
    assert band != "auto"


def test_given_and_family_names_that_pair_raise_the_full_names_rate():
    rng = random.Random(5)
    letters = "bcdfghjklmnpqrstvwxz"

    def word(a: int, b: int) -> str:  # a pronounceable name, letters only
        return f"{letters[a % 20].upper()}a{letters[b % 20]}o{letters[(a * 7 + b) % 20]}a"

    paired = TermFrequencies()
    independent = TermFrequencies()
    for i in range(3000):
        culture = rng.randrange(10)  # given and family names drawn from one culture's lists
        given, family = word(culture, rng.randrange(5)), word(culture + 10, rng.randrange(5))
        paired.add(prepare_contact(Contact(id=f"P{i}", first_name=given, last_name=family)))
        given, family = word(rng.randrange(10), rng.randrange(5)), word(
            10 + rng.randrange(10), rng.randrange(5)
        )
        independent.add(prepare_contact(Contact(id=f"I{i}", first_name=given, last_name=family)))
    assert paired.name_pairing() > 5
    assert 0.8 <= independent.name_pairing() <= 1.5


def test_a_family_gathered_in_one_city_makes_agreeing_on_that_city_weaker():
    tf = TermFrequencies()
    contacts = filler(2000)
    contacts += [
        Contact(id=f"N{i}", first_name=f"Minh{i}", last_name="Nguyen", city="Hanoi")
        for i in range(20)
    ]
    contacts += [Contact(id="N99", first_name="Lan", last_name="Nguyen", city="Town3")]
    records = {c.id: prepare_contact(c) for c in contacts}
    for rec in records.values():
        tf.add(rec)
    hanoi = records["N0"]
    assert tf.u("city", hanoi.city) < 0.02
    assert tf.city_given_family(hanoi) > 0.5  # most other Nguyens live there
    assert tf.city_given_family(records["F1"]) < 0.2  # an unrelated family: the town's share


def test_a_contact_with_a_city_and_no_family_name_is_compared():
    contacts = [*filler(200), Contact(id="M", first_name="Madonna", city="Town2")]
    assert decide(contacts, Model(), name="Madonna", location="Town2")[0] in ("auto", "review")
