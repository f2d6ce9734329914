"""What every command gets: settings and a lazily opened, migrated database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from leadline.config import Settings


@dataclass
class AppContext:
    db_url: str | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from pydantic import ValidationError

            from leadline.config import Settings
            from leadline.errors import ConfigError

            overrides: dict[str, object] = {"debug": self.debug}
            if self.db_url:
                overrides["database_url"] = self.db_url
            try:
                self._settings = Settings(**overrides)  # type: ignore[arg-type]
            except ValidationError as exc:
                first = exc.errors()[0]
                where = "LEADLINE_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
                raise ConfigError(f"{where}: {first['msg']}") from None
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from leadline.services.database import open_database

            self._engine = open_database(self.settings)
        return self._engine
