"""Reporters: event handlers that turn a run into something to read."""

from conformance.report._console import ProgressHandler, summary_table
from conformance.report._document import Tally, tally
from conformance.report._failures import FailureWriter
from conformance.report._history import (
    HISTORY_SCHEMA,
    append_history,
    history_entry,
    read_history,
)
from conformance.report._outputs import FORMATS, Outputs, write_reports
from conformance.report._raw import RawResultsWriter
from conformance.report._values import coverage_line

__all__ = [
    "FORMATS",
    "HISTORY_SCHEMA",
    "FailureWriter",
    "Outputs",
    "ProgressHandler",
    "RawResultsWriter",
    "Tally",
    "append_history",
    "coverage_line",
    "history_entry",
    "read_history",
    "summary_table",
    "tally",
    "write_reports",
]
