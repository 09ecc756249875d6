"""One running adapter program: its three pipes, each served by a thread.

The runner must never hang on an implementation, so nothing here blocks
without a deadline: stdout lines arrive through a queue filled by a reader
thread (every read has a deadline), stderr is drained continuously into a
bounded buffer (a flood can never block the program), and stdin is written
by a writer thread (a program that stops reading cannot block the runner).
The program runs in its own process group with a scrubbed environment, and
cannot read the runner's (``undumpable``); on Linux it runs under a keeper
(``_keeper.py``, a child subreaper), so that every process it starts dies
with it, also one in another session or process group. What it writes to
stderr is redacted (``conformance._redact``) before anyone reads it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import IO

from conformance._redact import conceal, redact, withheld

__all__ = [
    "KEEPER_GRACE",
    "MAX_LINE",
    "NO_PROXY",
    "STDERR_TAIL",
    "OverlongLine",
    "Session",
    "scrubbed_environment",
    "undumpable",
]

#: Whether pipes can be polled (not on Windows).
_SELECT = hasattr(select, "poll")
#: Longest stdout line accepted (bytes); a longer one is a protocol error.
MAX_LINE = 64 * 1024 * 1024
#: How much of the end of stderr is kept and attached to results (bytes).
STDERR_TAIL = 8 * 1024

#: Never dropped: what a program needs to start and find its libraries.
KEPT = frozenset(
    {
        "PATH",
        "HOME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TERM",
        "USER",
        "LOGNAME",
        "SHELL",
        "TMPDIR",
        "TEMP",
        "TMP",
        "PWD",
        "PYTHONPATH",
        "PYTHONHOME",
        "VIRTUAL_ENV",
        "NODE_PATH",
        "NODE_OPTIONS",
        "ERL_LIBS",
        "MIX_ENV",
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "COMSPEC",
        "PATHEXT",
        "USERPROFILE",
        "APPDATA",
        "LOCALAPPDATA",
    }
)


#: Given to every adapter: loopback is never proxied, whatever proxy the
#: program's own configuration files may name (no proxy variable is passed on).
NO_PROXY = {"NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1"}


def scrubbed_environment(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` without credentials (``conformance._redact.withheld``: names
    that say secret, token, key, password, credential, JWT, webhook, proxy,
    cloud and registry accounts, ``TINKER_*``; values that hold a URL with a
    password or a token), with ``NO_PROXY`` for loopback. ``KEPT`` names and
    locale variables (``LC_*``) always stay. The withheld values are
    redacted from everything the runner writes from now on (``conceal``)."""
    kept = {}
    dropped = []
    for name, value in base.items():
        upper = name.upper()
        if upper in KEPT or upper.startswith("LC_") or not withheld(name, value):
            kept[name] = value
        else:
            dropped.append(value)
    conceal(dropped)
    return {**kept, **NO_PROXY}


#: Linux ``prctl`` options.
_PR_CAPBSET_READ, _PR_CAPBSET_DROP, _PR_SET_DUMPABLE = 23, 24, 4
#: The capabilities that read an undumpable process's memory and environ:
#: CAP_SYS_PTRACE, and (for reading) CAP_PERFMON and CAP_SYS_ADMIN, which
#: implies it.
_READS_OTHERS = (19, 38, 21)


