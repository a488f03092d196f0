"""The sandbox: a simulated Telegram on which the real desk runs offline (design.md §7)."""

from __future__ import annotations

from .client import SandboxClient
from .limits import Clock, RealClock
from .people import Inline, Person
from .sandbox import Sandbox
from .switches import Switches
from .views import Seen

__all__ = [
    "Clock",
    "RealClock",
    "Inline",
    "Person",
    "SandboxClient",
    "Sandbox",
    "Seen",
    "Switches",
]
