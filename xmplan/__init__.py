"""xmplan: communication plans as code for xMatters."""

__version__ = "0.1.0"
