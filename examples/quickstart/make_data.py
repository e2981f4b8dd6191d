"""Write the quickstart's sample data: contacts.csv and interactions.jsonl.

Run from anywhere: ``python examples/quickstart/make_data.py``. The output is seeded and
byte-for-byte identical on every run (no clock, no environment, no hash-order dependence).

The data tells a small story on top of two weeks of ordinary customer-care traffic for an
outdoor-gear shop, Northwind Outfitters (see README.md next to this script):

* Maya Okafor writes about one late order on X, in a Facebook DM and in an Instagram
  comment within 48 hours; each channel reveals her in a different way (X handle, email,
  Instagram handle), so all three land on her one contact.
* Two contacts are called James Smith; a third "James Smith" comments on Facebook with no
  email or handle at all and must stay unlinked. The real Austin James Smith also posts once,
  from his X handle.
* Priya Raman edits an X post (X gives every version a new id; ``edit_of`` names the first).
* Liam Walsh deletes an X post; a later record repeats its id with ``deleted: true``.
* Exactly four lines are malformed, spread through the file, to show quarantine at work.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

HERE = Path(__file__).resolve().parent
SCHEMA = "crmbridge.interaction/1"
SEED = 20240301
START = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
END = datetime(2024, 3, 14, 22, 0, tzinfo=UTC)
TOTAL_LINES = 300
# 1-based line numbers of the malformed lines in interactions.jsonl.
MALFORMED_AT = {37: "not_json", 112: "numeric_id", 189: "no_author", 251: "bad_platform"}

# fmt: off
ACCOUNTS = {
    "x": "1328742108723417088",
    "facebook": "104857361234567",
    "instagram": "17841405822304914",
    "youtube": "UCn0rthw1ndOutf1tters0Q",
    "reddit": "t2_8nwo7k2f",
}
BRAND = {
    "x": ("NorthwindHelp", "Northwind Support", "https://x.com/NorthwindHelp"),
    "facebook": (None, "Northwind Outfitters", "https://www.facebook.com/northwindoutfitters"),
    "instagram": (
        "northwindoutfitters",
        "Northwind Outfitters",
        "https://www.instagram.com/northwindoutfitters/",
    ),
    "youtube": (
        "northwindoutfitters",
        "Northwind Outfitters",
        "https://www.youtube.com/@northwindoutfitters",
    ),
    "reddit": (
        "Northwind_Support",
        "Northwind_Support",
        "https://www.reddit.com/user/Northwind_Support/",
    ),
}
AGENTS = ("Dana Whitfield", "Tom Okoro", "Ravi Menon", "Elise Laurent")

# id, first, last, email, phone (as typed), city, country, x_handle, instagram_handle
CONTACTS: list[tuple[str, ...]] = [
    ("C000001", "Sophie", "Turner", "sophie.turner@btinternet.com", "07700 900481", "Bristol",
     "GB", "", "sophieturner.runs"),
    ("C000002", "Daniel", "Okonkwo", "dan.okonkwo@gmail.com", "(212) 555-0187", "New York",
     "US", "danokonkwo", ""),
    ("C000003", "Lena", "Schneider", "lena.schneider@gmx.de", "+49 151 23456701", "Hamburg",
     "DE", "", ""),
    ("C000004", "Aoife", "Byrne", "aoife.byrne@eircom.net", "087 555 0142", "Galway", "IE",
     "aoifebyrne", "aoife.byrne"),
    ("C000005", "Hugo", "Moreau", "hugo.moreau@orange.fr", "06 39 98 01 23", "Lyon", "FR",
     "", ""),
    ("C000006", "Tyler", "Brooks", "tbrooks88@comcast.net", "(303) 555-0112", "Denver", "US",
     "tylerbrooks", ""),
    ("C000007", "Maya", "Okafor", "maya.okafor@gmail.com", "+44 7700 900123", "Leeds", "GB",
     "mayaokafor", "maya.okafor.studio"),
    ("C000008", "Chloé", "Dubois", "chloe.dubois@free.fr", "+33 6 39 98 45 67", "Paris", "FR",
     "", "chloe.dbs"),
    ("C000009", "Arjun", "Mehta", "arjun.mehta@outlook.com", "(415) 555-0199", "San Francisco",
     "US", "arjunmehta", ""),
    ("C000010", "Niamh", "Kelly", "niamh.kelly@gmail.com", "+353 85 555 0178", "Dublin", "IE",
     "", ""),
    ("C000011", "Ben", "Carter", "ben.carter@yahoo.co.uk", "07700 900274", "Manchester", "GB",
     "bencarter_mcr", ""),
    ("C000012", "James", "Smith", "james.smith@outlook.com", "+44 7700 900456", "London", "GB",
     "", ""),
    ("C000013", "Fatima", "Hussain", "fatima.hussain@hotmail.co.uk", "07700 900318",
     "Birmingham", "GB", "", "fatima.hussain"),
    ("C000014", "Lukas", "Becker", "lukas.becker@web.de", "0171 5550123", "Berlin", "DE",
     "lukasbecker", ""),
    ("C000015", "Emily", "Nguyen", "emily.nguyen@icloud.com", "206-555-0163", "Seattle", "US",
     "", "emilyn.outdoors"),
    ("C000016", "Oisín", "Murphy", "oisin.murphy@gmail.com", "086 555 0190", "Cork", "IE",
     "oisinmurphy", ""),
    ("C000017", "Sarah", "Cohen", "sarah.cohen@gmail.com", "(617) 555-0145", "Boston", "US",
     "", ""),
    ("C000018", "Kwame", "Mensah", "kwame.mensah@outlook.com", "+44 7700 900652", "London",
     "GB", "kwamemensah", "kwame.mensah"),
    ("C000019", "Priya", "Raman", "priya.raman@icloud.com", "(415) 555-0134", "San Francisco",
     "US", "priyaraman", ""),
    ("C000020", "Marco", "Rossi", "marco.rossi@gmail.com", "+44 7700 900733", "Edinburgh",
     "GB", "", ""),
    ("C000021", "Hannah", "Weber", "hannah.weber@gmx.de", "0152 5550199", "München", "DE", "",
     "hannah.wbr"),
    ("C000022", "Jordan", "Lee", "jordanlee@gmail.com", "(512) 555-0171", "Austin", "US",
     "jordanlee_tx", ""),
    ("C000023", "Zoë", "Martin", "zoe.martin@yahoo.fr", "07 39 98 22 11", "Bordeaux", "FR",
     "", ""),
    ("C000024", "Rohan", "Shah", "rohan.shah@gmail.com", "07700 900845", "Leicester", "GB",
     "rohanshah", "rohan.shah"),
    ("C000025", "Liam", "Walsh", "liam.walsh@gmail.com", "+353 87 555 0111", "Dublin", "IE",
     "liamwalsh_dub", ""),
    ("C000026", "Grace", "Kim", "grace.kim@outlook.com", "(206) 555-0128", "Seattle", "US", "",
     "gracekim.hikes"),
    ("C000027", "Tom", "Fletcher", "tom.fletcher@btinternet.com", "07700 900921", "Sheffield",
     "GB", "", ""),
    ("C000028", "Ingrid", "Larsen", "ingrid.larsen@outlook.com", "+44 7700 900566", "Glasgow",
     "GB", "ingridlarsen", ""),
    ("C000029", "Mateo", "García", "mateo.garcia@gmail.com", "(305) 555-0152", "Miami", "US",
     "", ""),
    ("C000030", "Amara", "Nwosu", "amara.nwosu@gmail.com", "07700 900199", "Nottingham", "GB",
     "", "amara.nwosu"),
    ("C000031", "James", "Smith", "jsmith1987@yahoo.com", "(512) 555-0147", "Austin", "US",
     "jsmith_atx", ""),
    ("C000032", "Elena", "Popescu", "elena.popescu@gmail.com", "0176 5550142", "Köln", "DE",
     "", ""),
    ("C000033", "Jack", "Wilson", "jack.wilson@aol.com", "(312) 555-0106", "Chicago", "US",
     "jackwilson", ""),
    ("C000034", "Ciara", "Doyle", "ciara.doyle@live.ie", "083 555 0166", "Limerick", "IE", "",
     ""),
    ("C000035", "Yuki", "Tanaka", "yuki.tanaka@icloud.com", "+1 604 555 0139", "Vancouver",
     "CA", "", "yuki.tanaka"),
    ("C000036", "Oliver", "Hughes", "oliver.hughes@gmail.com", "07700 900377", "Cardiff", "GB",
     "oliverhughes", ""),
    ("C000037", "Camille", "Laurent", "camille.laurent@orange.fr", "06 39 98 76 54", "Nantes",
     "FR", "", ""),
    ("C000038", "Noah", "Fischer", "noah.fischer@web.de", "0160 5550177", "Leipzig", "DE",
     "noahfischer", ""),
    ("C000039", "Ava", "Robinson", "ava.robinson@gmail.com", "(404) 555-0183", "Atlanta", "US",
     "", "ava.robinson"),
    ("C000040", "Sam", "Patel", "sam.patel@outlook.com", "07700 900640", "Brighton", "GB",
     "sampatel", "sam.patel"),
]
COLUMNS = ("id", "first_name", "last_name", "email", "phone", "city", "country", "x_handle",
           "instagram_handle")
STORY_IDS = {"C000007", "C000012", "C000019", "C000025", "C000031"}

# People who are in no CRM: (display name, handle, how an agent greets them).
STRANGERS = [
    ("Coffee & Trails", "trailmix_jo", "Jo"), ("Rob H", "robh_climbs", "Rob"),
    ("Kat", "katinthehills", "Kat"), ("Gareth Pryce", "gpryce77", "Gareth"),
    ("Mel", "melonthemove", "Mel"), ("Hiking Dad", "hikingdad_uk", "there"),
    ("Lucy Ward", "lucyward_", "Lucy"), ("Pete", "petetheplanner", "Pete"),
    ("Nina Alvarez", "nina_alv", "Nina"), ("Dev", "devontrail", "Dev"),
    ("Sunny Day Walker", "sunnydaywalker", "there"), ("Chris M", "chrism_1984", "Chris"),
    ("Hannah B", "hannahb_outdoors", "Hannah"), ("Matt Green", "mattgreen_photo", "Matt"),
    ("Amy Lin", "amylin", "Amy"), ("Ollie", "ollie_adventures", "Ollie"),
    ("Jess Porter", "jessporter", "Jess"), ("Trail Runner Tim", "trailrunnertim", "Tim"),
    ("Sana Q", "sanaq", "Sana"), ("Big Mike", "bigmike_fishing", "Mike"),
    ("Ellie R", "ellie_r_hikes", "Ellie"), ("The Weekend Camper", "weekendcamper", "there"),
]

PRODUCTS = ("rain jacket", "hiking boots", "2-person tent", "backpack", "sleeping bag",
            "headlamp", "trail shoes", "fleece", "water filter", "down jacket", "camp stove")
# (intent, weight, texts); {o} order number, {p} product, {d} days
TEXTS: list[tuple[str, int, tuple[str, ...]]] = [
    ("delivery", 22, (
        "my order {o} was supposed to arrive {d} days ago and tracking hasn't moved",
        "Where is my order?? {o}, paid for next-day delivery, still nothing 😤",
        "Ordered a {p} over a week ago and it still says 'processing'. What's going on?",
        "Order {o} never arrived. Courier says delivered, it definitely wasn't",
        "Hi, my parcel ({o}) has been stuck at the depot for {d} days. Any update?",
        "tracking for {o} just says 'label created' since last Monday",
    )),
    ("refund", 12, (
        "I returned my {p} {d} days ago and still haven't seen the refund",
        "How long do refunds take? Sent back order {o} at the start of the month",
        "Still waiting on a refund for {o}. Three emails, zero replies.",
        "Can I get a refund instead of store credit for the {p}?",
    )),
    ("outage", 12, (
        "is the app down? can't log in or check out",
        "Website keeps giving me an error at checkout, tried 3 cards 🤦",
        "App crashes every time I open my basket. iPhone, latest update",
        "Getting 'something went wrong' on every page right now",
    )),
    ("damaged", 7, (
        "My {p} arrived with a broken zip. Not great for the price",
        "Received the wrong size {p}, order {o}. How do I swap it?",
        "Box was soaked and the {p} inside is damaged 😞",
    )),
    ("billing", 6, (
        "I've been charged twice for order {o}",
        "Why is there a second payment on my card from you? Only placed one order",
    )),
    ("cancel", 4, (
        "How do I cancel my Northwind+ membership? Can't find it anywhere in the app",
        "Please cancel my subscription, I've asked twice already",
    )),
    ("question", 16, (
        "Do you ship to Ireland? Checkout won't let me pick it",
        "Will the {p} be back in stock in medium?",
        "What are your opening hours on bank holidays?",
        "Does the {p} come with a warranty?",
        "Is there a student discount?",
        "Which size {p} would you recommend for someone 180cm?",
    )),
    ("praise", 14, (
        "Shoutout to the team, my {p} arrived a day early and it's perfect 🙌",
        "Just used my {p} on a 3 day trek, absolutely brilliant",
        "Customer service sorted my issue in 5 minutes. Thank you!",
        "Love the new {p}, worth every penny 💚",
        "Staff in the Leeds store were so helpful today ⭐",
    )),
]
AGENT_TEXTS = {
    "delivery": "Hi {n}, sorry your parcel is late! Could you DM us your order number so we "
    "can chase the courier?",
    "refund": "Hi {n}, sorry for the wait. Please DM us your order number and we'll check "
    "where your refund is.",
    "outage": "Hi {n}, we're aware of an issue with the app and website and are working on a "
    "fix. Sorry for the hassle!",
    "damaged": "Hi {n}, I'm sorry it arrived like that. DM us a photo and your order number "
    "and we'll send a replacement.",
    "billing": "Hi {n}, sorry about that! Please DM us the order number and the last four "
    "digits of the card so we can check.",
    "cancel": "Hi {n}, I've sent you a DM with the steps to cancel. Sorry to see you go.",
    "question": "Hi {n}, good question! I've sent you a DM with the details.",
    "praise": "So glad to hear it, {n}! Enjoy your next adventure 💚",
}
FOLLOWUPS = ("Thanks, just sent you a DM", "Order number is {o}", "Still no update on this…",
             "It's been {d} days now, any news?", "Thank you, that's sorted now! 🙌",
             "ok thanks, will wait to hear back")

# Platforms and kinds for the background traffic.
PLATFORM_WEIGHTS = {"x": 34, "facebook": 24, "instagram": 22, "youtube": 10, "reddit": 10}
KINDS = {
    "x": (("mention", 72), ("dm", 28)),
    "facebook": (("comment", 60), ("dm", 40)),
    "instagram": (("comment", 60), ("dm", 25), ("mention", 15)),
    "youtube": (("comment", 100),),
    "reddit": (("comment", 60), ("mention", 25), ("dm", 15)),
}
SUBREDDITS = ("NorthwindOutfitters", "CampingGear", "Ultralight", "BuyItForLife")
# fmt: on


def digits(*parts: object, length: int) -> str:
    """A stable pseudo-random digit string (sha256, not Python's hash)."""
    h = int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)
    return str(10 ** (length - 1) + h % (9 * 10 ** (length - 1)))


