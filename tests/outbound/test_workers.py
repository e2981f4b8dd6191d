"""Two senders on one PostgreSQL state store never post the same reply twice."""

from __future__ import annotations

import threading

from crmbridge.outbound.dispatch import Dispatcher
from crmbridge.outbound.outbox import Outbox
from crmbridge.state.store import StateStore
from tests.outbound.conftest import World, inbound


def test_two_senders_racing_over_one_outbox_post_each_reply_once(world: World, pg_url: str):
    config = world.folder / "crmbridge.yaml"
    config.write_text(config.read_text().replace("state: sqlite:///state.db", f"state: {pg_url}"))
    world.sync([inbound(world.fake, "x", f"70{n:02d}", kind="mention") for n in range(30)])
    for n in range(30):
        world.reply(f"x:70{n:02d}", f"Answer {n}")
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            Dispatcher(world.config, StateStore(world.config.state_url)).run()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    texts = [p.text for p in world.fake.posted()]
    assert sorted(texts) == sorted(f"Answer {n} ^Jane D" for n in range(30))
    assert Outbox(world.store).counts()["sent"] == 30
