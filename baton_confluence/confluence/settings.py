"""The connector's own settings, with the same flag names as the Go baton-confluence."""

from __future__ import annotations

from baton_confluence.baton.config.field import Export, setting
from baton_confluence.baton.config.settings import BatonSettings, CommaList
from baton_confluence.baton.errors import UsageError

DEFAULT_ADMIN_API_URL = "https://api.atlassian.com"  # the organization admin API (client/org_admin.py)
SUGGESTED_NOUNS = ("space",)
SUGGESTED_VERBS = ("administer", "create", "delete", "export", "read", "restrict_content")


class SettingsError(UsageError):
    """A Confluence setting is missing, wrong, or impossible for the site; the message names the
    flag and the fix. A usage error of the runtime's error tree (exit 2)."""


class ConfluenceSettings(BatonSettings):
    api_key: str = setting(
        "",
        "The API key for your Confluence account",
        display_name="API Key",
        required=True,
        secret=True,
        export=Export.GUI,
    )
    domain_url: str = setting(
        "",
        # Exported fields keep the Go connector's wording: the platform shows it to users.
        "The domain URL for your Confluence account",
        display_name="Domain URL",
        placeholder="https://example.atlassian.net",
        required=True,
        export=Export.GUI,
    )
    username: str = setting(
        "",
        "The username for your Confluence account",
        display_name="Username",
        placeholder="user@example.com",
        required=True,
        export=Export.GUI,
    )
    skip_personal_spaces: bool = setting(
        False,
        "Skip syncing personal spaces and their permissions",
        display_name="Skip Personal Spaces",
        export=Export.GUI,
    )
    # The Go connector once turned these UI suggestions into runtime defaults and silently synced
    # less (#30, reverted in #45); here too an empty list means every noun and verb.
    noun: CommaList = setting(
        [],
        "The nouns for your Confluence Space sync",
        display_name="Nouns",
        suggested=SUGGESTED_NOUNS,
        export=Export.GUI,
    )
    verb: CommaList = setting(
        [],
        "The verbs for your Confluence Space sync",
        display_name="Verbs",
        suggested=SUGGESTED_VERBS,
        export=Export.GUI,
    )
    use_rbac: bool = setting(
        False,
        "Use Confluence RBAC space roles INSTEAD of granular permissions. WARNING: This will cause the connector "
        "to stop granular permissions (noun x verb) from syncing.",
        display_name="Use RBAC",
        export=Export.GUI,
    )
    dense_role_bindings: bool = setting(
        False, "RBAC: emit a role binding for every space and role, so unheld roles can be requested too"
    )
    include_spaces: CommaList = setting([], "Only sync the spaces with these keys (comma-separated)")
    exclude_spaces: CommaList = setting([], "Never sync the spaces with these keys (comma-separated)")
    skip_archived_spaces: bool = setting(False, "Skip archived spaces and their permissions")
    deployment: str = setting(
        "",
        "cloud or datacenter. Default: *.atlassian.net is Cloud; --personal-access-token or --password mean "
        "Data Center; otherwise Cloud",
    )
    personal_access_token: str = setting(
        "", "Data Center: a personal access token (sent as Bearer; wins over --username/--password)", secret=True
    )
    password: str = setting("", "Data Center: the password for --username (basic auth)", secret=True)
    ca_cert: str = setting(
        "",
        "A PEM file of CA certificates to trust for the site (a private or corporate CA); replaces the default "
        "roots. Proxies come from HTTP_PROXY/HTTPS_PROXY, exemptions from NO_PROXY",
    )
    insecure_skip_verify: bool = setting(
        False, "Do not verify the site's TLS certificate: DANGEROUS, anyone on the path can read the credentials; "
        "use --ca-cert instead"
    )

    # --- the site's activity and the organization admin API (docs/site-and-activity.md) ---------
    last_activity: bool = setting(
        False,
        "Sync each account's last Confluence activity (UserTrait last_login). Cloud: needs --org-id and "
        "--org-api-key; Data Center 9.3+: read from the admin user listing",
    )
    org_id: str = setting("", "Cloud: the Atlassian organization id (admin.atlassian.com), for the organization admin API")
    org_api_key: str = setting(
        "", "Cloud: an organization admin API key (sent as Bearer): last activity and Confluence product roles",
        secret=True,
    )
    admin_api_url: str = setting(
        DEFAULT_ADMIN_API_URL, "Cloud: the organization admin API's address (for proxies and tests)"
    )
    admin_api_max_rps: float = setting(
        0.0, "Cloud: upper bound on organization admin API requests per second, apart from the site's "
        "(0 = adaptive)",
    )

    # --- restricted content (docs/restricted-content.md) ---
    sync_restricted_content: bool = setting(
        False,
        "Also sync the pages and blog posts that carry a view or edit restriction of their own, with who the "
        "restrictions list (reads every page of the synced spaces: about one request per 50 pages)",
    )


    # --- Atlassian Cloud through the API gateway: scoped tokens, OAuth 2.0 (docs/auth.md) ---
    scoped_token: bool = setting(
        False,
        "Cloud: --api-key is a scoped API token (service accounts): call through the API gateway "
        "(--atlassian-api-url/ex/confluence/<cloudId>) instead of the site",
    )
    cloud_id: str = setting(
        "", "Cloud, through the gateway: the site's cloudId (default: read from <domain-url>/_edge/tenant_info)"
    )
    oauth_client_id: str = setting(
        "", "Cloud: the client id of an OAuth 2.0 credential (service account, or a 3LO app with a refresh token)"
    )
    oauth_client_secret: str = setting("", "Cloud: the client secret of that OAuth 2.0 credential", secret=True)
    oauth_refresh_token_file: str = setting(
        "",
        "Cloud, OAuth 2.0 (3LO): a file holding the current refresh token; rewritten after each refresh "
        "(refresh tokens rotate)",
    )
    atlassian_api_url: str = setting("https://api.atlassian.com", "The Atlassian API gateway (for a proxy)")
    atlassian_auth_url: str = setting("https://auth.atlassian.com", "The Atlassian token service (for a proxy)")

    def secrets(self) -> list[str]:
        return [
            self.api_key,
            self.client_secret,
            self.personal_access_token,
            self.password,
            self.org_api_key,
            self.oauth_client_secret,
        ]
