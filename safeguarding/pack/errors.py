"""Errors of the board pack."""

from __future__ import annotations


class PackError(ValueError):
    """A pack that cannot be built or found; the message says why and what to do."""
