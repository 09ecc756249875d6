"""The console shows what an adapter said as text (issue 12): no Rich markup
error, no terminal escape obeyed, no unbounded line."""

from __future__ import annotations

import io

from rich.console import Console

from conformance.adapters import Hello
from conformance.checks import Passed
from conformance.report._console import SHOWN, ProgressHandler, summary_table, terminal_safe
from conformance.report._document import Tally
from conformance.runner import RunResult

HOSTILE = "[/bold]\x1b]0;title\x07\x1b[31mred\u202e\x00\n" + "n" * 10_000


def test_escapes_are_shown_not_obeyed() -> None:
    shown = terminal_safe("a\x1b[31mb\x9b\nc\u202ed\x00")
    assert shown == "a\\x1b[31mb\\x9b\\nc\\u202ed\\x00"


def test_a_long_text_is_cut() -> None:
    shown = terminal_safe("n" * 10_000)
    assert len(shown) <= SHOWN
    assert shown.endswith("(10000 chars)")


def test_a_hostile_hello_and_type_name_print_safely() -> None:
    hello = Hello(name=HOSTILE, language="[red]", version="9\n1", spec_version="0.15.0", ops=())
    result = RunResult(hello=hello, spec_version="0.15.0", checks=["fixture-roundtrip"])
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    numbers = Tally(
        gaps=0,
        by_severity={},
        not_implemented=0,
        wrong=0,
        enhancements=0,
        subjects=0,
        subjects_checked=0,
        per_check={},
    )
    console.print(summary_table(result, numbers))
    progress = ProgressHandler(console)
    progress.start(result)
    progress.handle(Passed(check="fixture-roundtrip", type_name="[/bold]\x1b[2J", case="c"))
    progress.finish(result)
    text = out.getvalue()
    assert "[/bold]" in text
    for obeyed in ("\x1b]0;", "\x1b[2J", "\x00", "\u202e"):
        assert obeyed not in text
