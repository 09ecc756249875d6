"""Reporters: event handlers that turn a run into something to read."""

from conformance.report._console import ProgressHandler, summary_table
from conformance.report._failures import FailureWriter
from conformance.report._outputs import FORMATS, Outputs, write_reports
from conformance.report._raw import RawResultsWriter

__all__ = [
    "FORMATS",
    "FailureWriter",
    "Outputs",
    "ProgressHandler",
    "RawResultsWriter",
    "summary_table",
    "write_reports",
]
