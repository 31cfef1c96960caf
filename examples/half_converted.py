"""A download helper caught half-way through a move from asyncio to plain functions.

CPython stops at the first leftover coroutine construct it meets, and only when the module is
compiled; `coro-ls check examples/half_converted.py` lists all of them at once.
"""

import asyncio
import json


async def fetch_json(reader: asyncio.StreamReader) -> object:
    return json.loads(await reader.read())


def fetch_all(hosts: list[str]) -> list[object]:
    results = []
    for host in hosts:
        reader, writer = await asyncio.open_connection(host, 80)  # error: CORO101
        results.append(fetch_json(reader))
        writer.close()
    return results


def print_lines(reader: asyncio.StreamReader) -> None:
    async for line in reader:  # error: CORO102
        print(line.decode().rstrip())


def with_lock(lock: asyncio.Lock, work) -> object:
    async with lock:  # error: CORO103
        return work()


def read_all(readers: list[asyncio.StreamReader]) -> list[bytes]:
    return [await reader.read() for reader in readers]  # error: CORO104


def on_done(callback):
    # A lambda is a function of its own, and never an async one.
    return lambda future: callback(await future)  # error: CORO101
