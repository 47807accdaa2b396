"""The buffering front of `make run`: one process, with an event loop of its own, that
owns the public HTTP port.

gunicorn's sync workers read a request from the client's socket themselves, with no
deadline, so a handful of clients that send their headers and then hold back the body
would occupy every worker until gunicorn's worker timeout. The front reads each request
whole (the head within STEPWISE_FRONT_HEADER_TIMEOUT, the body within
STEPWISE_FRONT_BODY_TIMEOUT plus a second per 64 KB arrived, up to
STEPWISE_FRONT_MAX_BODY_BYTES) and only then hands it to gunicorn on a unix socket in the data folder, so a slow client
costs the front a few kilobytes and a timer, never a worker. It relays the answer as it
comes, keeps client connections alive, and names the client to gunicorn with the PROXY
protocol, so that REMOTE_ADDR is still the real peer.

Behind a proxy that buffers requests itself (nginx, the scaled setup in docs/deploy.md),
STEPWISE_FRONT=false lets gunicorn listen on the public port directly.
"""
