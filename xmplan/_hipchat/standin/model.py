"""The stand-in's state: users, rooms, installations, tokens, messages (in memory, one lock)."""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from ..._model import Json

Clock = Callable[[], float]


# "The token will expire after 8 hours" (hipchat.md §2.5).
TOKEN_LIFETIME = 8 * 3600
# Colours a room notification may have; "random" picks one of the others (hipchat.md §3).
COLOURS = ("yellow", "green", "red", "purple", "gray")
SCOPE_NAMES = {
    "admin_group": "Administer Group", "admin_room": "Administer Room", "import_data": "Import Data",
    "manage_rooms": "Manage Rooms", "send_message": "Send Message", "send_notification": "Send Notification",
    "view_group": "View Group", "view_messages": "View Messages", "view_room": "View Room",
}
SCOPE_DESCRIPTIONS = {
    "admin_group": "Perform group administrative tasks", "admin_room": "Perform room administrative tasks",
    "import_data": "Import users, rooms, and chat history", "manage_rooms": "Create, update, and remove rooms",
    "send_message": "Send private one-on-one messages", "send_notification": "Send room notifications",
    "view_group": "View users, rooms, and other group information",
    "view_messages": "View messages from chat rooms and private chats you have access to",
    "view_room": "View room information and participants, but not history",
}


@dataclass(frozen=True)
class User:
    id: int
    name: str
    mention_name: str
    email: str
    title: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True)
class Room:
    id: int
    name: str
    topic: str = ""
    privacy: str = "public"
    owner: int = 1
    participants: tuple[int, ...] = ()


@dataclass(frozen=True)
class Installation:
    """One OAuth client: an add-on installed for the whole group (`room_id` None) or one room."""

    oauth_id: str
    secret: str
    descriptor_url: str
    descriptor: dict[str, Json]
    scopes: tuple[str, ...]
    room_id: int | None
    installed_at: float
    confirmed: bool = False  # set once the add-on's install callback answered 2xx

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name") or self.descriptor.get("key") or "add-on")

    @property
    def capabilities(self) -> dict[str, Json]:
        caps = self.descriptor.get("capabilities")
        return caps if isinstance(caps, dict) else {}

    def covers(self, room_id: int) -> bool:
        return self.room_id is None or self.room_id == room_id


@dataclass(frozen=True)
class Token:
    """A bearer token: an add-on's (`oauth_id`) or a room notification token (`room_id`, `label`)."""

    access_token: str
    scopes: tuple[str, ...]
    expires_at: float | None
    oauth_id: str | None = None
    room_id: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Message:
    id: str
    room_id: int
    sender: str  # the add-on's fromName, the room token's label, or a person's name
    html: str  # already sanitised (or escaped, for text messages)
    color: str | None  # None for a person's message
    date: float
    notify: bool = False
    from_label: str = ""


@dataclass
class Directory:
    """Who and what the stand-in starts with."""

    group_id: int = 1
    group_name: str = "Acme"
    users: list[User] = field(default_factory=lambda: [
        User(1, "Jane Doe", "JaneDoe", "jane.doe@acme.example", "Incident Manager"),
        User(2, "Sam Lee", "SamLee", "sam.lee@acme.example", "Site Reliability Engineer"),
    ])
    rooms: list[Room] = field(default_factory=lambda: [
        Room(4242, "Ops War Room", "Production incidents, live", participants=(1, 2)),
        Room(4243, "Database Team", "Schemas, backups and on-call", participants=(1,)),
    ])
    current_user: int = 1  # the person the browser pages act as (the stand-in has no login)


