"""What the core hands each feature when the desk is built: the services every feature may use,
the desk's settings, and the features built before it (a feature listed later may use an
earlier one's `api`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atendimento.desk.context import DeskContext
from atendimento.desk.team import Team
from atendimento.desk.threads import Threads

if TYPE_CHECKING:
    from atendimento.desk.clientside import ClientSide
    from atendimento.desk.contract import Feature
    from atendimento.desk.events import Events


@dataclass
class Core:
    ctx: DeskContext
    team: Team
    threads: Threads
    client_side: ClientSide
    events: Events
    settings: Mapping[str, Any] = field(default_factory=dict)  # the desk group of config.py
    texts_dir: Path | None = None
    built: dict[str, Feature] = field(default_factory=dict)

    def api(self, name: str) -> Any:
        """The `api` of feature `name`, or None when it is not enabled (or listed later)."""
        feature = self.built.get(name)
        return None if feature is None else feature.api
