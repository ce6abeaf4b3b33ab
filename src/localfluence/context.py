"""What every service and serializer call carries: the transaction, the caller and the links."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.config import Settings
from localfluence.kit.links import Links


@dataclass
class Ctx:
    session: Session
    principal: Principal
    links: Links
    settings: Settings