def b36(value: int) -> str:
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rem = divmod(value, 36)
        out = chars[rem] + out
        if not value:
            return out


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Maker:
    """Builds records, handing out message ids that are unique per platform."""

    def __init__(self) -> None:
        self.seq = 0

    def message_id(self, platform: str, kind: str, at: datetime, post: str) -> str:
        self.seq += 1
        if platform == "x":  # a snowflake: milliseconds since 2010-11-04 << 22 | sequence
            return str((int(at.timestamp() * 1000) - 1288834974657) << 22 | self.seq)
        if kind == "dm":
            prefix = {"facebook": "m_", "instagram": "aWdfZAG", "reddit": "t4_"}[platform]
            if platform == "reddit":
                return prefix + b36(1_500_000_000 + self.seq)
            return prefix + hashlib.sha256(f"dm{self.seq}".encode()).hexdigest()[:22]
        if platform == "facebook":
            return f"{post}_{1_000_000_000_000_000 + self.seq * 7919}"
        if platform == "instagram":
            return str(17_850_000_000_000_000 + self.seq * 7919)
        if platform == "youtube":
            token = hashlib.sha256(f"yt{self.seq}".encode()).hexdigest()[:16]
            return f"Ugz{token}4AaABAg"
        if kind == "mention":
            return "t3_" + b36(1_200_000_000 + self.seq)
        return "t1_" + b36(60_000_000_000 + self.seq)


