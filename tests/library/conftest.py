import copy
import json
from pathlib import Path

import pytest

GOLDEN = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())
SENT = {"endpoint": "/rest/v1/events/evt-1/messages/send", "status": 200, "response": {"id": "msg-1"}}


def greet_document(**changes) -> dict:
    """A template file of DESIGN.md's example: a query endpoint that messages the new hire."""
    document = {
        "format": "stepwise.template/1",
        "slug": "greet-a-new-hire",
        "title": "Greet a new hire",
        "summary": "Answers a greeting and welcomes the new hire in chat.",
        "description": "Welcomes **new hires**.\n\n<script>alert(1)</script>",
        "category": "HR",
        "tags": ["Onboarding", "chat"],
        "author": "Stepwise",
        "setup_notes": {"chat": "A Moveworks connection with an API key."},
        "recipe": copy.deepcopy(GOLDEN["definition"]),
        "self_test": {
            "cases": [
                {
                    "name": "Ada joins",
                    "trigger": {"body": {"name": "Ada", "email": "ada@example.com"}},
                    "pins": {"tell": dict(SENT)},
                    "expect": {
                        "response": {"status": 200, "body": {"greeting": "Hello Ada"}},
                        "calls": {"tell": [{"recipients": ["ada@example.com"], "message": "Welcome, Ada!"}]},
                    },
                }
            ]
        },
    }
    document.update(changes)
    return document


@pytest.fixture
def greet():
    return greet_document()
