"""A short run of the fuzzer (fuzz/fuzz_server.py; README documents the long run)."""

from __future__ import annotations

from pathlib import Path

from fuzz import fuzz_server as fuzzer


async def test_mutated_messages_and_random_bytes_neither_crash_nor_hang_the_server(
    tmp_path: Path,
) -> None:
    stats = await fuzzer.fuzz(messages=500, seconds=None, seed=2026, per_session=125, out=tmp_path)
    assert stats.messages >= 500 and stats.sessions >= 4
    assert stats.mutated > 250 and stats.random_bytes > 10
    # Refusals prove the mutations reached the protocol layer rather than being ignored.
    assert stats.answered_errors.get(-32602, 0) > 0
    assert stats.crashes == [] and stats.hangs == [], list(tmp_path.iterdir())


def test_a_reproducer_replays_into_a_server(tmp_path: Path) -> None:
    reproducer = tmp_path / "session.bin"
    reproducer.write_bytes(fuzzer.frame(b'{"jsonrpc": "2.0", "method": "exit"}'))
    import asyncio

    assert asyncio.run(fuzzer.replay(reproducer)) == 1  # exit without shutdown


def test_every_method_the_server_handles_has_a_template() -> None:
    from inprocess import InProcessServer

    from coro_ls.server.app import create_server

    # Pull diagnostics are registered at initialize, for clients that pull.
    server = InProcessServer(pull=True)
    try:
        features = server.protocol.fm
        handled = set(features.features) | set(features.builtin_features)
    finally:
        server.close()
    handled |= set(create_server().protocol.fm.builtin_features)
    assert "textDocument/diagnostic" in handled
    assert handled <= set(fuzzer.TEMPLATES)
