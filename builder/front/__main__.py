"""`python -m builder.front`: the buffering front of `make run` (see builder/front/__init__.py)."""

import logging
import resource
import signal
import sys

from builder.envconfig import Env
from builder.front.config import front_config
from builder.front.server import Front


def raise_open_file_limit() -> None:
    # Each client holds a socket, and each request in flight one more to gunicorn: slow
    # clients by the thousand should cost the front sockets, not refusals.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main() -> int:
    env = Env()
    raise_open_file_limit()  # first: the connection cap's default follows the limit
    config = front_config(env)
    level = env.choice("LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], "INFO")
    logging.basicConfig(stream=sys.stdout, level=level, format="%(message)s")
    if not config.enabled:
        # The supervisor runs every Procfile line and stops all when one ends: stay, idle.
        print(f"STEPWISE_FRONT=false: gunicorn serves port {config.port} itself; the front does nothing", flush=True)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
        return 0
    Front(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
