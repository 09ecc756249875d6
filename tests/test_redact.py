"""Secrets never reach an output (issue 12): which variables are withheld from
an adapter, and what ``redact`` removes from what an adapter says."""

from __future__ import annotations

import pytest

from conformance._redact import REDACTED, conceal, redact, withheld
from conformance.adapters import Call, Errored, Unsupported
from conformance.adapters._batch import answer_of
from conformance.adapters._messages import short


@pytest.mark.parametrize(
    "name",
    [
        "SYSTEM_ACCESSTOKEN",
        "CI_JOB_JWT",
        "SLACK_WEBHOOK_URL",
        "MYAPIKEY",
        "BEARER",
        "GITHUBTOKEN",
        "HONEYCOMB_WRITEKEY",
        "TINKER_API_KEY",
        "DB_PASSWORD",
        "my_client_secret",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "HTTPS_PROXY",
        "all_proxy",
    ],
)
def test_names_that_say_secret_are_withheld(name: str) -> None:
    assert withheld(name, "plain")


@pytest.mark.parametrize("name", ["PATH", "HOME", "LANG", "TOKENIZERS_PARALLELISM", "CI", "TERM"])
def test_ordinary_names_are_not(name: str) -> None:
    assert not withheld(name, "plain")


@pytest.mark.parametrize(
    "value",
    ["redis://:pw@cache:6379", "https://user:token@pypi.example/simple", "Bearer abcdefgh1234"],
)
def test_a_value_with_credentials_is_withheld_whatever_its_name(value: str) -> None:
    assert withheld("CACHE", value)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("key tml-" + "a" * 24 + " end", "key <redacted> end"),
        ("gh ghp_" + "b" * 36, "gh <redacted>"),
        ("jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl x", "jwt <redacted> x"),
        ("Authorization: Bearer abcdefghijkl", "Authorization: Bearer <redacted>"),
        ("X-API-Key: whatever", "X-API-Key: <redacted>"),
        ("redis://:pw@cache:6379/0", "redis://<redacted>@cache:6379/0"),
        ("MYAPIKEY=short", "MYAPIKEY=<redacted>"),
        (
            "PATH=/usr/bin version 1.2.3 www.example.com",
            "PATH=/usr/bin version 1.2.3 www.example.com",
        ),
        ("tml-dummy is the reference's own key", "tml-dummy is the reference's own key"),
    ],
)
def test_credential_shapes_are_redacted(text: str, kept: str) -> None:
    assert redact(text) == kept


def test_the_values_of_the_runners_secrets_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HONEYCOMB_WRITEKEY", "hc-value-123456")
    assert redact("sent hc-value-123456 twice: hc-value-123456") == (
        f"sent {REDACTED} twice: {REDACTED}"
    )


def test_a_secret_cut_at_either_end_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stderr tail starts wherever the buffer did, a line may end mid-write."""
    monkeypatch.setenv("SYSTEM_ACCESSTOKEN", "abcdefghijklmnop")
    assert redact("ijklmnop and more") == f"{REDACTED} and more"
    assert redact("and then abcdefgh") == f"and then {REDACTED}"


def test_concealed_values_are_redacted() -> None:
    conceal(["concealed-value-42"])
    assert redact("x concealed-value-42 y") == f"x {REDACTED} y"


def test_short_redacts_before_it_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cr3t-" + "q" * 40
    monkeypatch.setenv("MY_TOKEN", secret)
    text = short({"padding": "p" * 150, "leak": secret}, limit=200)
    assert "qqqq" not in text


def test_every_result_of_every_adapter_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINKER_API_KEY", "tml-" + "k" * 30)
    call = Call.decode("Cursor", {})
    errored = answer_of(call, Errored(message="key tml-" + "k" * 30, stderr="TINKER_API_KEY=x"))
    assert errored == Errored(message=f"key {REDACTED}", stderr=f"TINKER_API_KEY={REDACTED}")
    unsupported = answer_of(call, Unsupported(what="type", name="Bearer abcdefghijk"))
    assert isinstance(unsupported, Unsupported)
    assert unsupported.name == f"Bearer {REDACTED}"
