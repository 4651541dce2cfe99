"""What a simulated site looks like: the knobs a demo, a test or a benchmark turns.

`SiteSpec` describes the data (how many users, groups, spaces...), the account the caller
authenticates as (and what it may not see or do), and the transport behaviour (latency, rate
limit, injected faults). Everything random is derived from `seed` / `FaultSpec.seed`, so the same
spec always gives the same site and the same fault sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.gateway_spec import GatewaySpec
from confluence_simulator.paging_spec import PagingSpec
from confluence_simulator.site_admin_spec import SiteAdminSpec
from confluence_simulator.variants_spec import DataVariants

# Endpoint families that `SiteSpec.denied` can switch off for the calling account. Names are
# stable strings because tests and the Validate feature refer to them.
FAMILY_CURRENT_USER = "current_user"
FAMILY_USERS_SEARCH = "users_search"
FAMILY_GROUPS = "groups"  # group list, group by id, group members
FAMILY_GROUP_WRITE = "group_write"  # add/remove group member
FAMILY_SPACES = "spaces"
FAMILY_SPACE_PERMISSIONS = "space_permissions"  # v2 read of space permissions
FAMILY_SPACE_PERMISSION_WRITE = "space_permission_write"  # v1 add/remove space permission
FAMILY_SPACE_ROLES = "space_roles"  # v2 space roles and role assignment reads
FAMILY_ROLE_ASSIGNMENT_WRITE = "role_assignment_write"
FAMILY_USERS_BULK = "users_bulk"
FAMILY_CONTENT = "content"  # v1 content listing and restriction reads, v2 pages
FAMILY_CONTENT_RESTRICTION_WRITE = "content_restriction_write"  # v1 restriction PUT/DELETE

ALL_FAMILIES = frozenset(
    {
        FAMILY_CURRENT_USER,
        FAMILY_USERS_SEARCH,
        FAMILY_GROUPS,
        FAMILY_GROUP_WRITE,
        FAMILY_SPACES,
        FAMILY_SPACE_PERMISSIONS,
        FAMILY_SPACE_PERMISSION_WRITE,
        FAMILY_SPACE_ROLES,
        FAMILY_ROLE_ASSIGNMENT_WRITE,
        FAMILY_USERS_BULK,
        FAMILY_CONTENT,
        FAMILY_CONTENT_RESTRICTION_WRITE,
    }
)


@dataclass(frozen=True)
class FaultSpec:
    """Probabilities (0..1, per request) of transport faults; at most one fault hits a request.

    The draws come from their own `random.Random(seed)`, so a fault sequence is reproducible for a
    given order of requests (with concurrent clients the order itself varies).
    """

    p_429: float = 0.0  # 429 without Retry-After (Atlassian does not always send it)
    p_429_retry_after: float = 0.0  # 429 with Retry-After, like a real rate-limit answer
    p_503: float = 0.0  # 503 without Retry-After
    p_503_retry_after: float = 0.0  # 503 with Retry-After (resource limits, treat like 429)
    p_reset: float = 0.0  # close the socket without answering
    p_slow: float = 0.0  # answer normally after an extra delay
    slow_ms: int = 500
    retry_after_s: int = 1
    # The first request whose path starts with this gets a JSON body cut in half (once per site).
    truncate_once_path: str | None = None
    seed: int = 0

    @property
    def any(self) -> bool:
        return (
            self.p_429 + self.p_429_retry_after + self.p_503 + self.p_503_retry_after
            + self.p_reset + self.p_slow > 0
            or self.truncate_once_path is not None
        )


@dataclass(frozen=True)
class SiteSpec:
    """The simulated Confluence Cloud site. Defaults give a small, demo-sized site."""

    seed: int = 1
    # --- data -------------------------------------------------------------------------------
    users: int = 50  # human (accountType atlassian) accounts, guests excluded
    groups: int = 12  # including the default groups
    spaces: int = 20
    permissions_per_space: int = 12  # approximate; the generator aims near it
    personal_space_fraction: float = 0.2
    archived_space_fraction: float = 0.1
    deactivated_fraction: float = 0.08
    email_visible_fraction: float = 0.7  # the rest hide their email (privacy setting)
    app_accounts: int = 3  # accountType "app" (bots acting for Atlassian/Marketplace apps)
    guest_accounts: int = 2  # external collaborators
    customer_accounts: int = 0  # accountType "customer" (JSM portal-only accounts)
    big_group_size: int | None = None  # members of each big default group; None = 90% of users
    members_per_group: int = 8  # average for the non-default groups
    rbac_enabled: bool = False  # space-role-mode ROLES (True) or PRE_ROLES (False)
    custom_roles: int = 2
    newer_permissions: bool = False  # space owners also hold archive-whiteboard/database/embed, copy-page, move-page
    variants: DataVariants = field(default_factory=DataVariants)  # switches for rarer data shapes
    # --- the calling account ----------------------------------------------------------------
    username: str = "admin@example.com"
    api_token: str = "simulated-api-token"
    personal_access_token: str | None = None  # Bearer; accepted when set
    password: str = "simulated-password"  # Data Center basic auth (username + password)
    denied: frozenset[str] = frozenset()  # endpoint families (FAMILY_*) the account may not use
    hidden_space_fraction: float = 0.0  # spaces the account cannot see
    # Whether the account is a Confluence administrator; None: it is unless spaces are hidden from it
    # (an account that cannot see every space is, on a real site, typically not an administrator).
    account_admin: bool | None = None
    # --- Data Center flavour ------------------------------------------------------------------
    server_version: str = "9.2.1"  # below 9.1 there is no space-permission REST API (FACTS.md §DC)
    remote_api_enabled: bool = True  # the JSON-RPC remote API's admin toggle (DC_FACTS.md §Remote API)
    remote_api_off_status: int = 403  # what the RPC endpoint answers when off: 403 or 404 (undocumented)
    remote_api_accepts_pat: bool = True  # False: a PAT gets 401 on the RPC endpoint (basic auth still works)
    spaces_unfiltered_include_archived: bool = False  # DC `/space` without `status`: current only unless True
    # --- transport --------------------------------------------------------------------------
    latency_ms: int = 0
    rate_limit_rps: float | None = None  # token bucket, burst = rps; None = unlimited
    # False: successful answers carry no X-RateLimit-* headers, so only a 429 says the bucket is
    # empty (whether every API warns ahead is not documented; FACTS.md §Transport)
    rate_limit_warns: bool = True
    faults: FaultSpec = field(default_factory=FaultSpec)
    # --- API limits (overridable so tests stay fast) ----------------------------------------
    search_cap: int = 10_000  # user search returns nothing at or beyond this offset
    search_max_limit: int = 1000  # page size cap for user search (not documented; see FACTS.md)
    # How v1 listings page: `_links.next`, page caps, echoed limit, totalSize (paging_spec.py).
    paging: PagingSpec = field(default_factory=PagingSpec)
    # --- the site itself and its organization (issue 20; site_admin_spec.py) ------------------
    site_admin: SiteAdminSpec = field(default_factory=SiteAdminSpec)

    # --- content ------------------------------------------------------------------------------
    # Pages and blog posts with restrictions (content_spec.py); read only by restricted-content syncs.
    content: ContentSpec = field(default_factory=ContentSpec)

    # --- Atlassian's API gateway and token service (gateway.py, a second listener) -------------
    gateway: GatewaySpec = field(default_factory=GatewaySpec)

    @property
    def account_is_admin(self) -> bool:
        return self.account_admin if self.account_admin is not None else self.hidden_space_fraction == 0.0

    def __post_init__(self) -> None:
        unknown = set(self.denied) - ALL_FAMILIES
        if unknown:
            raise ValueError(f"unknown endpoint families in denied: {sorted(unknown)}")
        for name in (
            "personal_space_fraction",
            "archived_space_fraction",
            "deactivated_fraction",
            "email_visible_fraction",
            "hidden_space_fraction",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")
        if self.users < 1:
            raise ValueError("a site needs at least one user (the calling admin)")
        if self.variants.app_permissions and self.app_accounts < 1:
            raise ValueError("variants.app_permissions needs at least one app account")
        if self.rate_limit_rps is not None and self.rate_limit_rps <= 0:
            raise ValueError("rate_limit_rps must be positive or None")
