"""The add-on's storage: installations and their xMatters settings, in any SQLAlchemy database (Core only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)

from .crypto import Vault

metadata = MetaData()

installations = Table(
    "hipchat_installations", metadata,
    Column("oauth_id", String(255), primary_key=True),
    Column("oauth_secret", Text, nullable=False),  # Fernet token: the secret is never stored in clear
    Column("group_id", Integer),
    Column("group_name", String(255)),
    Column("room_id", Integer),  # None for a global (group-wide) installation
    Column("capabilities_url", Text, nullable=False),
    Column("capabilities", Text, nullable=False),  # HipChat's capabilities document, as JSON text
    Column("token_url", Text, nullable=False),
    Column("api_url", Text, nullable=False),
    Column("hipchat_url", Text, nullable=False),
    Column("web_url", Text, nullable=False),
    Column("installed_at", Float, nullable=False),
)

settings = Table(
    "hipchat_xmatters_settings", metadata,
    Column("oauth_id", String(255), ForeignKey("hipchat_installations.oauth_id", ondelete="CASCADE"),
           primary_key=True),
    Column("xmatters_url", Text, nullable=False),
    Column("username", String(255), nullable=False),
    Column("password", Text, nullable=False),  # Fernet token
    Column("verified", Boolean, nullable=False, default=False),
    Column("invite_url", Text),
    Column("updated_at", Float, nullable=False),
)


@dataclass(frozen=True)
class Installation:
    """One HipChat installation of the add-on (a group, or one room of it): its own OAuth client."""

    oauth_id: str
    oauth_secret: str
    group_id: int | None
    group_name: str | None
    room_id: int | None
    capabilities_url: str
    capabilities: dict[str, Any]
    token_url: str
    api_url: str
    hipchat_url: str  # what the plan's "HipChat URL" constant holds (the API's host)
    web_url: str  # where people open HipChat (rooms, all.js)
    installed_at: float


@dataclass(frozen=True)
class Settings:
    """What the configuration page stored for an installation; the password is decrypted only on demand."""

    oauth_id: str
    xmatters_url: str
    username: str
    verified: bool
    invite_url: str | None
    updated_at: float

    @property
    def configured(self) -> bool:
        return self.verified and bool(self.invite_url)


class Store:
    """Every read and write of the add-on's data; no SQL anywhere else."""

    def __init__(self, engine: Engine, vault: Vault) -> None:
        self.engine = engine
        self.vault = vault
        metadata.create_all(engine)

    @classmethod
    def open(cls, url: str, vault: Vault) -> Store:
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            # SQLite enforces ON DELETE CASCADE only with foreign keys switched on, per connection.
            event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA foreign_keys=ON"))
        return cls(engine, vault)

    def close(self) -> None:
        self.engine.dispose()

    # installations
    def get_installation(self, oauth_id: str) -> Installation | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(installations).where(installations.c.oauth_id == oauth_id)).mappings().first()
        if row is None:
            return None
        data = dict(row)
        data["oauth_secret"] = self.vault.decrypt(data["oauth_secret"])
        data["capabilities"] = json.loads(data["capabilities"])
        return Installation(**data)

    def put_installation(self, inst: Installation) -> None:
        """Insert or replace an installation (a re-install with the same secret updates it)."""
        values = {**inst.__dict__, "oauth_secret": self.vault.encrypt(inst.oauth_secret),
                  "capabilities": json.dumps(inst.capabilities, sort_keys=True)}
        with self.engine.begin() as conn:
            exists = conn.execute(select(installations.c.oauth_id)
                                  .where(installations.c.oauth_id == inst.oauth_id)).first()
            if exists:
                conn.execute(update(installations).where(installations.c.oauth_id == inst.oauth_id).values(values))
            else:
                conn.execute(insert(installations).values(values))

    def delete_installation(self, oauth_id: str) -> bool:
        """Remove the installation and everything stored for it; False when there was none."""
        with self.engine.begin() as conn:
            conn.execute(delete(settings).where(settings.c.oauth_id == oauth_id))
            gone = conn.execute(delete(installations).where(installations.c.oauth_id == oauth_id))
        return bool(gone.rowcount)

    def installation_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(installations.c.oauth_id).order_by(installations.c.oauth_id))]

    # settings
    def get_settings(self, oauth_id: str) -> Settings | None:
        columns = [c for c in settings.c if c.name != "password"]
        with self.engine.connect() as conn:
            row = conn.execute(select(*columns).where(settings.c.oauth_id == oauth_id)).mappings().first()
        return Settings(**dict(row)) if row else None

    def password(self, oauth_id: str) -> str | None:
        with self.engine.connect() as conn:
            token = conn.execute(select(settings.c.password).where(settings.c.oauth_id == oauth_id)).scalar()
        return self.vault.decrypt(token) if token else None

    def put_credentials(self, oauth_id: str, xmatters_url: str, username: str, password: str, now: float) -> None:
        """Store credentials that just passed Test Authentication; a new host forgets the old Invite URL."""
        old = self.get_settings(oauth_id)
        keep_invite = old.invite_url if old and old.xmatters_url == xmatters_url else None
        values = {"xmatters_url": xmatters_url, "username": username, "password": self.vault.encrypt(password),
                  "verified": True, "invite_url": keep_invite, "updated_at": now}
        with self.engine.begin() as conn:
            if old:
                conn.execute(update(settings).where(settings.c.oauth_id == oauth_id).values(values))
            else:
                conn.execute(insert(settings).values(oauth_id=oauth_id, **values))

    def put_invite_url(self, oauth_id: str, invite_url: str, now: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(settings).where(settings.c.oauth_id == oauth_id)
                         .values(invite_url=invite_url, updated_at=now))
