"""Replies: agents answer in the customer's own channel, under their own name, once.

``queue.Queue`` puts a reply in the outbox (channel, window, holds, signature);
``dispatch.Dispatcher`` sends what is due through the platform senders (``x``, ``meta``,
``youtube``, ``reddit``), looking up every unknown outcome before any resend; ``timeline``
hands sent replies to the pipeline as outbound interactions. See docs/replies.md.
"""
