"""A shortened soak (the full 20,000 edits: ``tests/robustness/soak.py``): memory stays under
a bound and no document outlives its close."""

from __future__ import annotations

import pytest
from soak import soak

# The documented bound (README, "Reliability"): growth of the process's resident memory
# after the warm-up, over the whole soak.  Open documents are replaced as they close, so a
# leak of closed documents, of replaced parts of open documents' trees or of per-message
# bookkeeping shows as steady growth (about 7 MB per 1,000 edits for the leaks found so far;
# a session without leaks grows by 1-3 MB here).
GROWTH_BOUND_MB = 16


@pytest.mark.slow  # about 25 s
def test_a_long_session_frees_closed_documents_and_stays_bounded() -> None:
    report = soak(edits=3000, documents=4, cycle=100)
    assert report.edits == 3000 and report.closes == 30
    assert report.survivors == 0
    assert report.open_at_end == 4
    growth = (report.rss_end - report.rss_after_warmup) / 2**20
    assert growth < GROWTH_BOUND_MB, report.summary()


def test_notifications_leave_no_bookkeeping_behind() -> None:
    # pygls keeps a future per generator/async handler call under its id and removes only
    # those of requests; a session of edits must not accumulate them.
    from inprocess import InProcessServer, change_message, open_message

    server = InProcessServer()
    try:
        server.send(open_message("file:///a.py", "x = 1\n"))
        for version in range(2, 202):
            change = {"text": f"x = {version}\n"}
            server.send(change_message("file:///a.py", version, [change]))
        assert len(server.protocol._request_futures) == 0
    finally:
        server.close()
