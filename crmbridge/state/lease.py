"""Leases on source partitions: one worker per source, taken over when a worker dies.

A worker takes a source's lease before reading it and renews it in the same transaction
as every batch commit; that commit fails (``SourceBusy``) when the lease has passed to
another worker meanwhile, so a worker that stalled past its lease can never move a cursor
someone else now owns. A killed worker's lease on another host expires; on this host the
next worker sees that the holder's process is gone and takes the lease over at once.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from crmbridge.errors import SourceBusy
from crmbridge.state.schema import leases
from crmbridge.state.store import StateStore, as_utc, utcnow

DEFAULT_SECONDS = 300.0


def new_holder() -> str:
    """A name for this worker that is unique and says where it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """True when ``holder`` names a process of this host that no longer runs.

    Only this host's processes can be asked; a holder elsewhere (or in an unknown format)
    is presumed alive until its lease expires. A zombie (killed, not yet reaped) is dead.
    """
    host, _, rest = holder.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another lease of this very process: alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, owned by another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


class Lease:
    """The lease of one worker on one source."""

    def __init__(
        self, store: StateStore, source: str, holder: str, seconds: float = DEFAULT_SECONDS
    ) -> None:
        self.store = store
        self.source = source
        self.holder = holder
        self.seconds = seconds

    def __enter__(self) -> Lease:
        """``with Lease(...) as lease``: acquired (SourceBusy if held), released at the end."""
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lease, or raise SourceBusy naming the holder and when it expires."""
        now = utcnow()
        expires = now + timedelta(seconds=self.seconds)
        with self.store.engine.begin() as conn:
            taken = conn.execute(
                update(leases)
                .where(
                    leases.c.source == self.source,
                    or_(leases.c.holder == self.holder, leases.c.expires_at < now),
                )
                .values(holder=self.holder, acquired_at=now, expires_at=expires)
            ).rowcount
            if taken:
                return
            try:
                with conn.begin_nested():
                    conn.execute(
                        leases.insert().values(
                            source=self.source,
                            holder=self.holder,
                            acquired_at=now,
                            expires_at=expires,
                        )
                    )
                return
            except IntegrityError:
                pass
            row = conn.execute(select(leases).where(leases.c.source == self.source)).first()
            if row is not None and holder_is_dead(row.holder):
                # Its worker was killed on this host: nothing can renew it, take it now.
                taken = conn.execute(
                    update(leases)
                    .where(leases.c.source == self.source, leases.c.holder == row.holder)
                    .values(holder=self.holder, acquired_at=now, expires_at=expires)
                ).rowcount
                if taken:
                    return
        until = as_utc(row.expires_at).isoformat() if row else "?"  # type: ignore[union-attr]
        holder = row.holder if row else "?"
        raise SourceBusy(
            f"source {self.source}: worker {holder} holds it until {until}",
            hint="another worker is running on this source and this run skips it; if that "
            f"worker is gone, `crmbridge sources unlock {self.source}` releases the lease",
        )

    def renew(self, conn: Connection) -> None:
        """Extend the lease inside a commit's transaction; SourceBusy if it was lost."""
        now = utcnow()
        renewed = conn.execute(
            update(leases)
            .where(and_(leases.c.source == self.source, leases.c.holder == self.holder))
            .values(expires_at=now + timedelta(seconds=self.seconds))
        ).rowcount
        if not renewed:
            raise SourceBusy(
                f"source {self.source}: this worker's lease expired and another "
                "worker took the source; this batch is not committed"
            )

    def release(self) -> None:
        """Give the lease back (a no-op if it was lost)."""
        with self.store.engine.begin() as conn:
            conn.execute(
                delete(leases).where(leases.c.source == self.source, leases.c.holder == self.holder)
            )
