"""Whether a TCP port is free, and which process holds it if not: `make run` refuses to
start beside an earlier run's processes, and says whom to stop."""

import errno
import os
import socket
from pathlib import Path

LISTEN = "0A"  # the state column of /proc/net/tcp
COMMAND_WIDTH = 100


def port_is_free(host: str, port: int) -> bool:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    try:
        # create_server sets SO_REUSEADDR, as gunicorn and daphne do: a closed server's
        # connections in TIME_WAIT do not count as holding the port.
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return False
        raise
    return True


def port_holder(port: int) -> tuple[int, str] | None:
    """The pid and command of the process listening on port, if this user may see it (Linux).

    Several processes share a listening socket (gunicorn's arbiter and its workers): the
    one named is the eldest, whose parent does not hold it, since stopping it stops the rest."""
    inodes = _listening_inodes(port)
    holders = {pid: _parent(pid) for pid in _pids_with_sockets(inodes)} if inodes else {}
    for pid, parent in sorted(holders.items()):
        if parent not in holders:
            return pid, _command(pid)
    return None


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _pids_with_sockets(inodes: set[str]) -> list[int]:
    wanted = {f"socket:[{inode}]" for inode in inodes}
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in wanted for fd in (entry / "fd").iterdir()):
                pids.append(int(entry.name))
        except OSError:  # another user's process, or one that just ended
            continue
    return pids


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])  # the command may hold spaces and brackets


def _command(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return "unknown command"
    # `python .venv/bin/gunicorn ...` reads better as `gunicorn ...`.
    if len(argv) > 1 and os.path.basename(argv[0]).startswith("python") and not argv[1].startswith("-"):
        argv = argv[1:]
    command = " ".join([os.path.basename(argv[0]), *argv[1:]]) if argv else "unknown command"
    return command if len(command) <= COMMAND_WIDTH else command[: COMMAND_WIDTH - 1] + "…"
