"""Asynchronous generators: they may `yield`, but neither `yield from` nor return a value."""

import asyncio
from collections.abc import AsyncIterator, Iterable


async def ticker(interval: float, count: int) -> AsyncIterator[int]:
    for tick in range(count):
        yield tick
        await asyncio.sleep(interval)
    return count  # error: CORO106


async def chain(*batches: Iterable[str]) -> AsyncIterator[str]:
    for batch in batches:
        yield from batch  # error: CORO105
        await asyncio.sleep(0)
