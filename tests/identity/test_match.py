import csv
import json

from crmbridge.identity.blocking import ContactIndex, author_keys
from crmbridge.identity.compare import compare
from crmbridge.identity.features import Identity
from crmbridge.identity.match import MatchConfig, match_files
from crmbridge.identity.matcher import Matcher
from crmbridge.identity.model import PRIORS, Model
from crmbridge.models import Author, Contact

COLUMNS = ["id", "first_name", "last_name", "email", "phone", "city", "country", "x_handle"]
CONTACTS = [
    ["C1", "Jane", "Doe", "jane.doe@acme.io", "+1 415 555 2671", "Leeds", "GB", "janedoe"],
    ["C2", "William", "Harris", "bharris77@gmail.com", "", "Boston", "US", ""],
    ["C3", "Sam", "Twin", "sam@one.com", "", "Paris", "FR", ""],
    ["C4", "Sam", "Twin", "sam@two.com", "", "Paris", "FR", ""],
    ["C5", "Ann", "Shared", "shared@family.com", "", "", "US", ""],
    ["C6", "Bob", "Shared", "shared@family.com", "", "", "US", ""],
    ["C7", "Olga", "Stale", "olga@ex.com", "", "", "US", "olga_old"],
]


def run(tmp_path, records, contacts=CONTACTS):
    cpath, apath, out = tmp_path / "c.csv", tmp_path / "a.jsonl", tmp_path / "links.csv"
    with cpath.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(contacts)
    apath.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = match_files(cpath, apath, out, MatchConfig(default_region="US"))
    rows = {r["identity_key"]: r for r in csv.DictReader(out.open())}
    return summary, rows


def author(platform, **fields):
    return {"platform": platform, "author": fields}


def test_exact_email_links_automatically_with_score_one(tmp_path):
    _, rows = run(tmp_path, [author("instagram", id="1", email="Jane.Doe@ACME.io")])
    row = rows["instagram:1"]
    assert (row["band"], row["contact_id"], row["rule"], row["score"]) == (
        "auto",
        "C1",
        "email",
        "1.0000",
    )
    assert json.loads(row["evidence"]) == {"email": "jane.doe@acme.io"}


def test_exact_phone_links_in_e164(tmp_path):
    _, rows = run(tmp_path, [author("whatsapp", id="p", phone="+14155552671")])
    assert (rows["whatsapp:p"]["band"], rows["whatsapp:p"]["rule"]) == ("auto", "phone")


def test_the_handle_column_of_the_authors_platform_links(tmp_path):
    _, rows = run(tmp_path, [author("x", id="9", handle="@JaneDoe")])
    assert (rows["x:9"]["band"], rows["x:9"]["contact_id"], rows["x:9"]["rule"]) == (
        "auto",
        "C1",
        "handle",
    )


def test_two_contacts_sharing_an_email_go_to_review_with_the_conflict_named(tmp_path):
    _, rows = run(tmp_path, [author("x", id="s", email="shared@family.com")])
    row = rows["x:s"]
    assert row["band"] == "review"
    assert "2 contacts share" in json.loads(row["evidence"])["conflict"]


def test_an_email_links_a_contact_who_renamed_their_handle_and_says_so(tmp_path):
    _, rows = run(tmp_path, [author("x", id="o", handle="olga_new", email="olga@ex.com")])
    row = rows["x:o"]
    assert (row["band"], row["contact_id"]) == ("auto", "C7")
    assert json.loads(row["evidence"])["handle_changed"] == "@olga_old → @olga_new"


def test_a_handle_alone_that_a_contact_held_under_another_handle_is_not_trusted(tmp_path):
    contacts = [*CONTACTS, ["C8", "Olga", "New", "", "", "", "US", "olga_new"]]
    _, rows = run(tmp_path, [author("x", id="p", handle="olga_new")], contacts)
    assert (rows["x:p"]["band"], rows["x:p"]["contact_id"]) == ("auto", "C8")


def test_email_and_handle_pointing_at_different_contacts_go_to_review(tmp_path):
    _, rows = run(tmp_path, [author("x", id="m", handle="janedoe", email="sam@one.com")])
    assert rows["x:m"]["band"] == "review"


