"""Domain errors: each carries the one sentence the reader sees; the edges turn it into a reply."""

from __future__ import annotations


class CommandError(Exception):
    """A question that cannot be answered as asked. ``str(error)`` is the sentence for the reader."""