@cache
def _libc() -> ctypes.CDLL | None:
    """The C library, where ``prctl`` is (Linux only; None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def undumpable() -> None:
    """Make the runner's own memory and ``/proc/<pid>/environ`` unreadable to
    the programs it starts next (Linux; elsewhere nothing): ``PR_SET_DUMPABLE
    0`` for the process, and ``_READS_OTHERS`` dropped from the calling
    thread's capability bounding set, so that a program started as root
    cannot read them either (those capabilities pass the dumpable check; a
    root program keeps its others). The bounding set is per thread and
    inherited by what the thread starts: called before every start, from
    whichever thread starts it. A refusal (no ``CAP_SETPCAP``: not root, so
    nothing to drop) is no error."""
    libc = _libc()
    if libc is None:
        return
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    for capability in _READS_OTHERS:
        if libc.prctl(_PR_CAPBSET_READ, capability, 0, 0, 0) == 1:
            libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)


#: The keeper script (``_keeper.py``) that each program runs under, where
#: there are child subreapers (Linux); None elsewhere (the program's process
#: group is all that is killed).
_KEEPER = Path(__file__).with_name("_keeper.py") if sys.platform.startswith("linux") else None
#: Seconds the keeper has to start the program, and to end it (it spends at
#: most ``_keeper.SWEEP_SECONDS`` killing what is below it).
KEEPER_GRACE = 10.0


def _started(status: int) -> None:
    """Wait for the keeper's word on the ``status`` fd; ``OSError`` (with the
    errno the keeper got) when the program could not be started."""
    deadline = time.monotonic() + KEEPER_GRACE
    said = b""
    while _readable(status, max(0.0, deadline - time.monotonic())):
        chunk = os.read(status, 4096)
        if not chunk:
            break
        said += chunk
    if said == b"ok":
        return
    number, _, text = said.decode("utf-8", "replace").partition(" ")
    if not number.isdigit():
        number, text = "0", f"its keeper ended or hung before starting it ({said[:200]!r})"
    raise OSError(int(number), text)


def _readable(fd: int, timeout: float | None) -> bool:
    """Whether ``fd`` has data (or its end) within ``timeout`` seconds (None: wait)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(None if timeout is None else timeout * 1000))


class OverlongLine(ValueError):
    """stdout sent a line longer than ``MAX_LINE``."""


class _Tail:
    """The last ``limit`` bytes of a stream."""

    def __init__(self, limit: int = STDERR_TAIL) -> None:
        self.limit = limit
        self._data = bytearray()
        self._lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
        with self._lock:
            self._data += chunk
            if len(self._data) > self.limit:
                del self._data[: len(self._data) - self.limit]

    def text(self) -> str:
        with self._lock:
            return self._data.decode("utf-8", errors="replace")


_EOF = b""


