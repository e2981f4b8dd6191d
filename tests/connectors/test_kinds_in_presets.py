"""Every shipped mapping preset renders every interaction kind (retweet and quote included)."""

from importlib.resources import files

import pytest

from crmbridge.models import KINDS, Interaction
from crmbridge.rules.mapping import load_preset

PRESETS = sorted(
    p.name.removesuffix(".yaml")
    for p in files("crmbridge.mappings").iterdir()
    if p.name.endswith(".yaml")
)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_preset_renders_every_kind(preset, kind):
    interaction = Interaction.model_validate(
        {
            "schema": "crmbridge.interaction/1",
            "platform": "x",
            "kind": kind,
            "message_id": "1750000000000000098",
            "author": {"id": "444", "handle": "lenar"},
            "text": "RT @BrandSupport: the lid fix",
            "created_at": "2024-01-15T10:15:00Z",
            "url": "https://x.com/lenar/status/1750000000000000098",
        }
    )
    write = load_preset(preset).render(interaction, None, None, interaction.key)
    assert write.key == "x:1750000000000000098" and write.fields


def test_the_social_post_message_type_names_retweets():
    interaction = Interaction.model_validate(
        {
            "schema": "crmbridge.interaction/1",
            "platform": "x",
            "kind": "retweet",
            "message_id": "1",
            "author": {"id": "444"},
            "created_at": "2024-01-15T10:15:00Z",
        }
    )
    write = load_preset("salesforce_social").render(interaction, None, None, interaction.key)
    assert write.fields["MessageType"] == "Retweet"
