"""`make run`: every process of the platform in the foreground, one Ctrl-C stops them all.

honcho runs the Procfile and prefixes each line with the process name. Its default
grace period (5 s) is shorter than a Celery worker's warm shutdown on the
file-system broker, so we give processes longer before they are killed.
"""

import sys

import honcho.manager
from honcho.command import main

GRACE_SECONDS = 20

if __name__ == "__main__":
    honcho.manager.KILL_WAIT = GRACE_SECONDS
    main(["start", "--procfile", "Procfile", *sys.argv[1:]])
