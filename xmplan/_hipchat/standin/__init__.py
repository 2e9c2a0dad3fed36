"""A HipChat stand-in: a local test double of HipChat Server's Connect API, admin and room pages (not HipChat)."""

from .app import create_app, standin_of
from .context import StandinConfig
from .model import Directory, Room, Standin, User

__all__ = ["Directory", "Room", "Standin", "StandinConfig", "User", "create_app", "standin_of"]
