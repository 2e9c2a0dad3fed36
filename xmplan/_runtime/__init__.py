"""Run Integration Builder scripts locally."""
