"""Annotations that `from __future__ import annotations` turns into strings.

Under the future import, CPython compiles annotations in a scope of their own where `await`
has no meaning (3.10 and later; 3.14 does so for every annotation, future import or not).
"""

from __future__ import annotations

import asyncio


async def user_model() -> type:
    await asyncio.sleep(0)
    return dict


async def create_user(payload: await user_model()) -> None:  # error: CORO107
    print("creating", payload)
