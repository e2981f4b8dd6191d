"""How a person shows up on social platforms: display names, locations, bios and messages.

Each function takes the true :class:`~crmbridge.testing.identity_people.Person` and writes
one public rendering of it, with the variation real profiles have: nicknames in the
person's language, transliteration variants, native script, swapped name order, one part of
a compound surname, typos, emoji, cities in the local or the English spelling, keys in bios.
"""

# ruff: noqa: RUF001  (names and cities in Cyrillic, Greek, Arabic and CJK script)

from __future__ import annotations

import random

from crmbridge.testing.identity_people import WORDS, Person
from crmbridge.testing.identity_places import CITY_SLANG
from crmbridge.testing.identity_script import (
    CYRILLIC_SCHEMES,
    GREEK_SCHEMES,
    fold,
    romanize,
    transcribe,
    typo,
)

EMOJI = ("🌸", "🚀", "✨", "🔥", "☕", "💙", "🌿", "🎧", "📚", "⚽", "🏃", "🐶", "🌍", "💫")
TITLES = (
    "photographer",
    "dev",
    "mum of 2",
    "founder",
    "designer",
    "runner",
    "PhD",
    "coffee addict",
    "teacher",
    "nurse",
    "engineer",
)
PSEUDONYMS = (
    "Coffee Lover ☕",
    "Trail Mix",
    "not a bot",
    "Wanderlust ✈️",
    "the real deal",
    "Night Owl 🦉",
    "just browsing",
    "Sunny Side",
    "Plant Mom 🌱",
    "Gamer4Life",
    "Mystery Shopper",
    "your neighbour",
    "Bookworm 📚",
    "dad jokes",
    "Lazy Panda",
)
VAGUE_PLACES = (
    "Earth 🌍",
    "somewhere",
    "she/her",
    "in my head",
    "🌊",
    "the internet",
    "everywhere",
    "home",
    "on the road",
    "he/him",
    "Planet Earth",
    "worldwide",
)
_CYR = tuple(CYRILLIC_SCHEMES)
_LANG = {
    "english": "en",
    "indian": "en",
    "west_african": "en",
    "vietnamese": "en",
    "hungarian": "en",
    "dutch_nordic": "en",
    "greek": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "portuguese": "pt",
    "italian": "it",
    "polish": "pl",
    "turkish": "tr",
    "arabic": "en",
    "russian": "ru",
    "ukrainian": "ru",
    "chinese": "zh",
    "japanese": "ja",
    "korean": "ko",
}
MESSAGES = {
    "en": (
        "my order never arrived",
        "still waiting on a refund",
        "love the new jacket!",
        "the app keeps logging me out",
        "where is my parcel?",
        "great service today 👍",
    ),
    "de": (
        "meine Bestellung ist nie angekommen",
        "warte immer noch auf die Erstattung",
        "super Service, danke!",
        "die App stürzt ständig ab",
    ),
    "fr": (
        "ma commande n'est jamais arrivée",
        "toujours pas de remboursement",
        "merci pour votre aide !",
        "le colis est où ?",
    ),
    "es": (
        "mi pedido nunca llegó",
        "sigo esperando el reembolso",
        "¡gracias por la ayuda!",
        "¿dónde está mi paquete?",
    ),
    "pt": (
        "meu pedido não chegou",
        "ainda esperando o reembolso",
        "adorei o atendimento!",
        "cadê minha encomenda?",
    ),
    "it": (
        "il mio ordine non è mai arrivato",
        "aspetto ancora il rimborso",
        "grazie mille per l'aiuto",
        "dov'è il mio pacco?",
    ),
    "pl": ("moje zamówienie nie dotarło", "wciąż czekam na zwrot", "dzięki za pomoc!"),
    "tr": ("siparişim hâlâ gelmedi", "iadem nerede?", "çok teşekkürler!"),
    "ru": ("мой заказ так и не пришёл", "жду возврат уже месяц", "спасибо за помощь!"),
    "zh": ("我的订单还没到", "退款什么时候到账？", "谢谢你们的帮助"),
    "ja": ("注文した商品がまだ届きません", "返金はいつですか？", "ありがとうございました"),
    "ko": ("주문한 상품이 아직 안 왔어요", "환불은 언제 되나요?", "감사합니다!"),
}
KEY_PHRASES = {  # language: (phrases for an email, phrases for a phone)
    "en": (
        ("my email is {}", "account under {}", "it's registered to {}", "email me: {}"),
        ("call me on {}", "you can text me: {}", "my number is {}", "ring me at {}"),
    ),
    "de": (("meine Mail: {}", "Kundenkonto {}"), ("ruft mich an: {}", "meine Nummer: {}")),
    "fr": (("mon mail : {}", "mon compte : {}"), ("appelez-moi au {}", "mon numéro : {}")),
    "es": (("mi correo es {}", "mi cuenta: {}"), ("llámame al {}", "mi número es {}")),
    "pt": (("meu e-mail é {}", "minha conta: {}"), ("me liga no {}", "meu zap: {}")),
    "it": (("la mia mail è {}", "account: {}"), ("chiamatemi al {}", "il mio numero: {}")),
    "ru": (("моя почта {}", "аккаунт {}"), ("мой телефон {}", "звоните: {}")),
}
OTHERS_KEY = (
    "agent: {}",
    "bookings: {}",
    "mgmt: {}",
    "PR → {}",
    "collabs: {}",
    "assistant: {}",
    "business inquiries: {}",
    "manager {}",
)


