"""Run `linli run` as a real process for tests that need the whole thing (browser, restarts)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

CODE = re.compile(r"^\s+(\S+号楼\S*)\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$")
INVITE = re.compile(r"^\s+\[(\S+)\]\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$")
LOGIN = re.compile(r"^\s+<(\S+)>\s+(\S+)\s+(\S+)\s*$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One `linli run` process; restartable on the same database."""

    def __init__(self, db_url: str, workdir: Path, **env: str) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.port = free_port()
        self.extra_env = env
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []
        self.codes: dict[str, str] = {}
        self.invites: dict[str, str] = {}
        self.logins: dict[str, tuple[str, str]] = {}  # console: role label -> (login, password)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        self.output, self.codes, self.invites = [], {}, {}
        env = {**os.environ, "LINLI_DATABASE_URL": self.db_url, "LINLI_DATA_DIR": str(self.workdir / "data"),
               "LINLI_PORT": str(self.port), "LINLI_HOST": "127.0.0.1", **self.extra_env}
        env.pop("LINLI_SECRET_KEY", None)  # the generated, persisted secret is part of what is tested
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=self.workdir, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("linli run exited:\n" + "".join(self.output))
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("linli run did not come up:\n" + "".join(self.output))

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.output.append(line)
            m = CODE.match(line)
            if m:
                self.codes[m.group(1)] = m.group(2)
            m = INVITE.match(line)
            if m:
                self.invites[m.group(1)] = m.group(2)
            m = LOGIN.match(line)
            if m:
                self.logins[m.group(1)] = (m.group(2), m.group(3))

    def kill(self) -> None:
        """An abrupt stop, as a crash or a power cut would do it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
