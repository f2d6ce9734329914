"""``leadline serve`` stopped with SIGTERM (systemd, Docker, Kubernetes) shuts down gracefully
and takes its background refresher with it before it exits: no refresher outlives the
server to write into a database that is being removed or migrated by a new release."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.server import start


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_sigterm_stops_the_refresher_before_the_server_exits(tmp_path: Path) -> None:
    server = start(f"sqlite:///{tmp_path / 'serve.db'}")
    try:
        children = _children(server.process.pid)
        assert children, "leadline serve runs its refresher as a child process"
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=60)
        # The moment the server has exited, its refresher is gone (not "within a second").
        assert [pid for pid in children if _alive(pid)] == []
        assert code == 128 + signal.SIGTERM
    finally:
        if server.process.poll() is None:
            server.kill()
