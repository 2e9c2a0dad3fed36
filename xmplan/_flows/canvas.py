"""A Flow Designer canvas as a graph: blocks, edges by port, and the block a trigger starts from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .._model import Json, Plan, objects

DEFAULT_PORTS = ("output", "defaultTargetPort")  # a SWITCH's default path leaves from either


@dataclass(frozen=True)
class Edge:
    from_block: str
    from_port: str
    to_block: str
    to_port: str


@dataclass(frozen=True)
class Canvas:
    entry: str  # the canvas file in the export, e.g. canvases/IncidentAlerts.json
    name: str
    form: str | None
    blocks: Mapping[str, Json]  # block id -> block, in file order
    edges: tuple[Edge, ...]

    def label(self, block_id: str) -> str:
        return str(self.blocks.get(block_id, {}).get("label") or block_id)

    def leaving(self, block_id: str, ports: Iterable[str]) -> list[Edge]:
        wanted = set(ports)
        return [e for e in self.edges if e.from_block == block_id and e.from_port in wanted]

    def entering(self, block_id: str) -> list[Edge]:
        return [e for e in self.edges if e.to_block == block_id]

    def reachable(self, starts: Iterable[str]) -> set[str]:
        """Blocks some path of edges leads to from `starts` (not counting a start itself)."""
        return self._walk(starts, forward=True)

    def upstream(self, block_id: str) -> set[str]:
        """Blocks from which some path of edges leads to `block_id`."""
        return self._walk([block_id], forward=False)

    def _walk(self, starts: Iterable[str], forward: bool) -> set[str]:
        """Blocks reached from `starts` along the edges (`forward`) or against them."""
        seen: set[str] = set()
        pending = list(starts)
        while pending:
            block = pending.pop()
            for edge in self.edges:
                near, far = (edge.from_block, edge.to_block) if forward else (edge.to_block, edge.from_block)
                if near == block and far not in seen:
                    seen.add(far)
                    pending.append(far)
        return seen

def canvas_of(entry: str, data: Json) -> Canvas:
    blocks = {str(b["id"]): b for _, b in objects(data.get("blocks")) if "id" in b}
    edges = tuple(Edge(str(e.get("fromBlock")), str(e.get("fromPort") or "output"), str(e.get("toBlock")),
                       str(e.get("toPort") or "input")) for _, e in objects(data.get("edges")))
    return Canvas(entry, str(data.get("name", "")), data.get("form"), blocks, edges)


def canvases(plan: Plan) -> list[Canvas]:
    return [canvas_of(entry, data) for entry, data in plan.canvases() if isinstance(data, dict)]


def trigger_block(plan: Plan, integration_id: str) -> tuple[Canvas, str] | None:
    """The canvas and INTEGRATION block an integration triggers; the one with edges when several show it."""
    found = [(c, block_id) for c in canvases(plan) for block_id, b in c.blocks.items()
             if b.get("stepType") == "INTEGRATION" and b.get("step") == integration_id]
    found.sort(key=lambda pair: not pair[0].leaving(pair[1], ["output"]))
    return found[0] if found else None
