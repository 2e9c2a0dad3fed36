"""The add-on's storage on SQLite and, where a server is given (CI), on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from addon_fakes import HipChat, make_addon
from addon_fixtures import hc_fixture  # noqa: F401 (fixtures)
from cryptography.fernet import Fernet
from sqlalchemy import select

from xmplan._hipchat.addon.crypto import Vault
from xmplan._hipchat.addon.store import Installation, Store, installations, settings

POSTGRES_ENV = "XMPLAN_TEST_POSTGRES_URL"


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} is not set; .ci/run starts one)")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'addon.sqlite3'}" if request.param == "sqlite" else postgres_url()


@pytest.fixture
def key() -> bytes:
    return Fernet.generate_key()


@pytest.fixture
def store(database: str, key: bytes) -> Iterator[Store]:
    opened = Store.open(database, Vault(key))
    yield opened
    opened.close()


def installation(oauth_id: str | None = None, room_id: int | None = None) -> Installation:
    return Installation(oauth_id=oauth_id or str(uuid.uuid4()), oauth_secret="top-" + uuid.uuid4().hex,
                        group_id=99, group_name="Acme", room_id=room_id,
                        capabilities_url="https://chat.acme.com/v2/capabilities",
                        capabilities={"links": {"self": "https://chat.acme.com/v2/capabilities"}, "ü": "✓"},
                        token_url="https://chat.acme.com/v2/oauth/token", api_url="https://chat.acme.com/v2/",
                        hipchat_url="https://chat.acme.com", web_url="https://chat.acme.com", installed_at=1.5)


def test_installation_round_trip_with_the_secret_encrypted(store: Store) -> None:
    inst = installation(room_id=4242)
    store.put_installation(inst)
    assert store.get_installation(inst.oauth_id) == inst
    assert inst.oauth_id in store.installation_ids()
    with store.engine.connect() as conn:
        raw = conn.execute(select(installations.c.oauth_secret)
                           .where(installations.c.oauth_id == inst.oauth_id)).scalar_one()
    assert inst.oauth_secret not in raw and raw.startswith("gAAAA")
    assert store.get_installation("no-such") is None


def test_reinstall_replaces_the_row(store: Store) -> None:
    inst = installation()
    store.put_installation(inst)
    moved = Installation(**{**inst.__dict__, "group_name": "Acme Corp", "installed_at": 2.5})
    store.put_installation(moved)
    assert store.get_installation(inst.oauth_id) == moved


def test_settings_credentials_and_invite_url(store: Store) -> None:
    inst = installation()
    store.put_installation(inst)
    assert store.get_settings(inst.oauth_id) is None and store.password(inst.oauth_id) is None
    store.put_credentials(inst.oauth_id, "https://acme.xmatters.com", "hipchat", "pässword", 10.0)
    store.put_invite_url(inst.oauth_id, "https://acme.xmatters.com/api/integration/1/functions/x/triggers", 11.0)
    saved = store.get_settings(inst.oauth_id)
    assert saved is not None and saved.configured and saved.updated_at == 11.0
    assert store.password(inst.oauth_id) == "pässword"
    with store.engine.connect() as conn:
        raw = conn.execute(select(settings.c.password).where(settings.c.oauth_id == inst.oauth_id)).scalar_one()
    assert "pässword" not in raw
    # the same host keeps the Invite URL; another host forgets it (it must be on the host tested)
    store.put_credentials(inst.oauth_id, "https://acme.xmatters.com", "hipchat", "new", 12.0)
    again = store.get_settings(inst.oauth_id)
    assert again is not None and again.invite_url is not None
    store.put_credentials(inst.oauth_id, "https://other.xmatters.com", "hipchat", "new", 13.0)
    moved = store.get_settings(inst.oauth_id)
    assert moved is not None and moved.invite_url is None and not moved.configured


def test_delete_removes_everything_of_one_installation(store: Store) -> None:
    gone, kept = installation(), installation()
    for inst in (gone, kept):
        store.put_installation(inst)
        store.put_credentials(inst.oauth_id, "https://acme.xmatters.com", "u", "p", 1.0)
    assert store.delete_installation(gone.oauth_id) is True
    assert store.get_installation(gone.oauth_id) is None and store.get_settings(gone.oauth_id) is None
    assert store.get_installation(kept.oauth_id) == kept and store.password(kept.oauth_id) == "p"
    assert store.delete_installation(gone.oauth_id) is False


def test_two_instances_share_one_database(database: str, key: bytes) -> None:
    first, second = Store.open(database, Vault(key)), Store.open(database, Vault(key))
    try:
        inst = installation()
        first.put_installation(inst)
        first.put_credentials(inst.oauth_id, "https://acme.xmatters.com", "u", "p", 1.0)
        assert second.get_installation(inst.oauth_id) == inst and second.password(inst.oauth_id) == "p"
        second.delete_installation(inst.oauth_id)
        assert first.get_installation(inst.oauth_id) is None
    finally:
        first.close()
        second.close()


def test_another_key_cannot_read_the_secrets(database: str, key: bytes) -> None:
    first = Store.open(database, Vault(key))
    other = Store.open(database, Vault(Fernet.generate_key()))
    try:
        inst = installation()
        first.put_installation(inst)
        with pytest.raises(ValueError, match="key has changed"):
            other.get_installation(inst.oauth_id)
    finally:
        first.close()
        other.close()


def test_install_through_the_app(database: str, tmp_path: Path, hc: HipChat) -> None:
    app, store = make_addon(tmp_path, database=database)
    oauth_id, secret = hc.new_client()
    try:
        assert app.test_client().post("/installable", json=hc.install_body(oauth_id, secret)).status_code == 200
        found = store.get_installation(oauth_id)
        assert found is not None and found.oauth_secret == secret
    finally:
        store.delete_installation(oauth_id)
        store.close()
