"""`make run` (scripts/run.sh): a worker that exits is started again; the web server keeps running."""

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _fake_bin(folder: Path) -> Path:
    """Stand-ins for celery (exits after half a second) and python (a web server that keeps running)."""
    log = folder / "log"
    (folder / "celery").write_text(f'#!/bin/sh\necho "worker $$" >> {log}\nsleep 0.5\nexit 1\n')
    (folder / "python").write_text(f'#!/bin/sh\necho "web $$" >> {log}\nexec sleep 60\n')
    for name in ("celery", "python"):
        (folder / name).chmod(0o755)
    return log


def test_a_dead_worker_is_restarted_and_ctrl_c_stops_everything(tmp_path):
    log = _fake_bin(tmp_path)
    process = subprocess.Popen(
        ["sh", "scripts/run.sh"],
        cwd=ROOT,
        env={**os.environ, "BIN": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # As in a terminal, where Ctrl-C reaches the script.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        time.sleep(4.5)  # the worker dies after 0.5 s, then is restarted after 1 s and again after 2 s
        lines = log.read_text().splitlines()
        assert sum(line.startswith("worker") for line in lines) >= 2
        assert sum(line.startswith("web") for line in lines) == 1  # never restarted, still running
        assert process.poll() is None
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "The Celery worker exited (status 1); starting it again in 1s." in output
    assert "Stopping Rumbo" in output
    time.sleep(0.2)
    for line in log.read_text().splitlines():  # the web server and every worker are gone
        pid = int(line.split()[1])
        assert not _alive(pid), line


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is a process that has ended
        return stat.read().split(") ")[1][0] != "Z"
