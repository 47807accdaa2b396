"""The embedded default's broker: kombu's file-system transport, with each message written
whole before a consumer can see it.

kombu creates a message file under its final name and then writes it; a worker listing the
folder in between takes the file while it is still empty, fails to parse it and dies, and
with it the whole of `make run` (seen in the test suite under load). Here a message is
written under a name no consumer reads (`.part`) and renamed into place, which is atomic on
one file system; and a file that still does not parse is set aside with a warning instead of
stopping the worker.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import deque
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # In nanoseconds and zero-padded, so that names sort in the order they were written
        # (kombu's milliseconds left messages of the same millisecond in random order).
        name = f"{time.time_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"  # not `<queue>.msg`: consumers pass it by
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        """The oldest message of `queue`. kombu's own lists and sorts the whole folder for each
        message, which with 2,000 waiting was most of a worker's CPU, and moves each file to the
        temp folder, on another file system perhaps. Here the folder is listed again only when
        the names listed last have all been taken, and a file is taken by renaming it into the
        processed folder (the same file system): another consumer that took it first leaves
        nothing to rename, and its name is passed by."""
        waiting = self.__dict__.setdefault("_waiting", {}).setdefault(queue, deque())
        wanted = f"{queue}.msg"
        while True:
            if not waiting:
                names = (name for name in os.listdir(self.data_folder_in) if name.partition(".")[2] == wanted)
                waiting.extend(sorted(names))
                if not waiting:
                    raise Empty()
            name = waiting.popleft()
            taken = os.path.join(self.processed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), taken)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise ChannelError(f"Cannot take file {name!r} from the queue's folder.") from exc
            try:
                with open(taken, "rb") as file:
                    payload = file.read()
                if not self.store_processed:
                    os.remove(taken)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {taken!r} taken from the queue.") from exc
            try:
                return loads(bytes_to_str(payload))
            except ValueError:  # each failed read has taken its file away, so this ends
                logger.warning("a message file of queue %s did not parse; it was passed over", queue)


class Transport(filesystem.Transport):
    Channel = Channel


def use_atomic_filesystem_transport() -> None:
    """`filesystem://` URLs take this transport in every process that imports the Celery app."""
    TRANSPORT_ALIASES["filesystem"] = "builder.broker:Transport"
