"""The refusals a service raises besides a plain ValidationError (input that is wrong in itself).

Both are ValidationErrors naming the field, so that a console form shows them beside it as
before; the management API answers them with their own status (builder/api/errors.py).
"""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request is well formed, but the current state forbids it: a name already taken,
    a last owner, a key already revoked, a running recipe. Answered 409."""


class NoSuchObject(ValidationError):
    """The request names an object (a recipe, a collection, a user) that does not exist or
    that the caller may not see. Answered 404, like an unknown id in the URL."""
