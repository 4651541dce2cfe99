"""Counting a finished sync's accounts by kind, status and last activity for the completeness report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStore
from baton_confluence.baton.sync.completeness import LAST_LOGIN, CompletenessReport, last_login_counts

KIND_PREFIX = "accounts.kind."
STATUS_PREFIX = "accounts.status."


def count_accounts(
    store: SyncStore, types: Mapping[str, pb.resource.ResourceType], report: CompletenessReport
) -> None:
    """Accounts by kind and status (`accounts.kind.HUMAN`, `accounts.status.DELETED`...), read from
    the finished sync and replacing any earlier count, so a resumed sync counts the same."""
    user_types = [t for t, rt in types.items() if pb.resource.ResourceType.Trait.TRAIT_USER in rt.traits]
    counts: Counter[str] = Counter()
    kind_name = pb.trait.UserTrait.AccountType.Name
    status_name = pb.trait.UserTrait.Status.Status.Name
    for type_id in user_types:
        for _, resource in store.iter_resources(type_id):
            trait = ann.find(resource.annotations, pb.trait.UserTrait)
            if trait is None:
                continue
            kind = kind_name(trait.account_type).removeprefix("ACCOUNT_TYPE_")
            status = status_name(trait.status.status).removeprefix("STATUS_")
            counts[f"{KIND_PREFIX}{kind}"] += 1
            counts[f"{STATUS_PREFIX}{status}"] += 1
            counts.update(last_login_counts(resource, trait))
    for name in [n for n in report.counters if n.startswith((KIND_PREFIX, STATUS_PREFIX, LAST_LOGIN + "."))]:
        del report.counters[name]
    report.add(counts)
