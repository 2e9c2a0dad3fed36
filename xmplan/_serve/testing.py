"""A local xMatters for tests: `with local_xmatters(plan, data=tmp_path) as xm:` serves it on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from .._model import Plan
from .._runtime.api import load_plan
from .app import create_app, emulator_of, runs_of
from .config import ServeConfig
from .core import Emulator
from .directory import INTEGRATION_USER, Directory, sample_directory

PASSWORD = "integration-password"  # the sample Integration User's password in tests


@dataclass(frozen=True)
class LocalXMatters:
    url: str
    app: Flask
    user: str
    password: str

    @property
    def emulator(self) -> Emulator:
        return emulator_of(self.app)

    @property
    def auth(self) -> tuple[str, str]:
        """`(user, password)` of the Integration User, for `requests`' `auth=`."""
        return self.user, self.password

    def trigger_url(self, integration: str, api_key: bool = False) -> str:
        """The inbound URL of the integration named `integration` (with its apiKey if asked)."""
        for plan in self.emulator.plans:
            for i in plan.integrations:
                if i.name == integration and i.type == "INBOUND_WEBHOOK":
                    key = f"?apiKey={self.emulator.api_keys[i.id]}" if api_key else ""
                    return f"{self.url}{i.path}{key}"
        raise KeyError(integration)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every accepted request and the outbound runs it fired have run."""
        return runs_of(self.app).wait_idle(timeout)


def config_for(plans: Sequence[Plan | str | Path], data: Path, *, directory: Directory | None = None,
               password: str = PASSWORD, **options: Any) -> ServeConfig:
    loaded = tuple(p if isinstance(p, Plan) else load_plan(Path(p)) for p in plans)
    return ServeConfig(loaded, directory or sample_directory(password), data=data, **options)


@contextmanager
def local_xmatters(*plans: Plan | str | Path, data: Path, directory: Directory | None = None,
                   password: str = PASSWORD, config: ServeConfig | None = None,
                   **options: Any) -> Iterator[LocalXMatters]:
    """Serve `plans` (source trees, zips or Plans) on 127.0.0.1 at a free port until the block ends.

    Options are ServeConfig fields: `constants={"HipChat Token": "t"}`, `endpoints={"HipChat": url}`,
    `engine="quickjs"`. Without `directory`, the sample one with the Integration User's `password`.
    """
    from .._web import BackgroundServer

    config = config or config_for(plans, data, directory=directory, password=password, **options)
    app = create_app(config)
    server = BackgroundServer(app)
    emulator_of(app).set_url(server.url)
    try:
        with server:
            yield LocalXMatters(server.url, app, INTEGRATION_USER, password)
    finally:
        runs_of(app).stop()
