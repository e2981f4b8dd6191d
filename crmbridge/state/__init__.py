"""The state store: cursors, ledger, identity links, review queue, quarantine, runs."""

from crmbridge.state.store import BatchCommit, StateStore

__all__ = ["BatchCommit", "StateStore"]
