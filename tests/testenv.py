"""Loaded with `-p tests.testenv` before pytest-django reads the settings.

Unit tests run in the "test" environment with a data folder of their own, so that
they never touch var/ of a developer's `make run`.
"""

import os
import tempfile

os.environ["STEPWISE_ENV"] = "test"
if "STEPWISE_TEST_DATA_DIR" not in os.environ:
    os.environ["STEPWISE_TEST_DATA_DIR"] = tempfile.mkdtemp(prefix="stepwise-test-")
os.environ["STEPWISE_DATA_DIR"] = os.environ["STEPWISE_TEST_DATA_DIR"]
# In-process tests see each gateway call written before its answer.
os.environ.setdefault("STEPWISE_GATEWAY_WRITE_BEHIND", "false")
