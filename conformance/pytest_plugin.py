"""The suite inside a user's own pytest run: ``pytest --tinker-adapter ...``.

Each registered check becomes one test item (a check group), failing with
the list of its findings. Nothing is collected unless ``--tinker-adapter``
is given, so installing the package changes no one's test run.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.findings import Finding

__all__ = ["TinkerCheckItem"]

_CONTEXT = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tinker-conformance")
    group.addoption(
        "--tinker-adapter",
        default=None,
        help="Run the conformance suite against this implementation "
        "('tinker', 'python:module:factory' or 'subprocess:<command line>').",
    )
    group.addoption("--tinker-spec", default=None, help="Spec pack version (default: newest).")
    group.addoption(
        "--tinker-examples", type=int, default=25, help="Property-based examples per type."
    )
    group.addoption(
        "--tinker-check", action="append", default=[], help="Only this check (repeatable)."
    )


class _Findings(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} findings")
        self.findings = findings


class TinkerCheckItem(pytest.Item):
    """One check of the suite, run against the configured implementation."""

    def __init__(self, *, check: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        from conformance.checks import CHECKS, Passed, Skipped

        ctx = _context(self.config)
        found = [
            outcome
            for outcome in CHECKS[self.check].run(ctx)
            if not isinstance(outcome, Passed | Skipped) and not outcome.enhancement
        ]
        unique = {f.key: f for f in found}
        if unique:
            raise _Findings(list(unique.values()))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, _Findings):
            return "\n".join(str(f) for f in excinfo.value.findings)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return ("tinker-conformance", None, f"check {self.check}")


def _context(config: pytest.Config) -> Any:
    if _CONTEXT not in config.stash:
        from conformance.cases import load_type_cases
        from conformance.checks import CheckContext
        from conformance.findings import load_gap_rules
        from conformance.load import load_adapter
        from conformance.reference._classes import installed_version
        from conformance.spec import available_versions, load_pack

        version = config.getoption("--tinker-spec") or available_versions()[-1]
        pack = load_pack(version)
        reference = load_adapter("tinker", pack) if installed_version() == version else None
        config.stash[_CONTEXT] = CheckContext(
            pack=pack,
            adapter=load_adapter(config.getoption("--tinker-adapter"), pack),
            cases=load_type_cases(version),
            rules=load_gap_rules(),
            examples=config.getoption("--tinker-examples"),
            reference=reference,
        )
    return config.stash[_CONTEXT]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if config.getoption("--tinker-adapter") is None:
        return
    from conformance.checks import CHECKS

    for name in config.getoption("--tinker-check") or list(CHECKS):
        if name not in CHECKS:
            raise pytest.UsageError(f"--tinker-check {name!r}: known checks {sorted(CHECKS)}")
        items.append(
            TinkerCheckItem.from_parent(session, name=f"tinker-conformance::{name}", check=name)
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    ctx = config.stash.get(_CONTEXT, None)
    if ctx is not None:
        ctx.adapter.close()
        if ctx.reference is not None:
            ctx.reference.close()
