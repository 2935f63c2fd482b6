"""The one exception type that the command line turns into a single clear line."""


class PanopticumError(Exception):
    """A problem the user can fix: bad input, a missing or damaged file, an unknown name.

    The CLI prints ``error: <message>`` on one line and exits with status 2; the Python
    API lets it propagate.
    """
