"""`make run`: every process in the Procfile, in the foreground, one Ctrl-C stops them all.

Each line a process prints is prefixed with its name. On Ctrl-C (or SIGTERM) the first
process of the Procfile, the front, which owns the public port, gets SIGTERM first and
up to FIRST_GRACE_SECONDS to finish the requests it has read (gunicorn still answers
them meanwhile); then each other process's main pid gets SIGTERM, so that it shuts down
its own children in order (a Celery worker finishes its tasks; gunicorn drains its
workers); whatever is left after GRACE_SECONDS is killed with its whole process group.
A second Ctrl-C during either wait kills them at once; more SIGTERMs change nothing (`make` passes one on to
us, so a SIGTERM to make's process group arrives twice, the second perhaps only after
everything has stopped: it changes nothing then either). If one process exits on its
own, the others are stopped too: a platform without its worker is not running.

Each process runs in a session of its own, so that a terminal's Ctrl-C reaches only
this supervisor, which stops them in order. On Linux each also gets SIGTERM when the
supervisor dies, even by SIGKILL (PR_SET_PDEATHSIG), and stops its children as above.
SIGTERM rather than SIGKILL: a killed gunicorn arbiter leaves its workers serving the
port until their next check of their parent (15 s). A process that left children
behind on SIGTERM would leave them then too, and the next `make run` would find its
ports held: it names the holder instead of starting.
"""

import ctypes
import functools
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from builder.ports import port_holder, port_is_free