def test_a_gmail_dot_variant_is_a_candidate_never_an_exact_link(tmp_path):
    record = author("x", id="g", email="b.harris77@gmail.com", name="Bill Harris")
    _, rows = run(tmp_path, [record])
    row = rows["x:g"]
    assert row["rule"] == "score"
    assert json.loads(row["evidence"])["email_loose"] == "agree"


def test_a_name_alone_is_not_enough_for_an_auto_link(tmp_path):
    _, rows = run(tmp_path, [author("instagram", id="n", name="Jane Doe", handle="sunny1")])
    assert rows["instagram:n"]["band"] != "auto"


def test_an_email_in_the_bio_links_as_a_key_of_the_authors_own(tmp_path):
    record = author(
        "instagram", id="b", name="DOE, Jane", handle="jd", bio="write to jane.doe@acme.io"
    )
    _, rows = run(tmp_path, [record])
    row = rows["instagram:b"]
    assert (row["band"], row["contact_id"], row["rule"]) == ("auto", "C1", "text_email")
    assert json.loads(row["evidence"])["text_email"] == "jane.doe@acme.io"


def test_an_email_in_the_text_links_under_a_motto_display_name(tmp_path):
    record = author("instagram", id="m", name="Night Owl", handle="pixel77")
    record["text"] = "my order never arrived, account under jane.doe@acme.io"
    _, rows = run(tmp_path, [record])
    assert (rows["instagram:m"]["band"], rows["instagram:m"]["rule"]) == ("auto", "text_email")


def test_another_account_the_profile_names_links_as_a_key(tmp_path):
    record = author("instagram", id="o", name="Night Owl", handle="pixel77", bio="also @janedoe")
    _, rows = run(tmp_path, [record])
    row = rows["instagram:o"]
    assert (row["band"], row["contact_id"], row["rule"]) == ("auto", "C1", "bio_handle")


def test_someone_elses_email_in_the_bio_does_not_auto_link(tmp_path):
    record = author("instagram", id="e", name="Karl Other", bio="agent: jane.doe@acme.io")
    _, rows = run(tmp_path, [record])
    assert rows["instagram:e"]["band"] != "auto"


def test_namesakes_in_the_crm_never_auto_link(tmp_path):
    record = author("instagram", id="t", name="Sam Twin", handle="samtwin", location="Paris")
    _, rows = run(tmp_path, [record])
    assert rows["instagram:t"]["band"] != "auto"


def test_a_stranger_is_unmatched_with_no_contact(tmp_path):
    _, rows = run(tmp_path, [author("x", id="z", name="Zed Nobody", handle="zzz")])
    assert (rows["x:z"]["band"], rows["x:z"]["contact_id"]) == ("unmatched", "")


def test_whole_interaction_records_pool_their_dm_texts(tmp_path):
    records = [
        {"platform": "instagram", "author": {"id": "d", "name": "Jane Doe"}, "text": "hi"},
        {"platform": "instagram", "author": {"id": "d"}, "text": "my email is jane.doe@acme.io"},
    ]
    summary, rows = run(tmp_path, records)
    assert summary["identities"] == 1
    assert (rows["instagram:d"]["band"], rows["instagram:d"]["contact_id"]) == ("auto", "C1")


def test_bad_lines_are_counted_and_skipped(tmp_path):
    summary, rows = run(tmp_path, [author("x", id="1", handle="janedoe"), ["nope"]])
    assert summary["bad_line_count"] == 1
    assert list(rows) == ["x:1"]


def test_the_output_has_the_contract_columns(tmp_path):
    run(tmp_path, [author("x", id="1")])
    header = (tmp_path / "links.csv").read_text().splitlines()[0]
    assert header == "identity_key,contact_id,score,band,rule,evidence"


