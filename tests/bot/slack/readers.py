"""TenancyReaders for the bot's tests: fakes that satisfy engine.ports.TenancyReader by shape, no mocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.compose import build_reader
from engine.model import Cluster, Tenancy
from engine.ports import TenancyReader


class ExplodingReader:
    """A reader with a bug in it: every read raises an exception that is not an EngineError."""

    description = "a reader that fails"

    def __init__(self, message: str) -> None:
        self.message = message

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        raise RuntimeError(self.message)


class ReshapedReader:
    """The demo tenancy with its clusters rewritten by `reshape` (renamed, multiplied)."""

    def __init__(self, reshape: Callable[[tuple[Cluster, ...]], tuple[Cluster, ...]]) -> None:
        self._inner: TenancyReader = build_reader("demo")
        self._reshape = reshape

    @property
    def description(self) -> str:
        return self._inner.description

    async def read(self, *, clusters: Sequence[str] | None = None, fresh: bool = False) -> Tenancy:
        tenancy = await self._inner.read(fresh=fresh)
        return tenancy.model_copy(update={"clusters": self._reshape(tenancy.clusters)})


def renamed(old: str, new: str) -> ReshapedReader:
    """The demo with one cluster renamed, as if OCI held that display name."""
    return ReshapedReader(lambda cs: tuple(c.model_copy(update={"name": new}) if c.name == old else c for c in cs))


def multiplied(copies: int) -> ReshapedReader:
    """The demo with every cluster repeated `copies` times under new names and ids: a very large tenancy."""

    def many(clusters: tuple[Cluster, ...]) -> tuple[Cluster, ...]:
        return tuple(
            c.model_copy(update={"id": f"{c.id}-{n}", "name": f"{c.name}-{n}"})
            for n in range(copies)
            for c in clusters
        )

    return ReshapedReader(many)