class Standin:
    """Everything the stand-in knows. Methods take and give frozen records; one lock guards all."""

    def __init__(self, directory: Directory, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock
        self.group_id = directory.group_id
        self.group_name = directory.group_name
        self._users = {u.id: u for u in directory.users}
        self._rooms = {r.id: r for r in directory.rooms}
        self._installs: dict[str, Installation] = {}
        self._tokens: dict[str, Token] = {}
        self._messages: list[Message] = []
        self._authorized: set[tuple[str, int, int]] = set()
        self._lock = threading.Lock()

    # -- directory
    def users(self) -> list[User]:
        return list(self._users.values())

    def user(self, key: str | int) -> User | None:
        """By id, email or @mention name, as GET /v2/user/{id_or_email} takes it."""
        text = str(key)
        if text.isdigit():
            return self._users.get(int(text))
        for user in self._users.values():
            if text.lower() in (user.email.lower(), "@" + user.mention_name.lower()):
                return user
        return None

    @property
    def current_user(self) -> User:
        return self._users[self.directory.current_user]

    def rooms(self) -> list[Room]:
        return sorted(self._rooms.values(), key=lambda r: r.id)

    def room(self, key: str | int) -> Room | None:
        """By id or by name (case-insensitive), as /v2/room/{id_or_name} takes it."""
        text = str(key)
        if text.isdigit() and int(text) in self._rooms:
            return self._rooms[int(text)]
        return next((r for r in self._rooms.values() if r.name.lower() == text.lower()), None)

    # -- installations
    def add_installation(self, descriptor_url: str, descriptor: dict[str, Json], scopes: Iterable[str],
                         room_id: int | None) -> Installation:
        inst = Installation(oauth_id=_new_id(), secret=secrets.token_urlsafe(30), descriptor_url=descriptor_url,
                            descriptor=descriptor, scopes=tuple(scopes), room_id=room_id,
                            installed_at=self.clock())
        with self._lock:
            self._installs[inst.oauth_id] = inst
        return inst

    def confirm_installation(self, oauth_id: str) -> None:
        with self._lock:
            self._installs[oauth_id] = replace(self._installs[oauth_id], confirmed=True)

    def remove_installation(self, oauth_id: str) -> Installation | None:
        """Forget the installation, its tokens and its room authorizations."""
        with self._lock:
            inst = self._installs.pop(oauth_id, None)
            for key in [k for k, t in self._tokens.items() if t.oauth_id == oauth_id]:
                del self._tokens[key]
            self._authorized = {a for a in self._authorized if a[0] != oauth_id}
        return inst

    def installation(self, oauth_id: str) -> Installation | None:
        return self._installs.get(oauth_id)

    def installations(self, room_id: int | None = None, confirmed_only: bool = True) -> list[Installation]:
        found = [i for i in self._installs.values() if (i.confirmed or not confirmed_only)]
        if room_id is not None:
            found = [i for i in found if i.covers(room_id)]
        return sorted(found, key=lambda i: i.installed_at)

    def authorize(self, oauth_id: str, room_id: int, user_id: int) -> None:
        with self._lock:
            self._authorized.add((oauth_id, room_id, user_id))

    def is_authorized(self, oauth_id: str, room_id: int, user_id: int) -> bool:
        return (oauth_id, room_id, user_id) in self._authorized

    # -- tokens
    def issue_token(self, inst: Installation, scopes: tuple[str, ...]) -> Token:
        token = Token(secrets.token_urlsafe(30), scopes, self.clock() + TOKEN_LIFETIME, oauth_id=inst.oauth_id)
        with self._lock:
            self._tokens[token.access_token] = token
        return token

    def issue_room_token(self, room_id: int, label: str = "xMatters") -> Token:
        """A room notification token (Room → Tokens in HipChat): send_notification, this room, no expiry."""
        token = Token(secrets.token_urlsafe(30), ("send_notification",), None, room_id=room_id, label=label)
        with self._lock:
            self._tokens[token.access_token] = token
        return token

    def token(self, access_token: str) -> Token | None:
        token = self._tokens.get(access_token)
        if token is None or (token.expires_at is not None and token.expires_at <= self.clock()):
            return None
        return token

    # -- messages
    def post(self, room_id: int, sender: str, html: str, color: str | None, notify: bool = False,
             from_label: str = "") -> Message:
        if color == "random":
            color = random.choice(COLOURS)
        message = Message(_new_id(), room_id, sender, html, color, self.clock(), notify, from_label)
        with self._lock:
            self._messages.append(message)
        return message

    def messages(self, room_id: int) -> list[Message]:
        with self._lock:
            return [m for m in self._messages if m.room_id == room_id]


def _new_id() -> str:
    return secrets.token_hex(16)