def brand_author(platform: str) -> dict[str, Any]:
    handle, name, profile = BRAND[platform]
    return {
        "id": ACCOUNTS[platform],
        "handle": handle,
        "name": name,
        "profile_url": profile,
        "website": "https://northwind.example",
        "location": None,
        "bio": "Official Northwind Outfitters support. Here 8am-8pm GMT, every day.",
        "verified": True,
        "followers": 184300,
        "email": None,
        "phone": None,
    }


def person_author(
    platform: str,
    key: str,
    name: str,
    handle: str | None,
    email: str | None = None,
    location: str | None = None,
    phone: str | None = None,
) -> dict[str, Any]:
    """An author: ids are stable per (platform, person key)."""
    if platform == "facebook":
        ident, profile, handle = digits("fb", key, length=16), None, None
    elif platform == "x":
        ident, profile = digits("x", key, length=19), f"https://x.com/{handle}"
    elif platform == "instagram":
        ident, profile = digits("ig", key, length=17), f"https://www.instagram.com/{handle}/"
    elif platform == "youtube":
        ident = "UC" + hashlib.sha256(f"yt:{key}".encode()).hexdigest()[:22]
        profile = f"https://www.youtube.com/@{handle}"
    else:
        ident = "t2_" + b36(int(digits("rd", key, length=12)))[:8]
        profile = f"https://www.reddit.com/user/{handle}/"
    followers = None if platform == "facebook" else int(digits("f", platform, key, length=4)) % 2500
    return {
        "id": ident,
        "handle": handle,
        "name": name,
        "profile_url": profile,
        "website": None,
        "location": location,
        "bio": None,
        "verified": False,
        "followers": followers,
        "email": email,
        "phone": phone,
    }


