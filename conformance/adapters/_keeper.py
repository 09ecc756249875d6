"""The keeper of one adapter program (Linux): every process the program
starts dies with it, a ``setsid`` or double-forked one included.

The runner starts it as ``python -I -S _keeper.py STATUS LIFELINE -- COMMAND...``
(``_session.Session``). It makes itself a child subreaper
(``PR_SET_CHILD_SUBREAPER``): whatever is orphaned below it becomes its child,
not init's, so nothing below can leave its tree by changing session or
process group. It starts COMMAND on its own stdin, stdout and stderr (the
runner's pipes), then lets go of them (so that the pipes end with the
program), writes ``ok`` (or ``ERRNO TEXT`` when COMMAND cannot start) to
the STATUS fd and waits. When the program exits, or the LIFELINE fd ends
(the runner closed it to end the session, or the runner died), or it is
sent SIGTERM, SIGINT or SIGHUP, it kills every process left below it and
exits as the program did (its code, or the signal that ended it).

A script of the standard library only, not a module of the package: it
starts in milliseconds, and the program's environment (the runner's,
scrubbed) passes through it unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import select
import signal
import subprocess
import sys
import time
from types import FrameType

#: Linux ``prctl`` option.
PR_SET_CHILD_SUBREAPER = 36
#: Seconds the keeper spends killing what is left below it.
SWEEP_SECONDS = 5.0
#: Signals that end the keeper the way its lifeline ending does.
ENDING = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def children() -> list[int]:
    """The keeper's children (zombies included): every process whose
    ``PPid`` in ``/proc/<pid>/stat`` is the keeper."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(entry))
    return found


def sweep() -> None:
    """Kill every process below the keeper, a level at a time: the children
    of a killed child become the keeper's (it is their subreaper) and go in
    the next round. Only the keeper's own children are signalled, and a
    child's pid cannot be taken by another process before the keeper reaps
    it, so no stranger is ever hit."""
    deadline = time.monotonic() + SWEEP_SECONDS
    while time.monotonic() < deadline and (kids := children()):
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
        for pid in kids:
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0]:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.002)


def relay(code: int) -> int:
    """Exit as the program did: its code, or (``code`` < 0) the signal that
    ended it, raised on the keeper itself (without a core dump)."""
    if code < 0:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        return 128 - code
    return code


def main(argv: list[str]) -> int:
    status, lifeline = int(argv[0]), int(argv[1])
    command = argv[3:]
    os.set_inheritable(status, False)
    os.set_inheritable(lifeline, False)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    wake, woken = os.pipe()
    os.set_blocking(wake, False)
    os.set_blocking(woken, False)
    signal.set_wakeup_fd(woken)
    ending: list[int] = []

    def note(number: int, frame: FrameType | None) -> None:
        if number != signal.SIGCHLD:
            ending.append(number)

    for number in (signal.SIGCHLD, *ENDING):
        signal.signal(number, note)
    try:
        program = subprocess.Popen(command)
    except OSError as exc:
        os.write(status, f"{exc.errno or 0} {exc.strerror or exc}".encode())
        return 127
    os.write(status, b"ok")
    os.close(status)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    code: int | None = None
    while code is None and not ending:
        while True:  # reap what has ended: the program, or an orphan below it
            try:
                pid, how = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if not pid:
                break
            if pid == program.pid:
                code = os.waitstatus_to_exitcode(how)
        if code is not None:
            break
        readable, _, _ = select.select([lifeline, wake], [], [])
        if lifeline in readable:  # the runner is done with the program, or gone
            break
        with contextlib.suppress(BlockingIOError):
            os.read(wake, 4096)
    sweep()
    return relay(-signal.SIGKILL if code is None else code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
