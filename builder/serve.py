"""`make run`: every process in the Procfile, in the foreground, one Ctrl-C stops them all.

Each line a process prints is prefixed with its name. On Ctrl-C (or SIGTERM) each
process's main pid gets SIGTERM, so that it shuts down its own children in order (a
Celery worker finishes its tasks; gunicorn drains its workers); whatever is left
after GRACE_SECONDS is killed with its whole process group. If one process exits on
its own, the others are stopped too: a platform without its worker is not running.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

GRACE_SECONDS = 20
COLOURS = ["36", "33", "35", "32", "34", "31"]


def read_procfile(path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries.append((name.strip(), command.strip()))
    return entries


class Supervisor:
    def __init__(self, entries: list[tuple[str, str]]):
        self.entries = entries
        self.width = max(len(name) for name, _ in entries + [("system", "")])
        self.colour = sys.stdout.isatty()
        self.lock = threading.Lock()
        self.processes: dict[str, subprocess.Popen] = {}
        self.stop_requested = threading.Event()
        self.stopped = False

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
        for index, (name, command) in enumerate(self.entries):
            if self.stop_requested.is_set():
                return
            process = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop each in order
            )
            self.processes[name] = process
            self.say("system", f"{name} started (pid {process.pid})")
            threading.Thread(target=self._pump, args=(index, name, process), daemon=True).start()

    def request_stop(self, *_signal_args) -> None:
        """The signal handler: only flags the stop, which the main loop then carries out
        (doing the work inside the handler could deadlock on the output lock)."""
        self.stop_requested.set()

    def wait(self) -> int:
        while not self.stop_requested.is_set():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.say("system", f"{name} exited with code {process.returncode}; stopping the others")
                    self.stop()
                    return process.returncode or 1
            self.stop_requested.wait(0.2)
        self.stop()
        return 0

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.stop_requested.set()
        for name, process in self.processes.items():
            if process.poll() is None:
                self.say("system", f"stopping {name}")
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("system", f"{name} did not stop within {GRACE_SECONDS}s; killing it")
            self._kill_group(process)
        self.say("system", "all stopped")

    @staticmethod
    def _kill_group(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def main() -> int:
    supervisor = Supervisor(read_procfile(Path(__file__).resolve().parent.parent / "Procfile"))
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    supervisor.start()
    return supervisor.wait()


if __name__ == "__main__":
    sys.exit(main())
