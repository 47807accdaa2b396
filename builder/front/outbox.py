"""What the front has still to send one client: in memory up to a budget, then in an
unlinked file in the data folder. gunicorn's answer is read as fast as gunicorn writes
it, whatever the client's pace, so that its worker is free at once; a client that reads
slowly costs the front disk, not a worker."""

from __future__ import annotations

import tempfile
from pathlib import Path

MEMORY_BYTES = 1024 * 1024  # held in memory for one client before the rest goes to a file
READ_BACK = 256 * 1024  # read back from the file at once


class Outbox:
    def __init__(self, folder: Path):
        self.folder = folder
        self.memory = bytearray()
        self.file = None  # holds what follows `memory`, from `read_at` to its end
        self.read_at = self.on_file = 0

    def __len__(self) -> int:
        return len(self.memory) + self.on_file

    def append(self, data: bytes) -> None:
        if self.file is None and len(self.memory) + len(data) <= MEMORY_BYTES:
            self.memory += data
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile(dir=self.folder)
        self.file.seek(0, 2)
        self.file.write(data)
        self.on_file += len(data)

    def head(self) -> bytearray:
        """The next bytes to send (empty when there are none)."""
        if not self.memory and self.on_file:
            self.file.seek(self.read_at)
            self.memory += self.file.read(READ_BACK)
            taken = len(self.memory)
            self.read_at += taken
            self.on_file -= taken
            if not self.on_file:
                self._drop_file()
        return self.memory

    def sent(self, count: int) -> None:
        del self.memory[:count]

    def close(self) -> None:
        self.memory.clear()
        self.on_file = 0
        self._drop_file()

    def _drop_file(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file, self.read_at = None, 0