class Session:
    """A started adapter program. Raises ``OSError`` when it cannot start."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str]) -> None:
        self.command = tuple(command)
        undumpable()
        #: The runner's end of the keeper's lifeline (Linux): closing it ends
        #: the program and everything it started.
        self._lifeline: int | None = None
        if _KEEPER is None:
            self.process = self._popen(self.command, env, ())
        else:
            status, their_status = os.pipe()
            their_lifeline, self._lifeline = os.pipe()
            keeper = [sys.executable, "-I", "-S", str(_KEEPER), str(their_status)]
            try:
                self.process = self._popen(
                    [*keeper, str(their_lifeline), "--", *self.command],
                    env,
                    (their_status, their_lifeline),
                )
            except OSError:
                os.close(self._lifeline)
                raise
            finally:
                os.close(their_status)
                os.close(their_lifeline)
            try:
                _started(status)
            except OSError:
                self._end_keeper()
                for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                    if stream is not None:
                        stream.close()
                raise
            finally:
                os.close(status)
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._stderr = _Tail()
        self._draining = threading.Lock()
        self._stderr_fd = self.process.stderr.fileno()
        self._stderr_done = threading.Event()
        self._threads = [
            threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True),
            threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True),
            threading.Thread(target=self._write, args=(self.process.stdin,), daemon=True),
        ]
        self._finished = False
        self._code: int | None = None
        #: A digest of the answer line to each id answered so far, and the ids
        #: answered a second time that the adapter has not yet taken
        #: (``_messages.await_answer``).
        self.answered: dict[int, bytes] = {}
        self.repeated: list[int] = []
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _popen(
        argv: Sequence[str], env: Mapping[str, str], fds: tuple[int, ...]
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            pass_fds=fds,
            start_new_session=True,  # its own process group, killed as a whole
        )

    def _end_keeper(self) -> None:
        """Close the lifeline: the keeper kills the program and all below it,
        then exits. Waits for that at most ``KEEPER_GRACE`` seconds."""
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=KEEPER_GRACE)

    # -- threads -------------------------------------------------------------------

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while line := stream.readline(MAX_LINE + 1):
                self._lines.put(line)
        except (OSError, ValueError):  # the pipe broke: same as its end
            pass
        finally:
            self._lines.put(_EOF)
            with contextlib.suppress(OSError):
                stream.close()

    def _drain(self, stream: IO[bytes]) -> None:
        fd = stream.fileno()
        try:
            while True:
                if _SELECT:  # wait outside the lock, so that settling sees the pipe
                    _readable(fd, None)
                with self._draining:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        break
                    self._stderr.add(chunk)
        except (OSError, ValueError):
            pass
        finally:
            self._stderr_done.set()
            with contextlib.suppress(OSError):
                stream.close()

    def _write(self, stream: IO[bytes]) -> None:
        while (data := self._outbox.get()) is not None:
            try:
                stream.write(data)
                stream.flush()
            except (OSError, ValueError):  # the program is gone; reads will say so
                break
        with contextlib.suppress(OSError, ValueError):
            stream.close()

    # -- use -----------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue ``data`` for stdin; never blocks."""
        self._outbox.put(data)

    def close_stdin(self) -> None:
        """End of input, after whatever was queued."""
        self._outbox.put(None)

    def read_line(self, deadline: float) -> bytes | None:
        """The next stdout line without its line ending; None once stdout has
        ended. Raises ``TimeoutError`` at ``deadline`` (``time.monotonic``),
        ``OverlongLine`` for a line over ``MAX_LINE``."""
        try:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None
        if line == _EOF:
            self._lines.put(_EOF)  # every later read sees the end too
            return None
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            raise OverlongLine(f"a stdout line longer than {MAX_LINE} bytes")
        return line.rstrip(b"\r\n")

    def running(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self) -> str:
        """The end of stderr, redacted."""
        return redact(self._stderr.text())

    def settled_stderr_tail(self, limit: float = 0.2) -> str:
        """The tail once everything already written to stderr is in it: a
        program logs before it answers, but the two pipes are read by two
        threads. Waits at most ``limit`` seconds (where pipes cannot be
        polled, a short pause)."""
        if not _SELECT:
            time.sleep(0.02)
            return self.stderr_tail()
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self._stderr_done.is_set():
            try:
                pending = _readable(self._stderr_fd, 0)
            except (OSError, ValueError):  # closed meanwhile: the thread is done
                break
            # the thread holds the lock from reading a chunk until it is kept
            if not pending and self._draining.acquire(blocking=False):
                self._draining.release()
                break
            time.sleep(0.001)
        return self.stderr_tail()

    def finish(self, grace: float = 1.0) -> int | None:
        """Let the program exit within ``grace`` seconds, then kill what is
        left: all below its keeper, and its process group; its exit code
        (None if it was killed).
        Only the first call acts; later ones repeat its answer."""
        if self._finished:
            return self._code
        try:
            code: int | None = self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            code = None
        self._end_keeper()
        self._kill_group()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5.0)
        self.close_stdin()
        for thread in self._threads:
            thread.join(timeout=0.5)
        self._finished, self._code = True, code
        return code

    def kill(self) -> None:
        """Kill now (a hang, or a stream out of sync)."""
        self.finish(grace=0.0)

    def _kill_group(self) -> None:
        killpg = getattr(os, "killpg", None)
        with contextlib.suppress(OSError):
            if killpg is not None:
                # the group outlives a leader that exited (its children keep it)
                killpg(self.process.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            elif self.process.poll() is None:
                self.process.kill()
