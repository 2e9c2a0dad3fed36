"""What a flow run did: one entry per block run, the path taken, and the events it created."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from .._model import Json
from .._runtime.outcome import ConsoleLine, Event, HttpCall, Outcome, Rejected, Step, _masked, mask_json


@dataclass(frozen=True)
class BlockRun:
    """One block run: what went in, what came out, and what its script did."""

    block: str  # the block's label
    block_id: str
    kind: str  # stepType
    step: str  # the step's name (or the built-in step's id, the form's name)
    inputs: Mapping[str, Json]
    outputs: Mapping[str, Json]
    steps: tuple[Step, ...] = ()  # console lines, HTTP calls, events, in order
    error: str | None = None
    port: str | None = None  # a SWITCH's case taken ("default" for the default path)
    notes: tuple[str, ...] = ()

    @property
    def console(self) -> tuple[ConsoleLine, ...]:
        return tuple(s for s in self.steps if isinstance(s, ConsoleLine))

    @property
    def http(self) -> tuple[HttpCall, ...]:
        return tuple(s for s in self.steps if isinstance(s, HttpCall))

    def to_json(self) -> dict[str, Json]:
        shown: dict[str, Json] = {
            "block": self.block, "kind": self.kind, "step": self.step, "inputs": dict(self.inputs),
            "outputs": dict(self.outputs), "console": [asdict(c) for c in self.console],
            "http": [_masked(asdict(h)) for h in self.http], "error": self.error}
        if self.port is not None:
            shown["port"] = self.port
        events = [asdict(s) for s in self.steps if isinstance(s, Event)]
        rejected = [asdict(s) for s in self.steps if isinstance(s, Rejected)]
        if events:
            shown["events"] = events
        if rejected:
            shown["rejected"] = rejected
        if self.notes:
            shown["notes"] = list(self.notes)
        return shown


@dataclass(frozen=True)
class FlowOutcome(Outcome):
    """An Outcome (events, http, console, error over the whole run) plus the run block by block."""

    canvas: str = ""
    flow: tuple[BlockRun, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    stopped: str | None = None  # why the run ended before the canvas did (a built-in step without a fake)

    @property
    def path(self) -> list[str]:
        """The labels of the blocks run, in order."""
        return [run.block for run in self.flow]

    def block(self, label: str) -> BlockRun:
        """The (last) run of the block with this label."""
        for run in reversed(self.flow):
            if run.block == label:
                return run
        raise KeyError(f"no block labelled {label!r} ran (path: {', '.join(self.path)})")

    @property
    def ok(self) -> bool:
        return self.error is None and self.stopped is None

    def to_json(self) -> dict[str, Json]:
        shown = super().to_json()
        # Block inputs and outputs carry what mappings read, `${constants.API Key}` included.
        flow = mask_json({"path": self.path, "flow": [run.to_json() for run in self.flow], "notes": list(self.notes),
                          "stopped": self.stopped}, self.masker)
        shown.update(canvas=self.canvas, **flow)
        return shown
