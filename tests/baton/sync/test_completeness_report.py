"""The completeness report names unresolved principals the same way whatever order lookups end in."""

from __future__ import annotations

import random

from baton_confluence.baton.sync import completeness
from baton_confluence.baton.sync.completeness import CompletenessReport


def test_unresolved_names_do_not_depend_on_arrival_order(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(completeness, "UNRESOLVED_KEPT", 5)
    keys = [f"user:{n:03d}" for n in range(12)]
    reports = []
    for seed in range(4):
        shuffled = keys[:]
        random.Random(seed).shuffle(shuffled)
        report = CompletenessReport()
        for key in shuffled:
            report.unresolved_principal(key)
        reports.append(report.to_json())
    assert all(r == reports[0] for r in reports)
    assert reports[0]["unresolved"] == sorted(keys)[:5]
    assert reports[0]["unresolved_total"] == 12
