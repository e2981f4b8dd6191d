"""Conversations: interactions threaded per person across channels, re-threaded on links."""

from crmbridge.conversations.rethread import Rethreaded, rethread, rethread_in
from crmbridge.conversations.threader import Threader, conversation_key

__all__ = ["Rethreaded", "Threader", "conversation_key", "rethread", "rethread_in"]
