"""A local xMatters: inbound triggers, events, the REST API subset, responses and a web console."""
