"""The emulator's routes, one module per family: inbound triggers, the REST API, the control API, the console."""