def record(
    maker: Maker,
    platform: str,
    kind: str,
    author: dict[str, Any],
    text: str,
    at: datetime,
    *,
    parent: dict[str, Any] | None = None,
    agent: str | None = None,
    post: str | None = None,
) -> dict[str, Any]:
    private = kind == "dm"
    if post is None:
        post = parent["_post"] if parent else default_post(platform, at)
    mid = maker.message_id(platform, kind, at, post)
    if platform == "reddit" and kind == "mention":
        post = f"{post.split('/')[0]}/{mid[3:]}"
    if parent:
        conversation = parent["conversation_id"]
    elif private:
        conversation = f"dm:{ACCOUNTS[platform]}:{author['id']}"  # one DM thread per person
    else:
        conversation = mid
    rec: dict[str, Any] = {
        "schema": SCHEMA,
        "platform": platform,
        "kind": kind,
        "message_id": mid,
        "conversation_id": conversation,
        "in_reply_to": parent["message_id"] if parent else None,
        "edit_of": None,
        "account_id": ACCOUNTS[platform],
        "direction": "outbound" if agent else "inbound",
        "is_private": private,
        "author": author,
        "text": text,
        "created_at": stamp(at),
        "edited_at": None,
        "deleted": False,
        "url": url(platform, kind, mid, post, author),
    }
    if agent:
        rec["agent"] = agent
    rec["_post"], rec["_at"] = post, at
    return rec


