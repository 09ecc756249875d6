"""Sessions of tinker-conformance. `nox -l` lists them; heavy ones are not default.

Each reference SDK version lives in its own virtualenv under .nox/sdk-<version>,
made by `_sdk_env`, because the generator and the in-process adapter must run
inside an interpreter where exactly `tinker==<version>` is installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).parent
SCHEMAS = ROOT / "schemas"
CONSTRAINTS = ROOT / "constraints.txt"
PACKAGE = ROOT / "conformance"
BENCHMARKS = ROOT / "benchmarks"

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


def _pack_versions() -> list[str]:
    """The reference versions that have a checked-in pack (schemas/<version>/)."""
    found = []
    for child in SCHEMAS.iterdir():
        try:
            found.append((Version(child.name), child.name))
        except InvalidVersion:
            continue
    return [name for _, name in sorted(found)]


PACKS = _pack_versions()


def _install(session: nox.Session, *args: str) -> None:
    session.install("-c", str(CONSTRAINTS), *args)


def _sdk_env(session: nox.Session, version: str) -> Path:
    """A virtualenv with `tinker==version` and this project; its bin/ folder."""
    env = ROOT / ".nox" / f"sdk-{version}"
    bin_dir = env / "bin"
    stamp = env / ".installed"
    if not stamp.exists() or stamp.read_text() != _stamp(version):
        session.run("python", "-m", "venv", "--clear", str(env))
        session.run(
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "-c",
            str(CONSTRAINTS),
            "-e",
            f"{ROOT}[test]",
            f"tinker=={version}",
            external=True,
        )
        stamp.write_text(_stamp(version))
    return bin_dir


def _stamp(version: str) -> str:
    return f"{version}\n{CONSTRAINTS.read_text()}\n{(ROOT / 'pyproject.toml').read_text()}"


def _versions_to_generate(session: nox.Session) -> tuple[bool, list[str]]:
    """`-- X [Y...]`: those versions; `-- --check`: every pack, checked, not written."""
    _install(session, "packaging")
    check = "--check" in session.posargs
    versions = [a for a in session.posargs if a != "--check"] or (PACKS if check else [])
    if not versions:
        session.error(f"name a version (`nox -s {session.name} -- 0.15.0`) or pass --check")
    return check, versions


@nox.session
@nox.parametrize("sdk", PACKS)
def tests(session: nox.Session, sdk: str) -> None:
    """Run the test suite with the reference SDK `tinker==<sdk>` installed."""
    _install(session, "-e", ".[test]", f"tinker=={sdk}")
    env = {"TINKER_API_KEY": "", "TINKER_CONFORMANCE_SDK": sdk}
    session.run("pytest", *session.posargs, env=env)


#: The fake drop-in implementation (tests/dropin/) and the pack it targets.
DROPIN = ROOT / "tests" / "dropin"
DROPIN_SPEC = "0.15.0"


@nox.session
def dropin(session: nox.Session) -> None:
    """Audit a fake drop-in Python implementation in process (docs/PYTHON.md).

    Its own virtualenv: the fake (tests/dropin/, distribution
    `tinker-dropin-fake`), the vendor SDK it re-exports, and this project;
    tests/dropin/check_dropin.py runs the audit and asserts its report.
    """
    _install(session, "-e", ".[test]", f"tinker=={DROPIN_SPEC}", str(DROPIN))
    env = {"TINKER_API_KEY": "", "TINKER_CONFORMANCE_SDK": DROPIN_SPEC}
    session.run("pytest", str(DROPIN / "check_dropin.py"), *session.posargs, env=env)


@nox.session
def schemas(session: nox.Session) -> None:
    """Generate packs: `-- X [Y...]` writes schemas/X; `-- --check` diffs every pack."""
    check, versions = _versions_to_generate(session)
    failed = []
    for version in versions:
        bin_dir = _sdk_env(session, version)
        args = ["schemas", "generate", "--sdk-version", version, *(["--check"] if check else [])]
        try:
            session.run(str(bin_dir / "tinker-conformance"), *args, external=True)
        except nox.command.CommandFailed:
            failed.append(version)
    if failed:
        session.error(f"packs drifted from their SDK: {', '.join(failed)}")
    if not check and len(PACKS) >= 2:
        session.run(
            str(_sdk_env(session, PACKS[-1]) / "tinker-conformance"),
            "schemas",
            "diff",
            PACKS[0],
            PACKS[-1],
            "--out",
            str(_changelog()),
            external=True,
        )


@nox.session
def fixtures(session: nox.Session) -> None:
    """Golden fixtures: `-- X [Y...]` regenerates fixtures/X; `-- --check` diffs every pack's."""
    check, versions = _versions_to_generate(session)
    for version in versions:
        tool = str(_sdk_env(session, version) / "tinker-conformance")
        args = ["fixtures", "generate", "--sdk-version", version, *(["--check"] if check else [])]
        session.run(tool, *args, external=True)


