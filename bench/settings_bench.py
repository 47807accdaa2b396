"""The app's settings plus two bare views to measure the servers against."""

from builder.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bare"