def default_post(platform: str, at: datetime) -> str:
    """The brand post / video / thread of the day a public message sits under."""
    day = at.strftime("%m%d")
    if platform == "facebook":
        return f"1221000000{day}0001"
    if platform == "instagram":
        return "C" + hashlib.sha256(f"ig{day}".encode()).hexdigest()[:10]
    if platform == "youtube":
        return "nw" + hashlib.sha256(f"yt{at.isocalendar().week}".encode()).hexdigest()[:9]
    if platform == "reddit":
        sub = SUBREDDITS[int(day) % len(SUBREDDITS)]
        return f"{sub}/{b36(1_100_000_000 + int(day))}"
    return ""


def url(platform: str, kind: str, mid: str, post: str, author: dict[str, Any]) -> str | None:
    if kind == "dm":
        return None
    if platform == "x":
        return f"https://x.com/{author['handle']}/status/{mid}"
    if platform == "facebook":
        return f"https://www.facebook.com/northwindoutfitters/posts/{post}?comment_id={mid}"
    if platform == "instagram":
        return f"https://www.instagram.com/p/{post}/c/{mid}/"
    if platform == "youtube":
        return f"https://www.youtube.com/watch?v={post}&lc={mid}"
    sub, _, link = post.partition("/")
    if kind == "mention":
        return f"https://www.reddit.com/r/{sub}/comments/{link}/"
    return f"https://www.reddit.com/r/{sub}/comments/{link}/comment/{mid[3:]}/"


