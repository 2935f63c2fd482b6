"""panopticum: a research simulator of a surveillance state.

panopticum models surveillance; it never performs it. Every agent is synthetic, and
technologies such as facial recognition are represented only by coverage and error rates.
"""

from panopticum._version import __version__

__all__ = ["__version__"]
