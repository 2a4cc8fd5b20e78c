"""Scenario files: the rule format (model), its loader with file:line errors, its JSON Schema."""

from mockserver.scenarios.loader import (
    load_files,
    load_path,
    load_text,
    semantic_problems,
    too_large,
    validate_paths,
)
from mockserver.scenarios.matchers import Match
from mockserver.scenarios.model import (
    Action,
    CallbackAction,
    ErrorAction,
    FaultAction,
    PassthroughAction,
    RateLimit,
    RespondAction,
    Rule,
    Scenario,
    Step,
)
from mockserver.scenarios.problems import ScenarioError

__all__ = [
    "Action",
    "CallbackAction",
    "ErrorAction",
    "FaultAction",
    "Match",
    "PassthroughAction",
    "RateLimit",
    "RespondAction",
    "Rule",
    "Scenario",
    "ScenarioError",
    "Step",
    "load_files",
    "load_path",
    "load_text",
    "semantic_problems",
    "too_large",
    "validate_paths",
]
