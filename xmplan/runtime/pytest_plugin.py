"""pytest fixtures for testing plan scripts (registered as the `xmplan` plugin)."""
