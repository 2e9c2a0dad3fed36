"""Reproducible runs: the script's clock (`--clock`) and the run's ids and random numbers (`--seed`)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

_MATH_RANDOM_STATES = 2**31 - 2  # the prelude's Math.random (Park-Miller) has states 1 .. 2**31 - 2


def parse_clock(value: str | datetime) -> int:
    """An instant (ISO 8601 text with `Z` or an offset, or an aware datetime) as milliseconds since the epoch.

    A time without a zone is refused: the same text would be a different instant on another machine.
    """
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected an ISO 8601 time such as 2026-01-05T09:00:00Z, got {value!r}") from None
    else:
        moment = value
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{str(value)!r} has no time zone: add Z (UTC) or an offset such as +01:00")
    return round(moment.timestamp() * 1000)


def time_text(clock: int | None) -> str:
    """A time as xMatters writes it in its answers (`2026-01-05T09:00:00.000Z`): the run's clock
    when it has one (ms since the epoch), else now."""
    if clock is None:
        moment = datetime.now(UTC)
    else:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=clock)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class RunIds:
    """The ids one run makes: random, or with a seed the same in every run.

    Each kind of id (`"request"`, `"event"`, ...) has its own sequence, so a run that makes one
    more event than another still has the same request id. Seeds are text to `random.Random`,
    which hashes them with SHA-512: the same in every process, whatever PYTHONHASHSEED is.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._sequences: dict[str, random.Random] = {}

    def uuid(self, kind: str) -> str:
        """A version 4 UUID, as xMatters makes them."""
        if self.seed is None:
            return str(uuid.uuid4())
        sequence = self._sequences.setdefault(kind, random.Random(f"{self.seed}:{kind}"))
        return str(uuid.UUID(int=sequence.getrandbits(128), version=4))

    def math_random_seed(self) -> int | None:
        """The starting state of the script's `Math.random` (None: the engine's own)."""
        if self.seed is None:
            return None
        return 1 + random.Random(f"{self.seed}:Math.random").randrange(_MATH_RANDOM_STATES)
