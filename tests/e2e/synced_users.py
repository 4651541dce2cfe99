"""Users of a synced c1z in the oracle's terms (tests/e2e/expected.py): status and account type."""

from __future__ import annotations

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import ids
from tests.e2e.expected import DELETED, DISABLED, ENABLED, HUMAN, SERVICE

_STATUS = {
    pb.resource.Status.RESOURCE_STATUS_ENABLED: ENABLED,
    pb.resource.Status.RESOURCE_STATUS_DISABLED: DISABLED,
    pb.resource.Status.RESOURCE_STATUS_DELETED: DELETED,
}
_TYPE = {
    pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_HUMAN: HUMAN,
    pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_SERVICE: SERVICE,
}


def synced_users(resources: dict[str, bytes]) -> dict[str, tuple[str, str | None]]:
    """account id -> (status, account type) of every `user` resource; names the raw enum value
    when it is none the oracle knows, and "no-trait" when the UserTrait is missing."""
    out: dict[str, tuple[str, str | None]] = {}
    for account_id in ids(resources, "user:"):
        user = pb.resource.Resource.FromString(resources[f"user:{account_id}"])
        status = _STATUS.get(user.status.status, f"status-{user.status.status}")
        trait = ann.find(user.annotations, pb.trait.UserTrait)
        kind = "no-trait" if trait is None else _TYPE.get(trait.account_type, f"type-{trait.account_type}")
        out[account_id] = (status, kind)
    return out


def as_oracle_sees(
    got: dict[str, tuple[str, str | None]], want: dict[str, tuple[str, str | None]]
) -> dict[str, tuple[str, str | None]]:
    """`got` with the account type blanked where the oracle knows none (deleted accounts), so the
    two compare with `==` and a failure shows every difference."""
    return {a: (status, None if a in want and want[a][1] is None else kind) for a, (status, kind) in got.items()}
