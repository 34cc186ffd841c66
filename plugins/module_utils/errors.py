"""Typed errors raised deep in module_utils and turned into one ``fail_json`` at the top of a module.

Every error carries the message the user sees. Modules catch ``BlueGreenError`` once in ``main()``
and call ``module.fail_json(msg=str(e), **e.details)``.
"""


class BlueGreenError(Exception):
    """Base of every error this collection raises on purpose."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.details = details


class InvalidInput(BlueGreenError):
    """A parameter has a value the module cannot use. Raised before anything is changed."""

    def __init__(self, field, expected, got=None):
        msg = "{0}: expected {1}".format(field, expected)
        if got is not None:
            msg += ", got {0!r}".format(got)
        super().__init__(msg, field=field)


class NotFound(BlueGreenError):
    """An object the caller named does not exist."""


class VerificationFailed(BlueGreenError):
    """A safety check refused to go on; nothing was changed by the check itself."""


class Conflict(BlueGreenError):
    """Someone else changed an object between our read and our write (compare-and-swap failed)."""


class WaitTimeout(BlueGreenError):
    """A bounded wait ran out of time."""