def story(maker: Maker) -> list[dict[str, Any]]:
    """The hand-written records the README talks about."""
    t = datetime.fromisoformat
    out: list[dict[str, Any]] = []

    # Maya Okafor (C000007): one late tent, three channels, 36 hours.
    maya_x = person_author("x", "maya", "Maya Okafor", "MayaOkafor", location="Leeds, UK")
    m1 = record(
        maker,
        "x",
        "mention",
        maya_x,
        "@NorthwindHelp my order NW-48213 was due last Tuesday and tracking hasn't "
        "moved in 6 days. Is anyone actually there? 😤",
        t("2024-03-04T09:12:44+00:00"),
    )
    m2 = record(
        maker,
        "x",
        "reply",
        brand_author("x"),
        "@MayaOkafor Sorry about this, Maya! Could you DM us your order number and the "
        "email you ordered with? ^TO",
        t("2024-03-04T09:41:10+00:00"),
        parent=m1,
        agent="Tom Okoro",
    )
    maya_fb = person_author("facebook", "maya", "Maya Okafor", None, email="Maya.Okafor@gmail.com")
    m3 = record(
        maker,
        "facebook",
        "dm",
        maya_fb,
        "Hi, I tweeted you this morning. Order NW-48213 still hasn't arrived and the tent "
        "is for a trip this weekend. My email is Maya.Okafor@gmail.com",
        t("2024-03-04T18:37:02+00:00"),
    )
    m4 = record(
        maker,
        "facebook",
        "dm",
        brand_author("facebook"),
        "Hi Maya, thanks. I can see NW-48213 is stuck at the Leeds depot. I've asked the "
        "courier to prioritise it and will update you tomorrow. ^DW",
        t("2024-03-04T19:05:33+00:00"),
        parent=m3,
        agent="Dana Whitfield",
    )
    maya_ig = person_author("instagram", "maya", "Maya Okafor", "maya.okafor.studio")
    m5 = record(
        maker,
        "instagram",
        "comment",
        maya_ig,
        "Still waiting on my tent from 2 weeks ago 🙃 nobody has updated me since "
        "yesterday. Order NW-48213",
        t("2024-03-05T21:05:19+00:00"),
    )
    m6 = record(
        maker,
        "instagram",
        "reply",
        brand_author("instagram"),
        "@maya.okafor.studio So sorry Maya, we've sent you a DM on Facebook with an update ^ER",
        t("2024-03-05T21:30:02+00:00"),
        parent=m5,
        agent="Elise Laurent",
    )
    out += [m1, m2, m3, m4, m5, m6]

    # The James Smith decoy: a Facebook persona with a name and nothing else.
    decoy = person_author(
        "facebook", "james-smith-decoy", "James Smith", None, location="Manchester, UK"
    )
    d1 = record(
        maker,
        "facebook",
        "comment",
        decoy,
        "Ordered the down jacket in black, received navy. Second time this has happened.",
        t("2024-03-07T12:20:45+00:00"),
    )
    d2 = record(
        maker,
        "facebook",
        "reply",
        brand_author("facebook"),
        "Hi James, sorry about the mix-up! Please send us a DM with your order number "
        "and we'll swap it. ^RM",
        t("2024-03-07T13:02:11+00:00"),
        parent=d1,
        agent="Ravi Menon",
    )
    d3 = record(
        maker,
        "facebook",
        "comment",
        decoy,
        "Still no reply about the wrong colour jacket. Not impressed.",
        t("2024-03-11T17:48:30+00:00"),
    )
    # The real Austin James Smith (C000031) posts from his X handle: linkable.
    j1 = record(
        maker,
        "x",
        "mention",
        person_author("x", "jsmith-atx", "James Smith", "jsmith_atx", location="Austin, TX"),
        "@NorthwindHelp 200 miles in my trail shoes and still comfy. Great job 🙌",
        t("2024-03-08T15:10:09+00:00"),
    )
    out += [d1, d2, d3, j1]

    # Priya Raman (C000019) edits an X post: the edit has its own id and points at the first.
    priya = person_author("x", "priya", "Priya Raman", "priyaraman", location="San Francisco, CA")
    e1 = record(
        maker,
        "x",
        "mention",
        priya,
        "@NorthwindHelp the app keeps crashing when I open my basket",
        t("2024-03-06T14:02:11+00:00"),
    )
    e2 = record(
        maker,
        "x",
        "mention",
        priya,
        "@NorthwindHelp the app keeps crashing when I open my basket. iOS 17.3, already "
        "reinstalled twice",
        t("2024-03-06T14:05:40+00:00"),
    )
    e2["conversation_id"] = e1["conversation_id"]
    e2["edit_of"] = e1["message_id"]
    e2["edited_at"] = e2["created_at"]
    out += [e1, e2]

    # Liam Walsh (C000025) posts in anger, then deletes it the next morning.
    liam = person_author("x", "liam", "Liam Walsh", "liamwalsh_dub", location="Dublin")
    x1 = record(
        maker,
        "x",
        "mention",
        liam,
        "@NorthwindHelp absolute joke. Third 'delivery attempt' and nobody came to the "
        "door. Never again 😡",
        t("2024-03-09T22:47:05+00:00"),
    )
    x2 = dict(x1)
    x2["deleted"] = True
    x2["edited_at"] = "2024-03-10T08:15:00Z"
    x2["_at"] = t("2024-03-10T08:15:00+00:00")
    out += [x1, x2]
    return out


