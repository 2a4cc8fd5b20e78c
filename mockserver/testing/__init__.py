"""Helpers for using mockserver from tests: a server running in a background thread."""

from mockserver.testing.thread import ServerThread

__all__ = ["ServerThread"]