def language(person: Person) -> str:
    """The language the person writes messages in."""
    return _LANG.get(person.culture.key, "en")


def message(rng: random.Random, person: Person) -> str:
    """A short inbound message in the person's language."""
    lang = language(person) if rng.random() < 0.8 else "en"
    options = MESSAGES.get(lang, MESSAGES["en"])
    text = options[rng.randrange(len(options))]
    if rng.random() < 0.3:
        text += f" (order #{rng.randrange(100000, 99999999)})"
    return text


def key_phrase(rng: random.Random, person: Person, key: str) -> str:
    """A sentence that carries one of the person's keys (an email or a phone)."""
    emails, phones = KEY_PHRASES.get(language(person), KEY_PHRASES["en"])
    options = emails if "@" in key else phones
    return options[rng.randrange(len(options))].format(key)


def written_phone(rng: random.Random, person: Person) -> str:
    """The person's own number as they type it: international, national or packed."""
    r = rng.random()
    if r < 0.42:
        return person.phone_intl
    if r < 0.72:
        return person.phone_national
    if r < 0.87:
        return person.phone
    if r < 0.93:
        return "00" + person.phone[1:]
    return person.phone_intl.replace(" ", "-").replace("(", "").replace(")", "")


def loose_email(rng: random.Random, email: str) -> str:
    """The same Gmail mailbox written another way: dots moved or a +tag."""
    local, _, domain = email.partition("@")
    if rng.random() < 0.5 and len(local.replace(".", "")) > 3:
        bare = local.replace(".", "")
        cut = rng.randrange(1, len(bare) - 1)
        return f"{bare[:cut]}.{bare[cut:]}@{domain}"
    return f"{local}+{('shop', 'orders', 'news', 'promo')[rng.randrange(4)]}@{domain}"


def _spell(rng: random.Random, person: Person, name: str) -> str:
    """The person's own Latin spelling: their scheme or another; marks kept or dropped."""
    script = person.culture.script
    if script == "cyrillic":
        scheme = person.scheme if rng.random() < 0.5 else _CYR[rng.randrange(len(_CYR))]
        return romanize(name, script, scheme)
    if script == "greek":
        scheme = person.scheme if rng.random() < 0.5 else GREEK_SCHEMES[rng.randrange(3)]
        return romanize(name, script, scheme)
    r = rng.random()
    if r < 0.22:
        return fold(name)
    if r < 0.26:
        return transcribe(name)
    return name


def _variant(rng: random.Random, person: Person, latin: str) -> str:
    for group in person.culture.variants:
        if latin in group or fold(latin) in group:
            others = [g for g in group if g != latin]
            return others[rng.randrange(len(others))] if others else latin
    return latin


def given_shown(rng: random.Random, person: Person) -> str:
    """The given name the person goes by on a profile."""
    c = person.culture
    if person.english_given and rng.random() < 0.55:
        return person.english_given
    nicks = c.nicknames.get(person.given)
    if nicks and rng.random() < 0.16:
        return _spell(rng, person, nicks[rng.randrange(len(nicks))])
    given = _spell(rng, person, person.given)
    r = rng.random()
    if r < 0.12:
        given = _variant(rng, person, given)
    elif " " in given and r < 0.5:  # "María José" goes by "María"
        given = given.split(" ")[0]
    elif "-" in given and r < 0.45:  # "Min-jun": "Minjun", "Min Jun"; "Jean-Pierre"
        given = split_given(rng, given)
    return given


def split_given(rng: random.Random, given: str) -> str:
    """A hyphenated given name written joined or with a space."""
    first, _, second = given.partition("-")
    r = rng.random()
    if r < 0.4:
        return first + second.lower()
    if r < 0.8:
        return f"{first} {second.capitalize()}"
    return f"{first}-{second.capitalize()}"


