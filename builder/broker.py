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
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"  # not `<queue>.msg`: consumers pass it by
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        while True:  # each failed read has taken its file away, so this ends (in Empty at last)
            try:
                return super()._get(queue)
            except ValueError:
                logger.warning("a message file of queue %s did not parse; it was set aside", queue)


class Transport(filesystem.Transport):
    Channel = Channel


def use_atomic_filesystem_transport() -> None:
    """`filesystem://` URLs take this transport in every process that imports the Celery app."""
    TRANSPORT_ALIASES["filesystem"] = "builder.broker:Transport"