@nox.session(default=False)
def corpus(session: nox.Session) -> None:
    """The shipped corpora: every pack's ci-profile examples with its SDK's
    answers (fixtures/<v>/corpus/); `-- --check` diffs them against a fresh build."""
    _install(session, "packaging")
    check = ["--check"] if "--check" in session.posargs else []
    for version in PACKS:
        tool = str(_sdk_env(session, version) / "tinker-conformance")
        session.run(tool, "corpus", "build", "--spec", version, "--ship", *check, external=True)


#: The checked-in example reports: only the sessions below write here.
REPORTS = ROOT / "reports"
#: Where those sessions put a run's raw results (REPORTS/raw) and failures.
IN_REPORTS = ["--output-dir", str(REPORTS), "--report", str(REPORTS)]


def _changelog() -> Path:
    return REPORTS / f"changelog-{PACKS[0]}-to-{PACKS[-1]}.md"


#: An implementation in another language, through the subprocess protocol.
JS_ADAPTER = ("node", ROOT / "adapters" / "js" / "tinker-adapter.mjs", "0.15.0")


def _self_audits(session: nox.Session, options: list[str]) -> None:
    """Each reference version against its own pack: no drift, zero findings,
    and the report of the clean audit in every format."""
    for version in PACKS:
        tool = str(_sdk_env(session, version) / "tinker-conformance")
        session.run(tool, "schemas", "generate", "--sdk-version", version, "--check", external=True)
        session.run(
            tool, "run", "--adapter", "tinker", "--spec", version, *IN_REPORTS,
            *options, external=True,
        )  # fmt: skip
    newest = _sdk_env(session, PACKS[-1]) / "tinker-conformance"
    session.run(
        str(newest), "schemas", "diff", PACKS[0], PACKS[-1], "--out", str(_changelog()),
        external=True,
    )  # fmt: skip


@nox.session(default=False)
def audit(session: nox.Session) -> None:
    """Audit the reference SDK against its own spec packs; write reports/.

    For each pack: `tinker==X` must regenerate its pack byte for byte, then
    the full conformance run (types, behaviours, endpoints) must find
    nothing. The gap report goes to reports/tinker-X-spec-X.{md,html,json,
    junit.xml}, raw results to reports/raw/, the wire changelog between the
    oldest and newest pack to reports/.
    """
    _install(session, "packaging")
    _self_audits(session, session.posargs or ["--profile", "ci"])


