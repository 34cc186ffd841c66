"""The one error type the sandbox CLI turns into a clear message and a non-zero exit."""


class SandboxError(Exception):
    """Something the user can act on; the message says what and how."""
