import pytest

from crmbridge.errors import ConfigError, DataError
from crmbridge.models import Contact, Link, parse_interaction
from crmbridge.rules.mapping import FieldSpec, convert, load_preset
from crmbridge.rules.templates import Template
from tests.conftest import record


@pytest.mark.parametrize(
    "source",
    [
        "{{ i.__class__ }}",
        "{{ i.author.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ i.update({'text': 'x'}) }}",
    ],
)
def test_templates_cannot_reach_python_internals_or_mutate_data(source):
    with pytest.raises(ConfigError, match="SecurityError"):
        Template(source, "preset.yaml: fields.subject").render({"i": {"author": {}}})


def test_an_unknown_name_in_a_template_is_an_error_naming_the_field():
    with pytest.raises(ConfigError, match=r"preset\.yaml: fields\.subject"):
        Template("{{ i.nope }}", "preset.yaml: fields.subject").render({"i": {}})


def test_the_local_preset_renders_an_interaction_with_types_and_lengths():
    mapper = load_preset("local")
    i = parse_interaction(
        record("1", text="x" * 40_000, is_private=True, author={"id": "p", "handle": "jdoe"}), "t:1"
    )
    link = Link(persona_key="x:p", contact_id="C1", band="auto", rule="email")
    write = mapper.render(i, Contact(id="C1"), link, i.activity_key)
    assert write.contact_id == "C1" and write.key == "x:1"
    assert write.fields["subject"] == "X mention from @jdoe"
    assert write.fields["private"] is True
    assert len(write.fields["body"]) == 32_000 and write.fields["body"].endswith("…")
    assert write.fields["match"] == "auto:email"


def test_a_platform_override_changes_only_that_platform():
    mapper = load_preset("local")
    i = parse_interaction(
        record("1", platform="reddit", kind="comment", author={"id": "t2_x", "handle": "spez"}),
        "t:1",
    )
    assert (
        mapper.render(i, None, None, i.activity_key).fields["subject"] == "Reddit comment by u/spez"
    )


def test_a_text_holding_the_field_separator_still_renders_exactly():
    from crmbridge.rules.mapping import SEPARATOR

    mapper = load_preset("local")
    i = parse_interaction(record("1", text=f"a{SEPARATOR}b"), "t:1")
    # Exactly, but for the separator's NUL: control characters never reach the CRM.
    expected = f"a{SEPARATOR.replace(chr(0), '')}b"
    assert mapper.render(i, None, None, i.activity_key).fields["body"] == expected


def test_a_value_outside_the_fields_choices_is_a_data_error():
    with pytest.raises(DataError, match="Priority"):
        convert("Urgent", FieldSpec(template="", choices=["High", "Normal"]), "Priority")


def test_an_unknown_preset_lists_the_shipped_ones():
    with pytest.raises(ConfigError, match="local"):
        load_preset("nope")
