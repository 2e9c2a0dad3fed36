"""Flow Designer, locally: run a plan's custom steps and its canvases (flows) block by block."""