GRACE_SECONDS = 20
FIRST_GRACE_SECONDS = 12  # the front gives requests in flight 10 s (builder/front/server.py)
POLL_SECONDS = 0.2  # a backstop: SIGCHLD wakes the main loop as soon as a process exits
COLOURS = ["36", "33", "35", "32", "34", "31"]
PR_SET_PDEATHSIG = 1
LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def read_procfile(path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries.append((name.strip(), command.strip()))
    return entries


def _die_with(parent: int) -> None:
    """In the child, between fork and exec: SIGTERM when the parent dies.

    The kernel sends it when the parent's *thread* that forked ends, so fork from the main thread."""
    if LIBC is not None:
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl could take effect
        os._exit(1)


def _on_signal(signum, frame) -> None:
    """Nothing to do: Python's C-level handler has already written the signal's number to the
    wakeup pipe, which the main loop reads. A handler must not take a lock: a second signal
    runs a handler inside the first (threading.Event.set here once hung `make run` so)."""


class Supervisor:
    def __init__(self, entries: list[tuple[str, str]]):
        self.entries = entries
        self.width = max(len(name) for name, _ in entries + [("system", "")])
        self.colour = sys.stdout.isatty()
        self.lock = threading.Lock()
        self.processes: dict[str, subprocess.Popen] = {}
        self.wakeup, self._wakeup_write = os.pipe()
        os.set_blocking(self.wakeup, False)
        os.set_blocking(self._wakeup_write, False)

    def listen_for_signals(self) -> None:
        """SIGINT, SIGTERM and SIGCHLD arrive as bytes on the wakeup pipe (main thread only)."""
        signal.set_wakeup_fd(self._wakeup_write, warn_on_full_buffer=False)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, _on_signal)

    def say(self, name: str, text: str, index: int | None = None) -> None:
        label = f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} |"
        if self.colour and index is not None:
            label = f"\033[{COLOURS[index % len(COLOURS)]}m{label}\033[0m"
        with self.lock:
            sys.stdout.write(f"{label} {text}\n")
            sys.stdout.flush()

    def _pump(self, index: int, name: str, process: subprocess.Popen) -> None:
        for raw in process.stdout:
            self.say(name, raw.decode(errors="replace").rstrip("\n"), index)

    def start(self) -> None:
        """Starts every process; call it from the main thread (see _die_with)."""
        for index, (name, command) in enumerate(self.entries):
            process = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop each in order
                # Code between fork and exec must take no lock another thread may hold: this calls
                # only prctl and getppid.
                preexec_fn=functools.partial(_die_with, os.getpid()),
            )
            self.processes[name] = process
            self.say("system", f"{name} started (pid {process.pid})")
            threading.Thread(target=self._pump, args=(index, name, process), daemon=True).start()

    def _next_signal(self, timeout: float) -> int | None:
        """The next signal received, or None after timeout."""
        select.select([self.wakeup], [], [], timeout)
        try:
            return os.read(self.wakeup, 1)[0]
        except BlockingIOError:
            return None

    def _running(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is None]

    def wait(self) -> int:
        """Until Ctrl-C, SIGTERM or a process's exit; then stops everything and returns the exit code."""
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.say("system", f"{name} exited with code {process.returncode}; stopping the others")
                    self.stop()
                    return process.returncode or 1
            if self._next_signal(POLL_SECONDS) in (signal.SIGINT, signal.SIGTERM):
                self.stop()
                return 0

    def stop(self) -> None:
        first = self.entries[0][0]
        running = self._running()
        interrupted = False
        if first in running and len(running) > 1:  # the front first: its requests still reach gunicorn
            interrupted = self._stop_and_wait([first], FIRST_GRACE_SECONDS)
            self._kill_group(self.processes[first])
        if not interrupted:
            self._stop_and_wait(self._running(), GRACE_SECONDS)
        for process in self.processes.values():
            self._kill_group(process)
        self.say("system", "all stopped")

    def _stop_and_wait(self, names: list[str], seconds: float) -> bool:
        """SIGTERM to each, then waits as _wait_for_exits does; True if a Ctrl-C came meanwhile."""
        for name in names:
            self.say("system", f"stopping {name}")
            self.processes[name].send_signal(signal.SIGTERM)
        return self._wait_for_exits(names, seconds)

    def _wait_for_exits(self, names: list[str], seconds: float) -> bool:
        """Until those processes have exited, seconds have passed, or a Ctrl-C comes meanwhile
        (then True)."""
        deadline = time.monotonic() + seconds
        while running := [name for name in self._running() if name in names]:
            left = deadline - time.monotonic()
            if left <= 0:
                for name in running:
                    self.say("system", f"{name} did not stop within {seconds:g}s; killing it")
                return False
            if self._next_signal(min(POLL_SECONDS, left)) == signal.SIGINT:
                self.say("system", "Ctrl-C while stopping: killing what is left")
                return True
        return False

    @staticmethod
    def _kill_group(process: subprocess.Popen) -> None:
        """SIGKILL to the process's group: the process if it is still running, and whatever it left."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def supervise(entries: list[tuple[str, str]]) -> int:
    supervisor = Supervisor(entries)
    supervisor.listen_for_signals()
    supervisor.start()
    code = supervisor.wait()
    # Everything is stopped: a late SIGINT or SIGTERM (make's copy of one, say) has nothing left
    # to do. Ignore them, since at exit Python resets every signal it handles to the default
    # action, and a SIGTERM then would kill a supervisor that stopped cleanly (exit -15, not 0).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    return code


def held_port_message(*, host: str, port: int, variable: str) -> str | None:
    """None if port is free; else a sentence naming the holder and how to stop it."""
    if port_is_free(host, port):
        return None
    holder = port_holder(port)
    if holder is None:
        return f"port {port} is in use by a process this user cannot see; free it or set {variable}"
    pid, command = holder
    return (
        f"port {port} is held by pid {pid} ({command}), perhaps an earlier `make run`; "
        f"stop it with kill {pid} (or set {variable} to another port)"
    )


def main() -> int:
    entries = read_procfile(Path(__file__).resolve().parent.parent / "Procfile")
    host = os.environ.get("STEPWISE_HOST", "127.0.0.1")
    # The defaults of gunicorn_conf.py and the Procfile's ws line.
    ports = {"STEPWISE_PORT": "8000", "STEPWISE_WS_PORT": "8001"}
    held = [
        message
        for variable, default in ports.items()
        if (message := held_port_message(host=host, port=int(os.environ.get(variable, default)), variable=variable))
    ]
    if held:
        print("\n".join(f"make run: {message}" for message in held), file=sys.stderr)
        return 1
    return supervise(entries)


if __name__ == "__main__":
    sys.exit(main())
