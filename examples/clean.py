"""Coroutine syntax where CPython accepts it: `coro-ls check examples/clean.py` finds nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator


async def numbers(limit: int) -> AsyncIterator[int]:
    for number in range(limit):
        yield number
        await asyncio.sleep(0)


# An asynchronous generator expression is allowed anywhere: it only runs when iterated.
squares = (number * number async for number in numbers(5))


async def main() -> None:
    lock = asyncio.Lock()
    async with lock:
        total = sum([number async for number in numbers(10)])
    async for square in squares:
        print(square)
    results = await asyncio.gather(*(asyncio.sleep(0, result=n) for n in range(3)))
    print(total, results)

    def synchronous_helper(values: list[int]) -> list[int]:
        # A plain function nested in a coroutine may use `yield from`.
        yield from values

    print(list(synchronous_helper([1, 2, 3])))


if __name__ == "__main__":
    asyncio.run(main())
