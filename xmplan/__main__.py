"""`python -m xmplan`."""

from ._cli import entrypoint

entrypoint()
