"""Reporters: event handlers that turn a run into something to read."""

from conformance.report._console import ProgressHandler, summary_table
from conformance.report._raw import RawResultsWriter

__all__ = ["ProgressHandler", "RawResultsWriter", "summary_table"]
