"""One adapter program for the hostile matrix (tests/hostile/cases/): it
misbehaves in the way ``--mode`` names on requests for the trigger type and
answers everything else as ``GoodAdapter`` does.

    python tests/hostile/misbehaves.py --mode=MODE [--hello=JSON] [--mib=N] --echo TRIGGER

``--hello`` is a JSON object (ASCII, escapes allowed) of hello fields to say
instead of the good ones: names with NUL, markup, escapes, 10,000 characters
or path separators cannot be passed in argv as they are.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from good_adapter import GoodAdapter


def option(argv: list[str], name: str, default: str = "") -> str:
    prefix = f"--{name}="
    return next((a[len(prefix) :] for a in argv if a.startswith(prefix)), default)


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


class Misbehaves(GoodAdapter):
    def __init__(self, argv: list[str]) -> None:
        super().__init__([a for a in argv if not a.startswith(("--mode=", "--hello=", "--mib="))])
        self.mode = option(argv, "mode")
        self.hello_fields = json.loads(option(argv, "hello", "{}"))
        self.mib = int(option(argv, "mib", "1"))
        self.duplicated = False
        if self.mode == "ignores-sigterm":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if self.mode == "slow-hello":
            time.sleep(3)

    def hello(self, request: dict[str, Any]) -> dict[str, Any]:
        return {**super().hello(request), **self.hello_fields}

    def raw(self, data: bytes) -> None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data + b"\n")
        sys.stdout.buffer.flush()

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if not self.triggered(request):
            return super().answer(request)
        request_id, mode = request["id"], self.mode
        if mode == "reads-environ":
            self.read_environ()
            os._exit(3)
        if mode == "deep-answer":
            return {"id": request_id, "ok": True, "wire": nested(900)}
        if mode in ("nan", "infinity"):
            number = b"NaN" if mode == "nan" else b"1e400"
            self.raw(b'{"id": %d, "ok": true, "wire": {"offset": %s}}' % (request_id, number))
            return {"id": -1}  # never sent: the raw line was the answer
        if mode == "invalid-utf8":
            self.raw(b'{"id": %d, "ok": true, "wire": "\xff\xfe"}' % request_id)
            return {"id": -1}
        if mode == "long-line":
            self.raw(b'{"id": %d, "ok": true, "wire": "' % request_id + b"x" * (self.mib << 20))
            return {"id": -1}
        if mode == "ansi-stderr":
            self.log("\x1b[2J\x1b[31mred\x1b]0;owned title\x07\x1b]52;c;cHduZWQ=\x07\x9b31m")
            return {
                "id": request_id,
                "ok": False,
                "error": {"kind": "internal", "message": "\x1b]8;;http://evil.example\x07x"},
            }
        if mode == "stderr-flood":
            chunk = b"flood " * 10922 + b"\n"  # 64 KiB
            for _ in range(self.mib * 16):
                sys.stderr.buffer.write(chunk)
            sys.stderr.flush()
            os._exit(3)
        if mode == "memory-hog":
            hog = bytearray(self.mib << 20)
            hog[::4096] = b"x" * len(hog[::4096])
            return super().answer(request)
        if mode == "closed-stdout":
            sys.stdout.flush()
            os.close(1)
            time.sleep(600)
        if mode == "child-holds-stdout":
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
            self.log(f"orphan pid {child.pid}")
            os._exit(3)
        if mode == "duplicates" and not self.duplicated:  # the first answer, twice
            self.duplicated = True
            answer = super().answer(request)
            self.send(answer)
            return answer
        if mode == "setsid-child":
            child = subprocess.Popen(
                [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
            )
            self.log(f"orphan pid {child.pid}")
            os._exit(3)
        if mode in ("hangs", "ignores-sigterm"):
            time.sleep(600)
        if mode == "injection":
            message = "<script>alert(1)</script> [x](javascript:alert(1)) | --- |"
            return {
                "id": request_id,
                "ok": False,
                "error": {"kind": "internal", "message": message},
            }
        return super().answer(request)

    def send(self, response: dict[str, Any]) -> None:
        if response.get("id") != -1:
            super().send(response)

    def read_environ(self) -> None:
        """Print the environment of its parent and grandparent (the runner is
        one of them: the parent where the program runs under a keeper) to
        stderr, as it is and reversed (redaction by value cannot catch the
        reversed one: only the runner being unreadable keeps it out)."""
        parent = os.getppid()
        for pid in (parent, self.parent_of(parent)):
            path = f"/proc/{pid}/environ"
            try:
                with open(path, "rb") as stream:
                    text = stream.read().decode("utf-8", "replace").replace("\0", "\n")
            except OSError as exc:
                self.log(f"cannot read {path}: {exc}")
                continue
            self.log(f"{path}:\n{text}")
            self.log(f"reversed:\n{text[::-1]}")

    @staticmethod
    def parent_of(pid: int) -> int:
        """The parent of ``pid`` (``/proc/<pid>/stat``, after the name)."""
        with open(f"/proc/{pid}/stat", "rb") as stream:
            stat = stream.read()
        return int(stat[stat.rfind(b")") + 2 :].split()[1])


if __name__ == "__main__":
    Misbehaves(sys.argv[1:]).serve()