@nox.session(default=False)
def reports(session: nox.Session) -> None:
    """Every example report of reports/, from a clean checkout.

    The self-audits (as `audit`), then every reference version against every
    other version's pack, each implementation a real other SDK version run
    through the subprocess protocol from its own virtualenv (the runner works
    in the pack's virtualenv, whose SDK is the oracle of generated examples),
    then the JavaScript example adapter against its pack. Findings are the
    point of the cross audits: their exit 1 is expected.
    """
    _install(session, "packaging")
    options = session.posargs or ["--profile", "ci"]
    _self_audits(session, options)
    runs = [
        (spec, f"{_sdk_env(session, impl) / 'python'} -m conformance.reference.server "
         f"--spec {spec}")
        for spec in PACKS
        for impl in PACKS
        if impl != spec
    ]  # fmt: skip
    node, script, js_spec = JS_ADAPTER
    runs.append((js_spec, f"{node} {script}"))
    for spec, command in runs:
        session.run(
            str(_sdk_env(session, spec) / "tinker-conformance"), "run",
            "--adapter", f"subprocess:{command}", "--spec", spec, *IN_REPORTS,
            *options, external=True, success_codes=[0, 1],
        )  # fmt: skip
    _split_and_diff(session, options)


#: A mutant (tests/mutants.py) whose fix the example diff shows.
DIFF_MUTANT = "LacksHeartbeatTypes"


def _split_and_diff(session: nox.Session, options: list[str]) -> None:
    """The JavaScript port's report split per domain (reports/split/), and
    the diff of a mutant before and after its fix, the fix being the
    reference itself (reports/diff/)."""
    js_spec = JS_ADAPTER[2]
    tool = str(_sdk_env(session, js_spec) / "tinker-conformance")
    js_raw = REPORTS / "raw" / f"tinker-js-example-0.1.0-spec-{js_spec}.json"
    session.run(
        tool, "report", str(js_raw), "--out-dir", str(REPORTS / "split"), "--split", "domains",
        "--format", "md", "--format", "html", external=True, success_codes=[0, 1],
    )  # fmt: skip
    folder = REPORTS / "diff"
    before = folder / "before.json"
    session.run(
        tool, "run", "--adapter", f"python:tests.mutants:{DIFF_MUTANT}", "--spec", js_spec,
        "--output-dir", session.create_tmp(), "--results", str(before), *options,
        external=True, success_codes=[1], env={"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    after = REPORTS / "raw" / f"tinker-{js_spec}-spec-{js_spec}.json"
    session.run(
        tool, "diff", str(before), str(after), "--out-dir", str(folder),
        "--name", f"diff-{DIFF_MUTANT}-fixed", external=True,
    )  # fmt: skip


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Print where an audit's time goes, for every pack, then all packs side by side.

    Per pack, in its own virtualenv: the per-example cost of generation, of the
    oracle, of the adapter and of the comparison, and self-audit wall times at
    25 and 100 examples per type (bench_costs.py); outcomes per second per check
    (bench_checks.py); in process against the subprocess protocol
    (bench_subprocess.py). Figures are printed, never asserted.
    """
    _install(session, "packaging")
    figures = []
    for version in PACKS:
        python = str(_sdk_env(session, version) / "python")
        out = Path(session.create_tmp()) / f"bench-{version}.json"
        session.run(python, str(BENCHMARKS / "bench_costs.py"), "--json", str(out), external=True)
        for script in ("bench_checks.py", "bench_subprocess.py"):
            session.run(python, str(BENCHMARKS / script), external=True)
        figures.append(str(out))
    session.run("python", str(BENCHMARKS / "bench_costs.py"), "--side-by-side", *figures)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format check) and the import contracts of the rooms
    (import-linter: layered, no cycle; pyproject.toml [tool.importlinter])."""
    _install(session, "ruff", "import-linter", "-e", ".")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, with the newest reference SDK installed
    (the code that reads the SDK is checked against its real types)."""
    _install(session, "mypy", "types-jsonschema", "-e", ".[test]", f"tinker=={PACKS[-1]}")
    session.run("mypy", str(PACKAGE))


@nox.session(default=False)
def fmt(session: nox.Session) -> None:
    """Apply ruff's formatting and safe fixes."""
    _install(session, "ruff")
    session.run("ruff", "format", ".")
    session.run("ruff", "check", "--fix", ".")


os.environ.pop("TINKER_API_KEY", None)