def pick(rng: Random, weighted: dict[str, int] | tuple[tuple[str, int], ...]) -> str:
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def background(maker: Maker, rng: Random, count: int) -> list[dict[str, Any]]:
    """Ordinary traffic: about 70 % from contacts, the rest from strangers."""
    people = [c for c in CONTACTS if c[0] not in STORY_IDS]
    span = int((END - START).total_seconds())
    out: list[dict[str, Any]] = []
    while len(out) < count:
        at = START + timedelta(seconds=rng.randrange(span))
        roll = rng.random()
        inbound = [r for r in out if r["direction"] == "inbound"]
        if roll < 0.09 and inbound:  # an agent answers an earlier message
            parent = rng.choice(inbound)
            at = parent["_at"] + timedelta(minutes=rng.randint(8, 300))
            platform = parent["platform"]
            first = parent["_first"]
            text = AGENT_TEXTS[parent["_intent"]].format(n=first)
            agent = rng.choice(AGENTS)
            text += " ^" + "".join(w[0] for w in agent.split())
            if platform == "x" and parent["kind"] != "dm":
                text = f"@{parent['author']['handle']} {text}"
            kind = "dm" if parent["kind"] == "dm" else "reply"
            rec = record(
                maker, platform, kind, brand_author(platform), text, at, parent=parent, agent=agent
            )
            rec["_first"], rec["_intent"] = first, parent["_intent"]
            out.append(rec)
            continue
        if roll < 0.13 and inbound:  # the customer follows up in the same thread
            parent = rng.choice(inbound)
            at = parent["_at"] + timedelta(minutes=rng.randint(20, 900))
            text = rng.choice(FOLLOWUPS).format(o=order(rng), d=rng.randint(3, 9))
            if parent["platform"] == "x" and parent["kind"] != "dm":
                text = "@NorthwindHelp " + text
            kind = "dm" if parent["kind"] == "dm" else "reply"
            rec = record(maker, parent["platform"], kind, parent["author"], text, at, parent=parent)
            rec["_first"], rec["_intent"] = parent["_first"], parent["_intent"]
            out.append(rec)
            continue
        platform = pick(rng, PLATFORM_WEIGHTS)
        kind = pick(rng, KINDS[platform])
        intent, _, texts = rng.choices(TEXTS, weights=[w for _, w, _ in TEXTS])[0]
        text = rng.choice(texts).format(o=order(rng), p=rng.choice(PRODUCTS), d=rng.randint(3, 12))
        if kind == "mention":
            text = {
                "x": "@NorthwindHelp ",
                "instagram": "@northwindoutfitters ",
                "reddit": "Anyone else dealt with Northwind? ",
            }.get(platform, "") + text
        from_contact = rng.random() < (0.35 if platform in ("youtube", "reddit") else 0.8)
        if from_contact:
            author, first = contact_author(rng, rng.choice(people), platform)
        else:
            name, handle, first = rng.choice(STRANGERS)
            if platform == "reddit":
                handle = handle.title()
            author = person_author(platform, handle, name, handle)
        rec = record(maker, platform, kind, author, text, at)
        rec["_first"], rec["_intent"] = first, intent
        out.append(rec)
    return out


