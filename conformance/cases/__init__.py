"""The cases every check reads: golden type cases, behaviour vectors and
endpoint vectors, each one file under ``fixtures/<version>/``, all read by
one loader with one meta-schema check (``conformance.cases._load``)."""

from conformance.cases.behaviours import (
    ERROR_KINDS,
    INPUTS_FILE,
    BehaviourCase,
    behaviours_dir,
    load_behaviour_cases,
)
from conformance.cases.endpoints import EndpointCase, load_endpoint_cases
from conformance.cases.types import TypeCase, load_type_cases

__all__ = [
    "ERROR_KINDS",
    "INPUTS_FILE",
    "BehaviourCase",
    "EndpointCase",
    "TypeCase",
    "behaviours_dir",
    "load_behaviour_cases",
    "load_endpoint_cases",
    "load_type_cases",
]
