"""Partnerships Map: a map of England's local education partnerships."""

__version__ = "0.1.0"
