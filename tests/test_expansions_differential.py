"""Differential execution: generated programs behave the same before and after expansion.

``CORO_LS_EXPANSION_PROGRAMS`` sets how many programs the main property runs (default 2000,
seeds 0..N-1); a failure prints the program, its expansion and the first differing events.
"""

from __future__ import annotations

import os

import pytest
from expansions import wrong_forms
from expansions.harness import check, generate

from coro_ls.editing.expansions import names, render

# Programs whose managers suppress the GeneratorExit of aclose() leave async generators that
# asyncio reports as "ignored GeneratorExit": the same before and after, and not a failure.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

PROGRAMS = int(os.environ.get("CORO_LS_EXPANSION_PROGRAMS", "2000"))
CHUNKS = 10
CONTROL_PROGRAMS = 300


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_generated_programs_trace_the_same_after_expansion(chunk: int) -> None:
    size = -(-PROGRAMS // CHUNKS)
    seeds = range(chunk * size, min(PROGRAMS, (chunk + 1) * size))
    failures = [outcome for outcome in map(check, seeds) if outcome.mismatch]
    assert not failures, f"{len(failures)} of {len(seeds)} differ; seed {failures[0].seed}:\n" + (
        failures[0].detail
    )


def _caught(seeds: list[int], kind: str = "trace") -> int:
    """How many programs show the defect in their traces (not only in a static check)."""
    return sum(check(seed, static=kind != "trace").kind == kind for seed in seeds)


def _seeds_with(*needles: str) -> list[int]:
    """Programs whose source holds every needle (where a defect can show at all)."""
    found = []
    seed = 0
    while len(found) < CONTROL_PROGRAMS // 3 and seed < 20 * CONTROL_PROGRAMS:
        source = generate(seed).source
        if all(needle in source for needle in needles):
            found.append(seed)
        seed += 1
    return found


def test_the_harness_catches_the_seed_sections_try_except_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeds = _seeds_with("async with", "return (")
    assert seeds
    monkeypatch.setattr(render, "_expand_with", wrong_forms.seed_section_with)
    assert _caught(seeds) > 0


def test_the_harness_catches_assigning_the_for_target_inside_the_try(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeds = _seeds_with("async for BOX.stop")
    assert seeds
    monkeypatch.setattr(render, "_expand_for", wrong_forms.target_inside_try_for)
    assert _caught(seeds) > 0


def test_the_harness_catches_helpers_named_without_hygiene(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeds = _seeds_with("value = 'user value'")
    assert seeds
    monkeypatch.setattr(names.NamePool, "fresh", wrong_forms.unhygienic_fresh)
    assert _caught(seeds) > 0
    assert _caught(seeds, "collision") > 0


def test_the_real_expansion_passes_the_controls_programs() -> None:
    """The control programs are not simply broken: the real expansions agree on them."""
    seeds = _seeds_with("async with", "return (")[:20] + _seeds_with("async for BOX.stop")[:20]
    assert not [seed for seed in seeds if check(seed).mismatch]