def family_shown(rng: random.Random, person: Person) -> str:
    """The surname as shown: one part of a compound, a variant, a typo."""
    family = person.family
    if " " in family:
        parts = family.split(" ")
        particle = parts[0].lower() in (
            "de",
            "van",
            "von",
            "da",
            "dos",
            "do",
            "del",
            "la",
            "di",
            "lo",
            "le",
            "zu",
            "ben",
        )
        r = rng.random()
        if particle and r < 0.2:
            family = parts[-1]
        elif particle and r < 0.35:
            family = "".join(parts)
        elif not particle and r < 0.35:
            family = parts[0]
        elif not particle and r < 0.5:
            family = parts[-1]
        elif not particle and r < 0.6:
            family = "-".join(parts)
    family = _spell(rng, person, family)
    r = rng.random()
    if r < 0.1:
        family = _variant(rng, person, family)
    elif r < 0.14 and family[:3].lower() in ("al-", "el-"):
        family = family[3:].capitalize()
    elif r < 0.19:
        family = typo(rng, family)
    return family


def native_name(rng: random.Random, person: Person) -> str | None:
    """The name in its own script, when the person writes it so (None if unknown)."""
    c = person.culture
    if c.script in ("cyrillic", "greek"):
        nicks = c.nicknames.get(person.given, ())
        native_nicks = [n for n in nicks if not n.isascii()]
        given = (
            native_nicks[rng.randrange(len(native_nicks))]
            if native_nicks and rng.random() < 0.3
            else person.given
        )
        return f"{given} {person.family}"
    family_native, given_native = c.native.get(person.family), c.native.get(person.given)
    if family_native and given_native:
        if c.script == "arabic":
            return f"{given_native} {family_native}"
        spaced = c.key == "japanese" and rng.random() < 0.5
        return f"{family_native} {given_native}" if spaced else f"{family_native}{given_native}"
    return None


def display_name(rng: random.Random, person: Person) -> str:
    """The display name of a profile that shows the person's real name."""
    c = person.culture
    if c.script != "latin" and rng.random() < 0.16:
        native = native_name(rng, person)
        if native:
            return native
    given = given_shown(rng, person)
    family = family_shown(rng, person)
    if person.female and rng.random() < 0.02:  # married or maiden name: another surname
        family = _spell(rng, person, c.surnames[rng.randrange(min(60, len(c.surnames)))])
    r = rng.random()
    if r < 0.12:
        name = given
    elif r < 0.18:
        name = f"{given} {family[:1]}."
    elif r < 0.24:
        name = f"{given[:1]}. {family}"
    elif c.family_first and r < 0.6:
        name = f"{family.upper()} {given}" if rng.random() < 0.25 else f"{family} {given}"
    elif r < 0.28:
        name = f"{family}, {given}"
    else:
        name = f"{given} {family}"
    r = rng.random()
    if r < 0.07:
        name = name.lower()
    elif r < 0.1:
        name = name.upper()
    r = rng.random()
    if r < 0.08:
        name = f"{name} {EMOJI[rng.randrange(len(EMOJI))]}"
    elif r < 0.11:
        name = f"{name} {person.country.flag}"
    elif r < 0.14:
        name = f"{name} | {TITLES[rng.randrange(len(TITLES))]}"
    elif r < 0.155:
        name = f"Dr. {name}"
    elif r < 0.17:
        e = EMOJI[rng.randrange(len(EMOJI))]
        name = f"{e} {name} {e}"
    return name


def pseudonym(rng: random.Random) -> str:
    """A display name that says nothing about who it is."""
    if rng.random() < 0.5:
        return PSEUDONYMS[rng.randrange(len(PSEUDONYMS))]
    return f"{WORDS[rng.randrange(len(WORDS))].title()} {WORDS[rng.randrange(len(WORDS))].title()}"


def city_shown(rng: random.Random, person: Person) -> str:
    """The person's city as they write it: local, English, slang, folded, lower case."""
    city = person.city
    slang = CITY_SLANG.get(city.native) or CITY_SLANG.get(city.english)
    r = rng.random()
    if slang and r < 0.25:
        name = slang[rng.randrange(len(slang))]
    elif city.english and r < 0.6:
        name = city.english
    elif r < 0.85 or not city.english:
        name = city.native if rng.random() < 0.8 else fold(city.native)
    else:
        name = city.english
    return name.lower() if rng.random() < 0.06 else name


def location(rng: random.Random, person: Person, moved_to: str = "") -> tuple[str, bool]:
    """A profile location and whether it names the person's city."""
    country = person.country
    r = rng.random()
    if r < 0.1:
        return VAGUE_PLACES[rng.randrange(len(VAGUE_PLACES))], False
    if r < 0.22:
        names = (country.english, *country.local, country.flag)
        return names[rng.randrange(len(names))], False
    if moved_to:
        return moved_to, False
    city = city_shown(rng, person)
    r = rng.random()
    if r < 0.25:
        names = (country.english, *country.local, country.iso)
        text = f"{city}, {names[rng.randrange(len(names))]}"
    elif r < 0.37:
        text = f"{city} {country.flag}"
    elif r < 0.47:
        text = f"📍 {city}"
    elif r < 0.52:
        text = f"{city} ↔ {VAGUE_PLACES[rng.randrange(len(VAGUE_PLACES))]}"
    else:
        text = city
    return text, True
