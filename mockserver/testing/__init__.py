"""Helpers for using mockserver from tests: a server in a thread, sessions, error sweeps."""

from mockserver.testing.sweep import ErrorCase, error_cases, sweep
from mockserver.testing.thread import ServerThread

__all__ = ["ErrorCase", "ServerThread", "error_cases", "sweep"]
