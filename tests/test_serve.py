"""builder.serve, the supervisor behind `make run`, with small real processes."""

import os
import threading
from pathlib import Path

import pytest

from builder.serve import Supervisor, read_procfile


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); ask the kernel for its state.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def gone(pids: list[int]) -> bool:
    """True once every pid has ended; SIGKILL is delivered asynchronously, so allow a moment."""
    for _ in range(50):
        if not any(alive(pid) for pid in pids):
            return True
        threading.Event().wait(0.1)
    return False


def test_the_procfile_lists_the_whole_platform():
    names = [name for name, _ in read_procfile(Path(__file__).resolve().parent.parent / "Procfile")]
    assert names == ["front", "web", "ws", "worker", "beat"]


def test_one_stop_ends_every_process_and_their_children(capsys):
    supervisor = Supervisor(
        [
            ("parent", "sh -c 'sleep 60 & echo child $!; wait'"),
            ("plain", "sh -c 'echo hello from plain; sleep 60'"),
        ]
    )
    supervisor.start()
    threading.Event().wait(1.0)
    output = capsys.readouterr().out
    child = int(next(line for line in output.splitlines() if "child" in line).split()[-1])
    pids = [p.pid for p in supervisor.processes.values()] + [child]
    assert all(alive(pid) for pid in pids)
    assert "plain  | hello from plain" in output

    supervisor.stop()
    assert gone(pids)
    assert "all stopped" in capsys.readouterr().out


def test_when_one_process_dies_the_others_are_stopped():
    supervisor = Supervisor([("short", "sh -c 'exit 3'"), ("long", "sleep 60")])
    supervisor.start()
    assert supervisor.wait() == 3
    assert supervisor.processes["long"].returncode is not None


@pytest.mark.parametrize("line", ["", "# a comment"])
def test_blank_and_comment_lines_are_ignored(tmp_path, line):
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"{line}\nweb: gunicorn app\n")
    assert read_procfile(procfile) == [("web", "gunicorn app")]
