"""Which environment variables are secrets, and their removal from text.

An adapter is untrusted, and what it says (stderr, messages) ends up in raw
results and reports that are uploaded as CI artefacts. So the rules that
decide which variables an adapter program never gets (``withheld``) live here,
next to ``redact``, which replaces in any text the values of those variables
(wherever the runner has them: ``os.environ`` and every environment scrubbed
for an adapter) and strings shaped like credentials, whoever they belong to:
an adapter that found a token in a file of the same user still has it
replaced. Both are one module so that what is withheld and what is redacted
can never disagree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = [
    "REDACTED",
    "conceal",
    "credential_value",
    "redact",
    "secret_header",
    "secret_values",
    "withheld",
]

#: What a secret is replaced with.
REDACTED = "<redacted>"

#: Variables whose names say they hold credentials, or that route traffic off
#: the machine (proxies). Matched case-insensitively against the whole name:
#: the credential words anywhere in it (``MYAPIKEY``, ``GITHUBTOKEN``,
#: ``HONEYCOMB_WRITEKEY``, ``CI_JOB_JWT``, ``SLACK_WEBHOOK_URL``), whole-word
#: abbreviations (``_PASS``, ``_PWD``), cloud and registry accounts by prefix.
#: A tokenizer is no token (``TOKENIZERS_PARALLELISM`` is a setting).
_SECRET_NAME = re.compile(
    r"""
    ^(TINKER|AWS|AZURE|GOOGLE|GCLOUD|GCP|CLOUDSDK|OPENAI|ANTHROPIC
      |GH|GITHUB|GITLAB|NPM|YARN|PYPI|TWINE|DOCKER|SSH|VAULT|DATABRICKS|SNOWFLAKE)_
    | KEY | TOKEN(?!IZ) | SECRET | PASSWORD | PASSWD | PASSPHRASE | CREDENTIAL | JWT | WEBHOOK
    | BEARER | COOKIE
    | (^|_)(AUTH|PASS|PWD|DSN|SESSION_?ID)($|_)
    | PROXY$
    | ^(NETRC|KUBECONFIG|PGPASSFILE|BOTO_CONFIG)$
    """,
    re.IGNORECASE | re.VERBOSE,
)

#: A URL with credentials in it: ``scheme://user:password@`` (the user may be
#: empty, as in ``redis://:pw@host``).
_URL_USERINFO = r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/\s:@'\"]*:[^/\s@'\"]+@"

#: Strings shaped like credentials, whoever they belong to. Each pattern's
#: whole match is replaced, except the ``keep`` group (a scheme, a header
#: name, the ``Bearer`` word), which is kept so the text still says what it was.
_CREDENTIAL = re.compile(
    "|".join(
        (
            _URL_USERINFO,
            # Authorization headers and the like: the scheme word stays.
            r"(?P<keep>\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}",
            r"(?P<header>(?i:\b(?:x-api-key|api-key|cookie|set-cookie)\s*:\s*))[^\s'\"]+",
            # JWTs: three base64url parts, the first a JSON object ({" is eyJ).
            r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
            # Tokens with a known prefix: Tinker, GitHub, GitLab, Slack, OpenAI
            # and Anthropic, Hugging Face, npm, PyPI, AWS access key ids.
            r"\btml-[A-Za-z0-9_-]{16,}",
            r"\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}",
            r"\bglpat-[A-Za-z0-9_-]{20,}",
            r"\bxox[abeprs]-[A-Za-z0-9-]{10,}",
            r"\bsk-[A-Za-z0-9_-]{20,}",
            r"\bhf_[A-Za-z0-9]{30,}",
            r"\bnpm_[A-Za-z0-9]{36}",
            r"\bpypi-[A-Za-z0-9_-]{50,}",
            r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
        )
    )
)

#: ``NAME=value`` (a dump of an environment, a shell trace) where NAME is a
#: withheld one: the value goes, whatever it looks like.
_ASSIGNMENT = re.compile(r"\b(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^\s\x00'\"]+)")

#: Shorter values are not redacted by value (they would replace ordinary
#: words and numbers everywhere); credential shapes still catch short
#: passwords in URLs and assignments.
_MIN_VALUE = 6

#: Values withheld from an adapter with an environment other than ``os.environ``.
_concealed: set[str] = set()


def withheld(name: str, value: str) -> bool:
    """Whether a variable is a secret: its name says so, or its value holds
    credentials (a URL with a password, a token, a JWT)."""
    return bool(_SECRET_NAME.search(name) or _CREDENTIAL.search(value))


def secret_values(environment: Mapping[str, str]) -> set[str]:
    """The values of the secret variables of ``environment`` long enough to be
    redacted by value."""
    return {
        value
        for name, value in environment.items()
        if len(value) >= _MIN_VALUE and withheld(name, value)
    }


def conceal(values: Iterable[str]) -> None:
    """Redact ``values`` from now on, as the secrets of ``os.environ`` are."""
    _concealed.update(v for v in values if len(v) >= _MIN_VALUE)


@lru_cache(maxsize=4)
def _environ_secrets(items: frozenset[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(secret_values(dict(items)))


def _secrets() -> list[str]:
    """Every known secret value, longest first (a value that contains another
    is replaced whole)."""
    found = set(_environ_secrets(frozenset(os.environ.items()))) | _concealed
    return sorted(found, key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with every secret replaced by ``REDACTED``: the values of the
    secret variables, the values of withheld ``NAME=value`` assignments,
    credential-shaped strings, and the part of a secret a cut left at either
    end (a tail of stderr starts wherever the buffer did)."""
    if not text:
        return text
    secrets = _secrets()
    for value in secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    text = _CREDENTIAL.sub(_credential, text)
    text = _ASSIGNMENT.sub(_assignment, text)
    return _clipped(text, secrets)


