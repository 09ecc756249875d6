"""The reference side of the ``request`` op: one API call made by the installed SDK.

``request(pack, endpoint_id, args, base_url)`` performs the call an endpoint of
``pack`` (its ``index.json`` id) stands for, with the installed ``tinker``,
against ``base_url`` (the loopback mock server), and answers with an op
result: ``Returned(value=<result as JSON>, type_name=<pack type>)`` on
success, ``Rejected(kind=..., status=...)`` for an error the SDK raised,
``Unsupported(what="endpoint")`` for an endpoint this SDK does not have.
``request_inprocess`` does the same with respx serving canned responses inside
the process (no socket is opened) and returns the requests it recorded.

How the call is made, so that what the mock server records is what the SDK
really sends:

- The client is built the way ``InternalClientHolder`` builds its clients:
  ``AsyncTinker(api_key="tml-dummy", base_url=..., _strict_response_validation=True)``.
  The key is always the dummy one, passed explicitly: ``TINKER_API_KEY`` is never
  read. Its httpx client ignores the environment (``trust_env=False``): no
  proxy variable reroutes the calls. From 0.38.0 on the client is told
  ``use_pyqwest_transport=False``: the SDK's own config fetch and redirect pool
  use httpx's transport too, and respx can only intercept httpx's. The wire is the same either way.
- Resource endpoints (``service.*``, ``models.*``, ``weights.*``, ``futures.*``,
  ``training.*``, ``sampling.*``, ``telemetry.*``) call the resource method with
  the arguments of the vector: ``request`` is built from wire JSON by the pack's
  request type (as the fixtures' ``decode`` reads it), every other argument is
  passed as it is. The client's own retry policy applies (``max_retries`` 10,
  ``retry-after-ms``/``retry-after``, ``x-should-retry``).
- ``sampling.asample`` is called as the SDK's only caller (``SamplingClient``)
  calls it: ``max_retries=0`` and ``X-Tinker-Sampling-Backpressure: 1``. A 429
  there is the server's backpressure signal: the sampling client waits (1 s, or
  5 s for prompts over 128 KiB) and sends the request again, above this op.
- ``futures.retrieve`` of 0.38.0: the resource method cannot parse its own
  response (its ``FutureRetrieveResponse`` union holds a stdlib dataclass
  pydantic cannot build), so the call is made as the SDK's future reader makes
  it: the raw response of the resource, ``Accept: application/x-protobuf`` when
  the awaited type (optional argument ``expected_type``) is one the SDK reads as
  protobuf, then ``try_again`` and ``error`` recognised from the body, a
  protobuf body decoded with the SDK's own converter, anything else read as the
  awaited type (or, none being given, as the union by its markers).
- ``rest_client.*`` and ``admin_client.*`` go through the SDK's ``RestClient`` and
  ``AdminClient`` code over a minimal holder that hands out the client above; the
  public method of the endpoint's name is called, or its ``_<name>_submit`` where
  only a tinker-path variant is public (publish, unpublish, TTL). The holder runs
  ``execute_with_retries`` once: the holder-level retry loop (exponential backoff
  up to 5 minutes on connection errors, 408, 409, 429 and 5xx) is session
  orchestration above this op, which keeps the client's own retries.
- ``service_client.close`` replays the SDK's ``_close_submit`` request (the
  ``ServiceClient`` needs a live session); ``internal_client_holder.send_cancel_request``
  runs the holder's own method over the minimal holder.

The SDK's log lines (``Retrying due to status code 503 ...`` from the ``tinker``
logger, once per retry the vectors provoke on purpose) are not the console's:
while a call runs, the ``tinker`` and ``httpx`` loggers hand their records to
the call alone. Where the call fails as an ``Errored`` or ``TimedOut``, where
they help, they end its ``stderr``: the failure's finding carries it, and the
reference server writes an ``Errored``'s to its own stderr, the tail a
subprocess run keeps. A call that answers drops them: the retries they
narrate are what the vector asked for, and the recorded requests show them.

Exceptions map to rejections by kind, by the names of their classes (the
implementation under audit may define its own, a drop-in never has the
reference's): ``APIStatusError`` -> ``api-status`` with its status,
``APIResponseValidationError`` and pydantic ``ValidationError`` -> ``invalid-response``,
``APIConnectionError`` -> ``connection``, ``RuntimeError`` (the SDK's "expected a
redirect") -> ``invalid-response``, ``ValueError`` -> ``invalid-value``. Anything
else is an ``Errored``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import functools
import importlib
import inspect
import logging
import ssl
import threading
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from conformance.adapters._results import (
    Errored,
    OpResult,
    Rejected,
    Returned,
    TimedOut,
    Unsupported,
)
from conformance.mock_server import CannedResponse, RecordedRequest
from conformance.reference._classes import Classes
from conformance.reference._read import Reader, marked_variant
from conformance.spec import SpecPack

__all__ = [
    "API_KEY",
    "EXHAUSTED",
    "INPROCESS_BASE_URL",
    "SDK_LOGGERS",
    "TIMEOUT_SECONDS",
    "request",
    "request_inprocess",
]

#: The only key the reference ever sends: a dummy with the SDK's required prefix.
API_KEY = "tml-dummy"
#: Where the in-process path points the SDK: loopback, and respx answers first.
INPROCESS_BASE_URL = "http://127.0.0.1:9"
#: How long one call may take before it is a ``TimedOut``.
TIMEOUT_SECONDS = 30.0
#: What respx answers once the canned responses are used up (as the mock server).
EXHAUSTED = CannedResponse(
    status=599, json={"error": "mock server: no canned response left for this request"}
)

#: The loggers the SDK's calls log to: the SDK's own, and its HTTP library's.
SDK_LOGGERS = ("tinker", "httpx")

_RESOURCES = ("service", "models", "weights", "futures", "training", "sampling", "telemetry")
_BACKPRESSURE = {"X-Tinker-Sampling-Backpressure": "1"}
# RestClient endpoints whose public method takes a tinker path: the private
# submit function takes the path template's parameters.
#: The bodies a future's reader recognises before it reads the expected type.
_MARKED = ("TryAgainResponse", "RequestFailedResponse")
_PRIVATE_SUBMIT = "_{name}_submit"


class _Missing(Exception):
    """The installed SDK lacks what the endpoint needs."""


class _NoClient(Exception):
    """The implementation's client cannot be built against the base URL:
    none of its endpoints can be checked."""


def request(
    pack: SpecPack,
    endpoint_id: str,
    args: Mapping[str, Any],
    base_url: str,
    classes: Classes | None = None,
) -> OpResult:
    """Call ``endpoint_id`` of ``pack`` with the implementation ``classes``
    finds (by default the installed reference) against ``base_url``.

    The calls are made as the reference's are, from the implementation's own
    top-level package (``classes.root``: its ``_client``, ``resources``,
    ``lib``). Where that package has no client that can be built against
    ``base_url`` (another implementation's layout, a drop-in of types only),
    the op answers ``Unsupported(what="op")``: its endpoints are not checked,
    and the message says why."""
    classes = classes or Classes(pack)
    try:
        _client_class(classes.root)
    except Exception as exc:
        return _not_checked(classes.root, base_url, exc)
    entry = next((e for e in pack.endpoints if e["id"] == endpoint_id), None)
    if entry is None:
        return Unsupported(
            what="endpoint",
            name=endpoint_id,
            message=f"no endpoint {endpoint_id!r} in pack {pack.version}",
        )
    if not isinstance(cast(object, args), Mapping):
        return Rejected(kind="invalid-value", message=f"arguments must be an object, not {args!r}")
    try:
        call = _Call(classes, entry, dict(args))
    except _Missing as exc:
        return Unsupported(what="endpoint", name=endpoint_id, message=str(exc))
    except (TypeError, ValueError) as exc:  # the arguments do not build the SDK's values
        return Rejected(kind="invalid-value", message=f"{type(exc).__name__}: {exc}")
    return call.run(base_url)


def request_inprocess(
    pack: SpecPack,
    endpoint_id: str,
    args: Mapping[str, Any],
    responses: Sequence[CannedResponse | Mapping[str, Any]],
) -> tuple[OpResult, list[RecordedRequest]]:
    """``request`` with respx intercepting the SDK's httpx client: the canned
    ``responses`` are served in order (then ``EXHAUSTED``), nothing listens on a
    socket, and every request is recorded as the mock server records it."""
    import httpx
    import respx

    queue = [r if isinstance(r, CannedResponse) else CannedResponse.from_json(r) for r in responses]
    recorded: list[RecordedRequest] = []
    lock = threading.Lock()

    def answer(sent: httpx.Request) -> httpx.Response:
        url = urlsplit(str(sent.url))
        seen = RecordedRequest(
            method=sent.method,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in sent.headers.items()},
            body=sent.content,
        )
        with lock:
            recorded.append(seen)
            canned = queue.pop(0) if queue else EXHAUSTED
        payload, content_type = canned.body()
        headers = {k.lower(): v for k, v in canned.headers.items()}
        if content_type and "content-type" not in headers:
            headers["content-type"] = content_type
        return httpx.Response(canned.status, headers=headers, content=payload)

    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        router.route().mock(side_effect=answer)
        result = request(pack, endpoint_id, args, INPROCESS_BASE_URL)
    with lock:
        return result, list(recorded)


# -- one call ---------------------------------------------------------------------


class _Call:
    """One endpoint call: resolved against the installed SDK at construction
    (``_Missing`` when it lacks the endpoint), made by ``run``."""

    def __init__(self, classes: Classes, entry: Mapping[str, Any], args: dict[str, Any]) -> None:
        self.classes = classes
        self.pack = classes.pack
        self.root = classes.root
        self.entry = entry
        self.id: str = entry["id"]
        self.group, _, self.name = self.id.partition(".")
        self.invoke = self._resolve(args)

    # -- resolving ----------------------------------------------------------------

    def _resolve(self, args: dict[str, Any]) -> Callable[[_Env], Any]:
        if self.id == "futures.retrieve" and self._reads_futures_by_hand():
            return self._future_reader(args)
        if self.group in _RESOURCES:
            return self._resource(args)
        if self.group in ("rest_client", "admin_client"):
            return self._rest(args)
        if self.id == "service_client.close":
            return self._finish_session(args)
        if self.id == "internal_client_holder.send_cancel_request":
            return self._cancel(args)
        raise _Missing(f"the reference adapter does not know how to call {self.id}")

    def _reads_futures_by_hand(self) -> bool:
        union = self.pack.types.get("FutureRetrieveResponse", {}).get("union") or {}
        return bool(union.get("strategy") == "expected-type")

    def _native_args(self, args: Mapping[str, Any]) -> dict[str, Any]:
        kwargs = dict(args)
        if "request" in kwargs:
            request_type = self.entry.get("request_type")
            if not request_type:
                msg = f"{self.id} takes no request type, yet `request` was given"
                raise TypeError(msg)
            kwargs["request"] = Reader(self.pack, self.classes).read(
                request_type, kwargs["request"]
            )
        if isinstance(kwargs.get("day"), str):
            kwargs["day"] = dt.date.fromisoformat(kwargs["day"])
        return kwargs

    def _resource(self, args: Mapping[str, Any]) -> Callable[[_Env], Any]:
        self._require(lambda: _resource_method(self.root, self.group, self.name))
        kwargs = self._native_args(args)
        if self.id == "sampling.asample":
            kwargs = {**kwargs, "max_retries": 0, "extra_headers": _BACKPRESSURE}

        def invoke(env: _Env) -> Any:
            return env.wait(getattr(getattr(env.client, self.group), self.name)(**kwargs))

        return invoke

    def _rest(self, args: Mapping[str, Any]) -> Callable[[_Env], Any]:
        if self.group == "rest_client":
            module, class_name = "lib.public_interfaces.rest_client", "RestClient"
        else:
            module, class_name = "lib.public_interfaces.admin_client", "AdminClient"
        cls = self._require(
            lambda: getattr(importlib.import_module(f"{self.root}.{module}"), class_name)
        )
        name = self.name if hasattr(cls, self.name) else _PRIVATE_SUBMIT.format(name=self.name)
        if not hasattr(cls, name):
            raise _Missing(f"{self.root}'s {class_name} has no {self.name}")
        kwargs = self._native_args(args)

        def invoke(env: _Env) -> Any:
            client = cls(env.holder)
            return env.settle(getattr(client, name)(**kwargs))

        return invoke

    def _finish_session(self, args: Mapping[str, Any]) -> Callable[[_Env], Any]:
        # Replays ServiceClient._close_submit's request (0.38.0): a ServiceClient
        # needs a live session, the request itself is this.
        session_id = args["session_id"]
        body = {"reason": {"type": args["status"]}, "detail": args.get("detail")}

        def invoke(env: _Env) -> Any:
            none_type = importlib.import_module(f"{self.root}._types").NoneType
            return env.wait(
                env.client.post(
                    f"/api/v1/sessions/{session_id}/finish", body=body, cast_to=none_type
                )
            )

        return invoke

    def _cancel(self, args: Mapping[str, Any]) -> Callable[[_Env], Any]:
        holder_class = self._require(lambda: _holder_class(self.root))
        method = getattr(holder_class, "_send_cancel_request", None)
        if method is None:
            raise _Missing(f"{self.root}'s InternalClientHolder has no _send_cancel_request")
        request_id = args["request_id"]

        def invoke(env: _Env) -> Any:
            return env.wait(method(env.holder, request_id))

        return invoke

    def _future_reader(self, args: Mapping[str, Any]) -> Callable[[_Env], Any]:
        self._require(lambda: _resource_method(self.root, "futures", "retrieve"))
        kwargs = self._native_args({k: v for k, v in args.items() if k != "expected_type"})
        expected_name = args.get("expected_type")
        if expected_name is not None and expected_name not in self.pack.types:
            msg = f"expected_type {expected_name!r} is not a type of pack {self.pack.version}"
            raise ValueError(msg)
        expected = (
            self._require(lambda: self.classes.native(expected_name)) if expected_name else None
        )
        classes, root = self.classes, self.root

        async def read(env: _Env) -> Any:
            deserialize_json_response = importlib.import_module(
                f"{root}.lib._pydantic_conv"
            ).deserialize_json_response
            proto = importlib.import_module(f"{root}.proto.response_conv")
            proto_types = proto.PROTO_SUPPORTED_TYPES
            deserialize_proto_response = proto.deserialize_proto_response

            headers = {"Accept": "application/x-protobuf"} if expected in proto_types else {}
            response = await env.client.futures.with_raw_response.retrieve(
                **kwargs, extra_headers=headers
            )
            if "application/x-protobuf" in response.headers.get("content-type", ""):
                if expected is None:
                    msg = "a protobuf body is read as the awaited type: expected_type is missing"
                    raise ValueError(msg)
                return deserialize_proto_response(response.http_response.content, expected)
            body = await response.json()
            marked = marked_variant(body, _MARKED)
            if marked is not None:
                return classes.json(marked).model_validate(body)
            if expected is None:
                return Reader(classes.pack, classes).read("FutureRetrieveResponse", body)
            if expected in proto_types:
                msg = f"Server returned a JSON payload for {expected_name}, read only as protobuf"
                raise ValueError(msg)
            return deserialize_json_response(body, expected)

        return lambda env: env.wait(read(env))

    def _require(self, load: Callable[[], Any]) -> Any:
        try:
            return load()
        except (ImportError, AttributeError) as exc:
            raise _Missing(f"the installed {self.root} lacks {self.id}: {exc}") from None

    # -- running ------------------------------------------------------------------

    def run(self, base_url: str) -> OpResult:
        """The call's result; what the SDK logged meanwhile goes with a failure."""
        with _SDK_LOG.lines() as lines:
            result = self._call(base_url)
        if lines and isinstance(result, Errored | TimedOut):
            logged = "".join(f"{line}\n" for line in lines)
            return dataclasses.replace(result, stderr=result.stderr + logged)
        return result

    def _call(self, base_url: str) -> OpResult:
        try:
            # The SDK's own warnings (experimental or deprecated methods) are not answers.
            with warnings.catch_warnings(), _Env(base_url, self.classes) as env:
                warnings.simplefilter("ignore")
                value = self.invoke(env)
        except _Missing as exc:
            return Unsupported(what="endpoint", name=self.id, message=str(exc))
        except _NoClient as exc:
            return _not_checked(self.root, base_url, exc.__cause__ or exc)
        except TimeoutError:
            return TimedOut(seconds=TIMEOUT_SECONDS, message=f"{self.id} did not return")
        except Exception as exc:
            return _rejection(exc) or Errored(  # the SDK misbehaved: a result, not a crash
                message=f"{type(exc).__name__} in the SDK: {exc}",
                stderr="".join(traceback.format_exception(exc)),
            )
        return self._encode(value)

    def _encode(self, value: Any) -> OpResult:
        from conformance.reference._wire import to_wire

        try:
            wire = to_wire(value, {}, self.classes.twins())
        except Exception as exc:
            return Errored(message=f"encoding the result: {type(exc).__name__}: {exc}")
        name = type(value).__name__
        return Returned(
            value=wire, type_name=name if value is not None and name in self.pack.types else None
        )


class _Lines(logging.Handler):
    """Keeps the formatted records of one call."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class _SdkLog:
    """The SDK loggers routed to the calls that run, off the console.

    The first call in saves each logger's ``propagate`` and turns it off, the
    last one out restores it, so calls on several threads at once neither
    leak lines nor leave a logger silenced. Each call's own handler keeps
    what was logged while it ran (records of calls overlapping it too).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._propagate: dict[str, bool] = {}

    @contextlib.contextmanager
    def lines(self) -> Iterator[list[str]]:
        """The lines logged while the block runs, kept instead of reaching
        the console (Python's last-resort handler, or the host
        application's, pytest's say). Handlers a host attached to the SDK
        loggers themselves still see every record."""
        handler = _Lines()
        loggers = [logging.getLogger(name) for name in SDK_LOGGERS]
        with self._lock:
            if not self._running:
                self._propagate = {lg.name: lg.propagate for lg in loggers}
            self._running += 1
            for lg in loggers:
                lg.addHandler(handler)
                lg.propagate = False
        try:
            yield handler.lines
        finally:
            with self._lock:
                self._running -= 1
                for lg in loggers:
                    lg.removeHandler(handler)
                    if not self._running:
                        lg.propagate = self._propagate[lg.name]


_SDK_LOG = _SdkLog()


def _rejection(exc: Exception) -> Rejected | None:
    """The neutral kind of an error the client raised, by the names of its
    classes (a Stainless client's ``APIStatusError`` and kin, whichever
    package defines them; pydantic's ``ValidationError``), or None."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    message = str(getattr(exc, "message", None) or exc)
    if "APIStatusError" in names:
        status = getattr(exc, "status_code", None)
        return Rejected(
            kind="api-status", status=status if isinstance(status, int) else None, message=message
        )
    if "APIResponseValidationError" in names:
        return Rejected(kind="invalid-response", message=f"{message}: {exc.__cause__}")
    if "APIConnectionError" in names:
        return Rejected(kind="connection", message=message)
    if "ValidationError" in names and type(exc).__module__.startswith("pydantic"):
        return Rejected(kind="invalid-response", message=str(exc))
    if isinstance(exc, RuntimeError):
        return Rejected(kind="invalid-response", message=str(exc))
    if isinstance(exc, ValueError):
        return Rejected(kind="invalid-value", message=str(exc))
    return None


def _not_checked(root: str, base_url: str, exc: BaseException) -> Unsupported:
    return Unsupported(
        what="op",
        name="request",
        message=f"endpoints not checked: {root}'s client cannot be built against the mock "
        f"server at {base_url}: {type(exc).__name__}: {exc}",
    )


def _resource_method(root: str, group: str, name: str) -> Any:
    module = importlib.import_module(f"{root}.resources.{group}")
    classes = [getattr(module, n) for n in getattr(module, "__all__", [])]
    for cls in classes:
        if hasattr(cls, name):
            return getattr(cls, name)
    msg = f"{root}.resources.{group} has no method {name}"
    raise AttributeError(msg)


def _holder_class(root: str) -> Any:
    return importlib.import_module(f"{root}.lib.internal_client_holder").InternalClientHolder


def _client_class(root: str) -> Any:
    """The client class of the package ``root`` (``AsyncTinker`` of ``_client``)."""
    return importlib.import_module(f"{root}._client").AsyncTinker


# -- the event loop, the client and the minimal holder ----------------------------


class _Env:
    """A private event loop on its own thread, one SDK client on it, and the
    minimal holder the SDK's REST clients run over. Closed on exit."""

    def __init__(self, base_url: str, classes: Classes) -> None:
        self.base_url = base_url
        self.classes = classes
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._client: Any = None
        self.holder = _Holder(self)

    def __enter__(self) -> _Env:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._client is not None:
                with contextlib.suppress(Exception):
                    self.wait(self._client.close(), timeout=5)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
            if not self._thread.is_alive():
                self.loop.close()

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                self._client = _make_client(self.base_url, self.classes)
            except Exception as exc:
                raise _NoClient(str(exc)) from exc
        return self._client

    def submit(self, coro: Awaitable[Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(_as_coroutine(coro), self.loop)

    def wait(self, coro: Awaitable[Any], timeout: float = TIMEOUT_SECONDS) -> Any:
        return self.settle(self.submit(coro), timeout)

    def settle(self, future: Any, timeout: float = TIMEOUT_SECONDS) -> Any:
        """The result of a future the SDK returned (concurrent or its own)."""
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            with contextlib.suppress(Exception):
                future.cancel()
            raise TimeoutError from None


async def _as_coroutine(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


class _Holder:
    """What ``RestClient``, ``AdminClient`` and the holder's own request methods
    use of ``InternalClientHolder``: the client, the loop, one attempt."""

    def __init__(self, env: _Env) -> None:
        self._env = env

    @contextlib.contextmanager
    def aclient(self, *_pool_type: Any) -> Iterator[Any]:
        yield self._env.client

    async def execute_with_retries(self, func: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await func(*args, **kw)

    def run_coroutine_threadsafe(self, coro: Awaitable[Any]) -> Any:
        future = self._env.submit(coro)
        try:
            module = f"{self._env.classes.root}.lib.public_interfaces.api_future"
            awaitable = importlib.import_module(module).AwaitableConcurrentFuture
        except (ImportError, AttributeError):
            return future
        return awaitable(future)

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._env.loop

    def get_telemetry(self) -> None:
        return None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings httpx makes by default without ``trust_env``
    (certificates verified against certifi's authorities), made once:
    loading the authorities took 25 ms a client, a third of an endpoint
    vector, for calls that go over plain HTTP to the loopback server anyway."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _make_client(base_url: str, classes: Classes) -> Any:
    """``AsyncTinker`` as ``InternalClientHolder`` builds it: strict response
    validation, the dummy key given explicitly, httpx's own transport, and the
    httpx client the SDK would make itself (``AsyncHttpxClientWrapper`` with
    its timeout and HTTP/2, as in 0.15.0 and 0.38.0) but with
    ``trust_env=False``: the calls go to the loopback mock server, never
    through an ``HTTP(S)_PROXY``/``ALL_PROXY`` of the runner's environment
    (nor with its ``.netrc``)."""
    root = classes.root
    async_tinker = _client_class(root)
    wrapper = importlib.import_module(f"{root}._base_client").AsyncHttpxClientWrapper
    default_timeout = importlib.import_module(f"{root}._constants").DEFAULT_TIMEOUT

    http_client = wrapper(
        base_url=base_url,
        timeout=default_timeout,
        http2=True,
        trust_env=False,
        verify=_tls_context(),
    )
    options: dict[str, Any] = {
        "api_key": API_KEY,
        "base_url": base_url,
        "_strict_response_validation": True,
        "http_client": http_client,
    }
    if "_client_config" in inspect.signature(async_tinker).parameters:
        config = classes.native("ClientConfigResponse")
        options["_client_config"] = config(use_pyqwest_transport=False)
    return async_tinker(**options)
