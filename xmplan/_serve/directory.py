"""The emulator's people and groups: read from `--people FILE` or the sample, passwords kept as scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError, Location
from .._model import Json

REST_ROLE = "REST Web Service User"
INTEGRATION_USER = "integration"  # the sample directory's "Integration User"
_NAMESPACE = uuid.UUID("6b1f3c2e-5d0a-4e8b-9a57-2f1c0e3d4b6a")  # ids stay the same across restarts
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
PERSON_KEYS = {"targetName", "firstName", "lastName", "password", "passwordHash", "roles", "devices",
               "emailAddress", "language", "timezone", "site", "status", "properties"}
DEVICE_TYPES = {"EMAIL", "VOICE", "TEXT_PHONE", "MOBILE_PHONE", "GENERIC", "FAX", "VOICE_IVR"}


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$n$r$p$salt$hash` (base64): what the directory keeps instead of the password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    text = "$".join(base64.b64encode(part).decode("ascii") for part in (salt, digest))
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${text}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def stable_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name.lower()}"))


@dataclass(frozen=True)
class Device:
    name: str
    device_type: str
    address: str


@dataclass(frozen=True)
class Person:
    id: str
    target_name: str
    first_name: str
    last_name: str
    email: str
    roles: tuple[str, ...]
    devices: tuple[Device, ...]
    password_hash: str | None = None
    language: str = "en"
    timezone: str = "UTC"
    site: str = "Default Site"
    status: str = "ACTIVE"
    properties: tuple[tuple[str, Json], ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Group:
    id: str
    target_name: str
    description: str
    members: tuple[str, ...]  # person targetNames, in the order the file gives them
    status: str = "ACTIVE"


class Directory:
    """People and groups found by id or targetName (case-insensitively, as xMatters matches names)."""

    def __init__(self, people: list[Person], groups: list[Group]) -> None:
        self.people = tuple(people)
        self.groups = tuple(groups)
        self._people = {key: p for p in people for key in (p.id, p.target_name.lower())}
        self._groups = {key: g for g in groups for key in (g.id, g.target_name.lower())}
        self._verified: dict[bytes, str] = {}  # HMACs of credentials already checked: scrypt once per login
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[type[Directory], tuple[list[Person], list[Group]]]:
        """Unpickled (in the run host process), the same people and groups, with a new login cache."""
        return Directory, (list(self.people), list(self.groups))

    def person(self, key: str) -> Person | None:
        return self._people.get(key) or self._people.get(key.lower())

    def group(self, key: str) -> Group | None:
        return self._groups.get(key) or self._groups.get(key.lower())

    def members(self, group: Group) -> list[Person]:
        return [p for p in (self.person(name) for name in group.members) if p is not None]

    def authenticate(self, user: str, password: str) -> Person | None:
        """The person if `password` is theirs. A check costs one scrypt; a repeated good login costs an HMAC."""
        person = self.person(user)
        if person is None or person.password_hash is None:
            return None
        mark = hmac.new(self._key, f"{person.id}\0{password}".encode(), hashlib.sha256).digest()
        with self._lock:
            if self._verified.get(mark) == person.id:
                return person
        if not check_password(password, person.password_hash):
            return None
        with self._lock:
            if len(self._verified) > 10_000:  # bounded: many distinct good passwords only re-hash
                self._verified.clear()
            self._verified[mark] = person.id
        return person

    def search_people(self, terms: str) -> list[Person]:
        words = terms.lower().split()
        return [p for p in self.people
                if all(any(w in field.lower() for field in (p.first_name, p.last_name, p.target_name, p.email))
                       for w in words)]

    def search_groups(self, terms: str) -> list[Group]:
        words = terms.lower().split()
        return [g for g in self.groups if all(any(w in f.lower() for f in (g.target_name, g.description))
                                             for w in words)]


def load_directory(path: Path) -> Directory:
    """Read a `--people FILE`: `{"people": [...], "groups": [...]}` (see docs/serve.md)."""
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError.at(Location(where, exc.lineno, exc.colno), f"not JSON: {exc.msg}") from None
    return directory_from_json(data, where)


def directory_from_json(data: Json, where: str = "people") -> Directory:
    if not isinstance(data, dict) or set(data) - {"people", "groups"}:
        raise InputError.at(where, 'expected {"people": [...], "groups": [...]}')
    people = [_person(item, f"{where}: people[{i}]") for i, item in enumerate(_list(data, "people", where))]
    names = {p.target_name.lower() for p in people}
    if len(names) != len(people):
        raise InputError.at(where, "two people share a targetName")
    groups = []
    for i, item in enumerate(_list(data, "groups", where)):
        at = f"{where}: groups[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("targetName"), str) or not item["targetName"]:
            raise InputError.at(at, 'a group needs {"targetName": "...", "members": [...]}')
        members = item.get("members", [])
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise InputError.at(at, "members must be a list of people's targetNames")
        unknown = [m for m in members if m.lower() not in names]
        if unknown:
            raise InputError.at(at, f"members not in people: {', '.join(unknown)}")
        groups.append(Group(stable_id("group", item["targetName"]), item["targetName"],
                            str(item.get("description", "")), tuple(members)))
    if len({g.target_name.lower() for g in groups}) != len(groups):
        raise InputError.at(where, "two groups share a targetName")
    return Directory(people, groups)


def _list(data: dict[str, Json], key: str, where: str) -> list[Json]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InputError.at(where, f"{key!r} must be a list")
    return value


def _person(item: Json, at: str) -> Person:
    if not isinstance(item, dict) or not isinstance(item.get("targetName"), str) or not item["targetName"]:
        raise InputError.at(at, 'a person needs {"targetName": "...", ...}')
    unknown = set(item) - PERSON_KEYS
    if unknown:
        raise InputError.at(at, f"unknown keys: {', '.join(sorted(unknown))}")
    devices = []
    for d in item.get("devices", []):
        if not isinstance(d, dict) or not isinstance(d.get("name"), str) or d.get("deviceType") not in DEVICE_TYPES:
            raise InputError.at(at, f"a device needs a name and a deviceType ({', '.join(sorted(DEVICE_TYPES))})")
        address = d.get("emailAddress") or d.get("phoneNumber") or ""
        devices.append(Device(d["name"], d["deviceType"], str(address)))
    password = item.get("password")
    stored = item.get("passwordHash")
    if password is not None and not isinstance(password, str):
        raise InputError.at(at, "password must be a string")
    name = item["targetName"]
    email = item.get("emailAddress") or next((d.address for d in devices if d.device_type == "EMAIL"), "")
    return Person(stable_id("person", name), name, str(item.get("firstName", "")), str(item.get("lastName", "")),
                  str(email), tuple(str(r) for r in item.get("roles", [])), tuple(devices),
                  hash_password(password) if password else (str(stored) if stored else None),
                  str(item.get("language", "en")), str(item.get("timezone", "UTC")),
                  str(item.get("site", "Default Site")), str(item.get("status", "ACTIVE")),
                  tuple(sorted((item.get("properties") or {}).items())))


def sample_directory(password: str) -> Directory:
    """The documented sample: the Integration User (with `password`), three people and two groups."""

    def person(name: str, first: str, last: str, **extra: Json) -> Json:
        email = f"{name}@example.com"
        return {"targetName": name, "firstName": first, "lastName": last, "emailAddress": email,
                "devices": [{"name": "Work Email", "deviceType": "EMAIL", "emailAddress": email},
                            {"name": "Mobile Phone", "deviceType": "TEXT_PHONE", "phoneNumber": "+15555550100"}],
                **extra}

    return directory_from_json({
        "people": [
            person(INTEGRATION_USER, "Integration", "User", password=password, roles=[REST_ROLE]),
            person("mmcbride", "Mary", "McBride", roles=["Standard User"]),
            person("bsmith", "Bob", "Smith", roles=["Standard User"]),
            person("jdoe", "Jane", "Doe", roles=["Standard User"]),
        ],
        "groups": [
            {"targetName": "Database Admins", "description": "Oracle and PostgreSQL on-call",
             "members": ["mmcbride", "bsmith"]},
            {"targetName": "Operations", "description": "Operations team", "members": ["jdoe", "mmcbride"]},
        ],
    }, "sample directory")