def test_em_keeps_probabilities_valid_and_refines_the_share_of_authors_in_the_crm():
    contacts = [Contact(id=f"C{i}", first_name="Jane", last_name=f"Doe{i}") for i in range(3)]
    index = ContactIndex.build(contacts)
    ident = Identity.of("x", Author(id="1", name="Jane Doe1", handle="janedoe1"))
    model = Model()
    ranked = [[model.score(r.id, compare(ident, r, index.tf)) for r in index.records.values()]]
    model.fit_em([(r, None) for r in ranked * 250], len(index))
    for levels in model.params.values():
        for m, _u in levels.values():
            assert 0 < m < 1
    # The in-CRM share is not refitted: authors who show nothing of theirs never meet
    # their contact among the candidates, so EM would take them for strangers.
    assert model.in_crm == 0.5
    assert model.params["name"]["full"][0] != PRIORS["name"]["full"][0]


def test_a_reviewers_approval_raises_the_weight_of_what_they_saw():
    model = Model()
    before = model.weight("name", "last", 0.01)
    for _ in range(20):
        model.learn({"name": "last", "location": "city"}, is_match=True)
    assert model.weight("name", "last", 0.01) > before


def test_the_matcher_blocks_so_unrelated_contacts_are_never_compared():
    contacts = [Contact(id=f"C{i}", first_name=f"Name{i}", last_name="Zzyzx") for i in range(500)]
    contacts.append(Contact(id="J", first_name="Jane", last_name="Doe"))
    matcher = Matcher(ContactIndex.build(contacts))
    ident = Identity.of("x", Author(id="1", name="Jane Doe"))
    assert [r.id for r in matcher.index.candidates(author_keys(ident))] == ["J"]


def test_a_phone_under_an_unrelated_full_name_goes_to_review(tmp_path):
    record = author("whatsapp", id="h", phone="+14155552671", name="Karl Otherman")
    _, rows = run(tmp_path, [record])
    row = rows["whatsapp:h"]
    assert (row["band"], row["contact_id"], row["rule"]) == ("review", "C1", "phone")
    assert "shares nothing" in json.loads(row["evidence"])["conflict"]


def test_an_exact_email_links_even_under_a_brand_display_name(tmp_path):
    record = author("x", id="k", email="jane.doe@acme.io", name="Acme Support Team")
    _, rows = run(tmp_path, [record])
    assert rows["x:k"]["band"] == "auto"


def _crowd(n: int, **extra: Contact) -> ContactIndex:
    """``n`` Emma Horvats (a name too common to block on at max_block 3), plus others."""
    people = [
        Contact(id=f"N{i}", first_name="Emma", last_name="Horvat", email=f"eh{i}@work{i}.example")
        for i in range(n)
    ]
    return ContactIndex.build([*people, *extra.values()], max_block=3)


def test_a_common_name_and_a_handle_shaped_like_one_namesake_s_address_go_to_review():
    twin = Contact(id="T", first_name="Emma", last_name="Horvat", email="emmahorvat75@yahoo.com")
    index = _crowd(5, twin=twin)
    ident = Identity.of("x", Author(id="9", name="Emma Horvat", handle="emmahorvat75"))

    decision = Matcher(index).decide(ident)

    assert (decision.band, decision.contact_id) == ("review", "T")
    assert decision.score < 0.985  # five namesakes keep a share of the posterior


def test_the_same_handle_shape_with_the_author_s_city_still_links():
    twin = Contact(
        id="T", first_name="Emma", last_name="Horvat", email="emmahorvat75@yahoo.com", city="Leeds"
    )
    index = _crowd(5, twin=twin)
    author = Author(id="9", name="Emma Horvat", handle="emmahorvat75", location="Leeds, UK")

    decision = Matcher(index).decide(Identity.of("x", author))

    assert (decision.band, decision.contact_id) == ("auto", "T")


def test_a_contact_holding_the_handle_elsewhere_is_met_through_the_tag_block():
    address = Contact(
        id="A", first_name="Emma", last_name="Horvat", email="emma.horvat50@mail.example"
    )
    holder = Contact(
        id="H", first_name="Emma", last_name="Horvat", handles={"instagram": "emma.horvat50"}
    )
    index = _crowd(5, address=address, holder=holder)
    ident = Identity.of("x", Author(id="9", name="Emma Horvat", handle="emma.horvat50"))

    decision = Matcher(index).decide(ident)

    assert "H" in [c for c, _ in decision.candidates]  # found although the name is crowded
    assert decision.band == "review"
