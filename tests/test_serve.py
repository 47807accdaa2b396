"""builder.serve, the supervisor behind `make run`, with small real processes."""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builder.serve import GRACE_SECONDS, Supervisor, read_procfile

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 50
# A plain process, and one that stops its own child on SIGTERM, as gunicorn and celery do.
CHILDREN = [
    ("sleeper", "sleep 60"),
    ("parent", """sh -c 'sleep 60 & trap "kill $!; exit 0" TERM; echo grandchild $!; wait'"""),
]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        # A zombie still answers kill(0); ask the kernel for its state.
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


def gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def gone(pids: list[int]) -> bool:
    """True once every pid has ended; SIGKILL is delivered asynchronously, so allow a moment."""
    return gone_within(pids, 5)


class RunningSupervisor:
    """`supervise(CHILDREN)` in a session of its own, as a terminal or `make` would start it."""

    def __init__(self, children: list[tuple[str, str]] = CHILDREN):
        code = f"import sys; from builder.serve import supervise; sys.exit(supervise({children!r}))"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.pids = [self.process.pid] + self._children_started(len(children))

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self) -> str:
        line = self.lines.get(timeout=GRACE_SECONDS)
        assert line is not None, "the supervisor exited early:\n" + "".join(self.output)
        self.output.append(line)
        return line

    def _children_started(self, count: int) -> list[int]:
        pids = []
        while len(pids) < count + 1:  # the grandchild too
            line = self.next_line()
            if " started (pid " in line:
                pids.append(int(line.rsplit("pid ", 1)[1].rstrip(")\n")))
            elif "| grandchild " in line:
                pids.append(int(line.split()[-1]))
        return pids

    def log(self) -> str:
        while (line := self.lines.get(timeout=GRACE_SECONDS)) is not None:
            self.output.append(line)
        return "".join(self.output)

    def kill_leftovers(self) -> None:
        for pid in self.pids:
            try:
                os.killpg(pid, signal.SIGKILL)  # each process leads a group of its own
            except (ProcessLookupError, PermissionError):
                pass
        self.process.wait()


@pytest.fixture
def start_supervisor():
    started = []

    def start(children: list[tuple[str, str]] = CHILDREN) -> RunningSupervisor:
        started.append(RunningSupervisor(children))
        return started[-1]

    yield start
    for supervisor in started:
        supervisor.kill_leftovers()


def test_sigterm_to_the_group_stops_everything_every_time(start_supervisor):
    for round_ in range(ROUNDS):
        supervisor = start_supervisor()
        # Twice at once, as `make` delivers it: the kill, and make passing it on to its child. The
        # second one may come only after the supervisor has stopped everything.
        os.killpg(supervisor.process.pid, signal.SIGTERM)
        os.killpg(supervisor.process.pid, signal.SIGTERM)
        assert gone_within(supervisor.pids, GRACE_SECONDS), f"round {round_}:\n{''.join(supervisor.output)}"
        assert supervisor.process.wait() == 0
        assert "all stopped" in supervisor.log()


def test_a_flood_of_signals_is_harmless(start_supervisor):
    # Each signal that arrives while the handler runs nests a handler inside it: the old
    # handler took a lock there and hung a few rounds in ten.
    for round_ in range(20):
        supervisor = start_supervisor()
        flood_ends = time.monotonic() + 0.5
        while time.monotonic() < flood_ends and alive(supervisor.process.pid):
            os.kill(supervisor.process.pid, signal.SIGTERM)
        assert gone_within(supervisor.pids, GRACE_SECONDS), f"round {round_}:\n{''.join(supervisor.output)}"
        # The flood goes on after the stop, into the supervisor's exit: a clean stop is still exit 0.
        assert supervisor.process.wait() == 0, f"round {round_}:\n{supervisor.log()}"
        assert "all stopped" in supervisor.log()


def test_ctrl_c_stops_everything_every_time(start_supervisor):
    for round_ in range(ROUNDS):
        supervisor = start_supervisor()
        # Every other round twice at once: a second press while the first is being handled.
        for _ in range(1 + round_ % 2):
            os.kill(supervisor.process.pid, signal.SIGINT)
        assert gone_within(supervisor.pids, GRACE_SECONDS), f"round {round_}:\n{''.join(supervisor.output)}"
        assert supervisor.process.wait() == 0
        assert "all stopped" in supervisor.log()


def test_a_sigkilled_supervisor_takes_its_processes_with_it(start_supervisor):
    supervisor = start_supervisor()
    supervisor.process.kill()
    assert gone_within(supervisor.pids, GRACE_SECONDS)


def test_a_second_ctrl_c_kills_what_sigterm_did_not_stop(start_supervisor):
    supervisor = start_supervisor([("stubborn", """sh -c 'trap "" TERM; sleep 60 & echo grandchild $!; wait'""")])
    os.kill(supervisor.process.pid, signal.SIGINT)
    while "stopping stubborn" not in supervisor.next_line():
        pass
    assert all(alive(pid) for pid in supervisor.pids[1:])
    os.kill(supervisor.process.pid, signal.SIGINT)
    assert gone_within(supervisor.pids, GRACE_SECONDS)
    assert "Ctrl-C while stopping: killing what is left" in supervisor.log()


@pytest.fixture
def held_port():
    """A port held by another process, as an earlier run's orphan would hold it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, time; s = socket.create_server(('127.0.0.1', 0)); "
            "print(s.getsockname()[1], flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(holder.stdout.readline())
    yield port, holder.pid
    holder.kill()
    holder.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("variable", ["STEPWISE_PORT", "STEPWISE_WS_PORT"])
def test_a_held_port_is_named_with_its_holder_and_nothing_starts(held_port, tmp_path, variable):
    port, pid = held_port
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEPWISE_")}
    env.update(STEPWISE_DATA_DIR=str(tmp_path), STEPWISE_PORT=str(free_port()), STEPWISE_WS_PORT=str(free_port()))
    env[variable] = str(port)
    result = subprocess.run(
        [sys.executable, "-m", "builder.serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=GRACE_SECONDS,
        start_new_session=True,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"port {port} is held by pid {pid} (" in output, output
    assert "earlier `make run`" in output
    assert f"kill {pid}" in output
    assert "started" not in output


def test_the_procfile_lists_the_whole_platform():
    names = [name for name, _ in read_procfile(ROOT / "Procfile")]
    assert names == ["front", "web", "ws", "worker", "beat"]


def test_one_stop_ends_every_process_and_their_children(capsys):
    supervisor = Supervisor(
        [
            # This parent leaves its child behind: the stop kills the child with its group.
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


def test_the_first_process_is_stopped_and_waited_for_before_the_others(tmp_path):
    # The front finishes the requests it holds while gunicorn, stopped after it, still answers them.
    first = f"""sh -c 'trap "sleep 0.3; touch {tmp_path}/first-done; exit 0" TERM; sleep 60 & wait'"""
    later = f"""sh -c 'trap "ls {tmp_path} > {tmp_path}/seen-by-later; exit 0" TERM; sleep 60 & wait'"""
    supervisor = Supervisor([("front", first), ("web", later)])
    supervisor.start()
    threading.Event().wait(0.5)  # both have set their traps
    supervisor.stop()
    assert "first-done" in (tmp_path / "seen-by-later").read_text()


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