def _credential(match: re.Match[str]) -> str:
    kept = match.group("scheme") or match.group("keep") or match.group("header") or ""
    return kept + REDACTED + ("@" if match.group("scheme") else "")


def _assignment(match: re.Match[str]) -> str:
    name, value = match.group("name"), match.group("value")
    if value == REDACTED or not withheld(name, value):
        return match.group(0)
    return f"{name}={REDACTED}"


#: The shortest piece of a secret redacted where a cut left it at an end:
#: shorter pieces give little away, and a text that merely starts like the end
#: of some withheld value (``main`` of ``GITHUB_REF=refs/heads/main``) stays.
_MIN_PIECE = 8


def _clipped(text: str, secrets: list[str]) -> str:
    """``text`` without a secret's end at its start or a secret's start at its
    end. Only the places where the secret holds the text's first (last)
    character are tried, so a text costs little per secret."""
    for value in secrets:
        start = value.find(text[:1], 1)
        while 0 < start <= len(value) - _MIN_PIECE:
            if text.startswith(value[start:]):
                text = REDACTED + text[len(value) - start :]
                break
            start = value.find(text[:1], start + 1)
        end = value.rfind(text[-1:], 0, len(value) - 1)
        while end >= _MIN_PIECE - 1:
            if text.endswith(value[: end + 1]):
                text = text[: len(text) - end - 1] + REDACTED
                break
            end = value.rfind(text[-1:], 0, end)
    return text


#: Header names whose values are credentials (the idempotency key is not one).
_SECRET_HEADER = re.compile(
    r"authorization|cookie|api[-_]?key|token|secret|passw|credential|jwt|signature|session[-_]?key",
    re.IGNORECASE,
)
_IDEMPOTENCY = "x-idempotency-key"

#: A whole value that is a credential, as a client sends it: the looser test
#: for recorded requests (``serve``), where a short ``Bearer abc`` or a test
#: key ``tml-abc`` is still a key, and the value is replaced whole.
_CREDENTIAL_VALUE = re.compile(
    r"^\s*(bearer|basic|token)\s|eyJ[\w-]{4,}\.[\w-]{4,}\.|\b(tml|sk|pk|ghp|gho|xox[abp])[-_][\w-]{3,}"
    r"|://[^/\s:@]+:[^/\s@]+@",
    re.IGNORECASE,
)


def credential_value(value: str) -> bool:
    """Whether a value a client sent (a header, a string in a body) is a
    credential whatever its name: bearer and basic schemes, JWTs, vendors'
    key prefixes, URLs with a password."""
    return _CREDENTIAL_VALUE.search(value) is not None


def secret_header(name: str, value: str) -> bool:
    """Whether a request header holds a credential: by its name or its value."""
    lower = name.lower()
    return lower != _IDEMPOTENCY and (
        _SECRET_HEADER.search(lower) is not None or credential_value(value)
    )