def contact_author(
    rng: Random, contact: tuple[str, ...], platform: str
) -> tuple[dict[str, Any], str]:
    """A contact writing on a platform, revealed by its handle there or else by email."""
    cid, first, last, email, phone, city, country, x_handle, ig_handle = contact
    name = f"{first} {last}"
    handle = {"x": x_handle, "instagram": ig_handle}.get(platform) or None
    shown_email: str | None = None
    if handle is None:
        shown_email = email if rng.random() < 0.8 else email.capitalize()
        plain = first.encode("ascii", "ignore").decode().lower()
        handle = f"{plain}{last[0].lower()}_{cid[-2:]}x"  # a handle the CRM does not know
    shown_phone = phone if platform == "facebook" and rng.random() < 0.15 else None
    author = person_author(
        platform,
        cid,
        name,
        handle,
        email=shown_email,
        phone=shown_phone,
        location=f"{city}, {country}" if rng.random() < 0.3 else None,
    )
    # A persona's profile is stable: the same email and phone on every message.
    author = STABLE.setdefault((platform, author["id"]), author)
    return author, first


STABLE: dict[tuple[str, str], dict[str, Any]] = {}


def order(rng: Random) -> str:
    return f"NW-{rng.randint(10000, 99999)}"


def malformed(maker: Maker, kind: str, near: dict[str, Any]) -> str:
    """One bad line of the given kind, modelled on a neighbouring good record."""
    if kind == "not_json":
        at = f"{near['_at']:%Y-%m-%d %H:%M:%S}"
        return f"{at},118 ERROR exporter: upstream timed out, retrying (2/5)"
    bad = {k: v for k, v in near.items() if not k.startswith("_")}
    bad["message_id"] = maker.message_id(near["platform"], near["kind"], near["_at"], near["_post"])
    bad["conversation_id"] = bad["message_id"]
    bad["in_reply_to"] = bad["edit_of"] = bad["edited_at"] = None
    bad["deleted"] = False
    if kind == "numeric_id":
        bad["message_id"] = 12345
    elif kind == "no_author":
        del bad["author"]
    else:
        bad["platform"] = "myspace"
    return json.dumps(bad, ensure_ascii=False)


def main() -> None:
    rng = Random(SEED)
    maker = Maker()
    records = story(maker)
    records += background(maker, rng, TOTAL_LINES - len(MALFORMED_AT) - len(records))
    records.sort(key=lambda r: (r["_at"], r["platform"], r["message_id"]))
    lines: list[str] = []
    good = iter(records)
    for number in range(1, TOTAL_LINES + 1):
        if number in MALFORMED_AT:
            lines.append(malformed(maker, MALFORMED_AT[number], records[number - 1]))
        else:
            rec = next(good)
            lines.append(
                json.dumps(
                    {k: v for k, v in rec.items() if not k.startswith("_")}, ensure_ascii=False
                )
            )
    assert next(good, None) is None
    with (HERE / "interactions.jsonl").open("w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines) + "\n")
    with (HERE / "contacts.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(CONTACTS)
    print(f"wrote {len(CONTACTS)} contacts to {HERE / 'contacts.csv'}")
    print(
        f"wrote {len(records)} records and {len(MALFORMED_AT)} malformed lines "
        f"(lines {', '.join(map(str, MALFORMED_AT))}) to {HERE / 'interactions.jsonl'}"
    )


if __name__ == "__main__":
    main()
