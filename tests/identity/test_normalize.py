from hypothesis import given, settings
from hypothesis import strategies as st

from crmbridge.identity.normalize import (
    domains_in,
    email_candidate_key,
    email_key,
    emails_in,
    fold,
    handle_key,
    name_key,
    name_tokens,
    nickname_forms,
    personal_domain,
    phone_e164,
    phones_in,
    url_domain,
)


def test_email_key_is_the_lower_cased_address_without_a_dns_lookup():
    assert email_key(" Jane.Doe@Example.COM ") == "jane.doe@example.com"
    assert email_key("not an email") is None
    assert email_key("a@b") is None


def test_gmail_dots_and_plus_tags_fold_only_in_the_candidate_key():
    assert email_key("Jane.Doe+news@gmail.com") == "jane.doe+news@gmail.com"
    assert email_candidate_key("Jane.Doe+news@gmail.com") == "janedoe@gmail.com"
    assert email_candidate_key("jane.doe@googlemail.com") == "janedoe@gmail.com"
    assert email_candidate_key("jane.doe@acme.com") == "jane.doe@acme.com"


def test_names_fold_case_accents_punctuation_and_surname_first_order():
    assert name_tokens("DOE, Jané") == ["jane", "doe"]
    assert name_tokens("Dr. Mary-Ann O'Neil 🌸") == ["mary", "ann", "oneil"]
    assert name_key("  JOSÉ   garcía ") == "jose garcia"
    assert fold("Ça_va!") == "ca va"


def test_nicknames_are_offered_both_ways():
    assert "william" in nickname_forms("bill")
    assert "bill" in nickname_forms("william")
    assert nickname_forms("zz") == frozenset({"zz"})


def test_handles_lose_the_at_and_case():
    assert handle_key(" @JaneDoe ") == "janedoe"
    assert handle_key("@") is None


def test_phones_become_e164_in_the_contacts_region():
    assert phone_e164("020 7946 0958", "GB") == "+442079460958"
    assert phone_e164("(415) 555-2671") == "+14155552671"
    assert phone_e164("hello") is None


def test_urls_reduce_to_the_registered_domain_and_social_hosts_say_nothing():
    assert url_domain("https://shop.acme.co.uk/about") == "acme.co.uk"
    assert url_domain("www.acme.io") == "acme.io"
    assert personal_domain("https://twitter.com/jane") is None
    assert personal_domain("https://blog.acme.io") == "acme.io"


def test_emails_phones_and_sites_written_in_a_bio_are_found():
    bio = "DM me or mail Jane@Acme.io. Call (415) 555-2671 · www.acme.io/team"
    assert emails_in(bio) == ["jane@acme.io"]
    assert phones_in(bio) == ["+14155552671"]
    assert domains_in(bio) == ["acme.io"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalisation_never_raises_and_is_idempotent(text):
    for key in (email_key(text), email_candidate_key(text), handle_key(text)):
        assert key is None or isinstance(key, str)
    if email_key(text):
        assert email_key(email_key(text)) == email_key(text)
    if email_candidate_key(text):
        folded = email_candidate_key(text)
        assert email_candidate_key(folded) == folded
    if handle_key(text):
        assert handle_key(handle_key(text)) == handle_key(text)
    assert fold(fold(text)) == fold(text)
    assert name_key(name_key(text)) == name_key(text)
    phone = phone_e164(text, "GB")
    if phone:
        assert phone_e164(phone, "GB") == phone
    domain = url_domain(text)
    if domain:
        assert url_domain(domain) == domain
    emails_in(text)
    phones_in(text)
    domains_in(text)
