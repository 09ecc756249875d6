"""Reporters: event handlers that turn a run into something to read."""

from conformance.report._console import ProgressHandler, summary_table
from conformance.report._document import Tally, tally
from conformance.report._failures import FailureWriter
from conformance.report._outputs import FORMATS, Outputs, write_reports
from conformance.report._raw import RawResultsWriter
from conformance.report._values import coverage_line

__all__ = [
    "FORMATS",
    "FailureWriter",
    "Outputs",
    "ProgressHandler",
    "RawResultsWriter",
    "Tally",
    "coverage_line",
    "summary_table",
    "tally",
    "write_reports",
]
