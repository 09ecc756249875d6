"""Reporters: event handlers that turn a run into something to read."""

from conformance.report._console import ProgressHandler, summary_table
from conformance.report._failures import FailureWriter
from conformance.report._raw import RawResultsWriter

__all__ = ["FailureWriter", "ProgressHandler", "RawResultsWriter", "summary_table"]
