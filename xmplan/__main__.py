"""`python -m xmplan`."""

from .cli import entrypoint

entrypoint()
