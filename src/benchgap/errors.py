"""The one exception type users see: a one-line message naming what, where and how to fix it."""


class InputError(ValueError):
    """Bad user input (file, column, row or config key). The CLI prints ``str(err)`` and exits with code 2."""
