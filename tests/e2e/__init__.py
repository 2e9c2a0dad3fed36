"""Browser tests: the whole flow in headless Chromium."""
