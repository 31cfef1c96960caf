"""A shortened soak (the full 20,000 edits: ``tests/robustness/soak.py``): memory stays under
a bound and no document outlives its close."""

from __future__ import annotations

from soak import soak

# The documented bound (README, "Reliability"): growth of the process's resident memory
# after the warm-up, over the whole soak.  Open documents are replaced as they close, so a
# leak of closed documents or their trees shows as steady growth.
GROWTH_BOUND_MB = 64


def test_a_long_session_frees_closed_documents_and_stays_bounded() -> None:
    report = soak(edits=3000, documents=4, cycle=100)
    assert report.edits == 3000 and report.closes == 30
    assert report.survivors == 0
    assert report.open_at_end == 4
    growth = (report.rss_end - report.rss_after_warmup) / 2**20
    assert growth < GROWTH_BOUND_MB, report.summary()
