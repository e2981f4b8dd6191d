"""Coverage checks of the connector contract: personas, URLs, threads and text kept whole.

The base of :class:`crmbridge.testing.ConnectorContract`, so every connector's contract
test class runs them; it fills two more hooks. The checks read the ``normal`` scenario:

- no persona is shared by unrelated authors (two handles under one key, a placeholder id
  such as ``[deleted]`` standing for many people, or an author-less item with a persona);
- every public item carries a URL;
- a message delivered by webhook gets the same ``conversation_id`` (and kind) as its
  polled copy;
- text longer than 280 characters comes whole.

Importable by third-party connectors (needs ``pytest`` and ``responses``, the ``dev`` extra).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import responses

from crmbridge.connector import Cursor, Item
from crmbridge.models import Interaction

# Author ids that name nobody in particular: a persona keyed by one merges strangers.
PLACEHOLDER_IDS = frozenset({"[deleted]", "[removed]", "deleted", "unknown", "none", "null", ""})
LONG_TEXT = 280


class CoverageContract:
    """Coverage checks; ``ConnectorContract`` inherits them (fill the hooks below)."""

    # hooks ------------------------------------------------------------------------------

    def webhook_copies(self, tmp_path: Path) -> list[Interaction] | None:
        """Interactions built from webhook payloads of messages the poll also yields.

        ``None`` when the platform has no webhook for this connector's streams.
        """
        return None

    def full_texts(self) -> dict[str, str]:
        """message_id → the whole text the platform holds, for the long items of ``normal``."""
        return {}

    # helpers the contract provides ----------------------------------------------------

    def read(
        self, wire: responses.RequestsMock, tmp_path: Path, scenario: str, cursor: Cursor | None
    ) -> list[Item]:
        """Arrange a scenario and read it (``ConnectorContract.read`` does)."""
        raise NotImplementedError

    def polled(self, wire: responses.RequestsMock, tmp_path: Path) -> list[Interaction]:
        """The good interactions of the ``normal`` scenario."""
        items = self.read(wire, tmp_path, "normal", None)
        return [i.interaction for i in items if i.interaction is not None]

    # the checks -------------------------------------------------------------------------

    def test_no_persona_is_shared_by_unrelated_authors(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """One persona key never stands for two accounts, a placeholder or nobody."""
        by_persona: dict[str, list[Interaction]] = defaultdict(list)
        for i in self.polled(wire, tmp_path):
            assert i.author.id.strip().lower() not in PLACEHOLDER_IDS, (
                f"{i.key}: author id {i.author.id!r} is a placeholder shared by strangers"
            )
            by_persona[i.persona_key].append(i)
        for key, written in by_persona.items():
            handles = {i.author.handle.lower() for i in written if i.author.handle}
            assert len(handles) <= 1, f"persona {key} is shared by {sorted(handles)}"
            anonymous = [i.key for i in written if not i.has_persona]
            assert not anonymous or len(written) == 1, (
                f"author-less items share persona {key}: {anonymous}"
            )

    def test_every_public_item_carries_a_url(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """A public item links to its page on the platform."""
        public = [i for i in self.polled(wire, tmp_path) if not i.is_private]
        assert public, "the normal scenario must hold public items"
        missing = [i.key for i in public if not (i.url or "").startswith("https://")]
        assert not missing, f"public items without a URL: {missing}"

    def test_a_webhook_copy_threads_like_its_polled_copy(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """Webhook and poll give one message the same conversation_id and kind."""
        copies = self.webhook_copies(tmp_path)
        if copies is None:
            pytest.skip("this platform has no webhook for these streams")
        polled = {i.key: i for i in self.polled(wire, tmp_path)}
        twins = [(c, polled[c.key]) for c in copies if c.key in polled]
        assert twins, "the webhook fixtures must repeat messages of the normal scenario"
        for pushed, read in twins:
            assert pushed.conversation_id == read.conversation_id, pushed.key
            assert pushed.kind == read.kind, pushed.key

    def test_text_beyond_280_characters_comes_whole(
        self, wire: responses.RequestsMock, tmp_path: Path
    ) -> None:
        """A long post is stored whole, not cut at the short form's limit."""
        expected = self.full_texts()
        if not expected:
            pytest.skip("this source has no length-limited short form")
        assert any(len(text) > LONG_TEXT for text in expected.values())
        polled = {i.message_id: i for i in self.polled(wire, tmp_path)}
        for message_id, text in expected.items():
            assert message_id in polled, f"{message_id} was not read"
            assert polled[message_id].text == text, f"{message_id}: text cut or altered"
