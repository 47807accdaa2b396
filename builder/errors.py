"""The refusals a service raises besides a plain ValidationError (input that is wrong in itself).

All are ValidationErrors naming the field, so that a console form shows them beside it as
before; the management API answers each with its own status and code (builder/api/errors.py),
its `summary` as the message when it has one, and its `details` as further members of the
error (a recipe's problems, the revision a save was too late for).
"""

from django.core.exceptions import ValidationError


class Refusal(ValidationError):
    status = 400
    code = "invalid"

    def __init__(self, message, *, summary: str = "", details: dict | None = None):
        super().__init__(message)
        self.summary, self.details = summary, details or {}


class Conflict(Refusal):
    """The request is well formed, but the current state forbids it: a name already taken,
    a last owner, a key already revoked, a running recipe. Answered 409."""

    status, code = 409, "conflict"


class NoSuchObject(Refusal):
    """The request names an object (a recipe, a collection, a user) that does not exist or
    that the caller may not see. Answered 404, like an unknown id in the URL."""

    status, code = 404, "not_found"
