"""A maintenance script written in the asyncio REPL (`python -m asyncio`), which allows
`await`, `async for` and `async with` at the top level, then saved as a plain script.

`coro-ls check --top-level-await` checks it as the REPL compiles it: only the class body stays
wrong there, since top-level await never reaches into a class.
"""

import asyncio


async def load_settings() -> dict[str, float]:
    await asyncio.sleep(0)
    return {"timeout": 2.5}


async def pending_jobs():
    for job in ("rotate-logs", "vacuum"):
        yield job


settings = await load_settings()  # error: CORO101

async for job in pending_jobs():  # error: CORO102
    print("running", job)

async with asyncio.timeout(settings["timeout"]):  # error: CORO103
    await asyncio.sleep(0.1)  # error: CORO101

names = {job async for job in pending_jobs()}  # error: CORO104


class Limits:
    timeout = await load_settings()  # error: CORO101
