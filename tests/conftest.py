"""Shared fixtures. Tests marked ``sdk`` need ``tinker`` importable: nox's
``tests-<version>`` sessions install exactly that version, and the pack of the
installed version is the one they check. Without the SDK they fail, never skip:
a silently skipped suite would pass anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance import SpecPack, load_pack
from conformance.corpus import CACHE_ENV
from conformance.reference._classes import installed_version
from conformance.spec import available_versions

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session", autouse=True)
def _own_corpus_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Corpora the tests build go to a folder of this session (every CLI
    subprocess inherits it), never into the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("corpus-cache")))
        yield


@pytest.fixture(scope="session")
def sdk_pack() -> SpecPack:
    """The checked-in pack of the installed SDK version."""
    version = installed_version()
    if version is None:
        pytest.fail("the reference SDK is not installed; run the tests with `nox -s tests`")
    if version not in available_versions():
        pytest.fail(f"tinker=={version} is installed but schemas/{version}/ does not exist")
    return load_pack(version)


@pytest.fixture(scope="session", params=available_versions())
def any_pack(request: pytest.FixtureRequest) -> SpecPack:
    """Every checked-in pack in turn."""
    return load_pack(request.param)


@pytest.fixture(autouse=True)
def _outside_the_checkout(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test runs in an empty folder of its own: a command writing its
    default outputs (``conformance-results/`` under the current directory)
    never lands in the checkout."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
