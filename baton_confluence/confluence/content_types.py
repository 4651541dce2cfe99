"""The resource types and entitlement slugs of restricted content (docs/restricted-content.md).

New in this connector (the Go connector has no content resources): `page:<contentId>` and
`blogpost:<contentId>`, each with `view` (its read restriction lists the principal) and `edit`
(its update restriction does), so `page:<id>:view`, `blogpost:<id>:edit`, ...
"""

from __future__ import annotations

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.inspect import LayeredAccessRule
from baton_confluence.confluence.client import ContentType, EndpointGone, RestrictionOperation

PAGE = "page"
BLOGPOST = "blogpost"
VIEW = "view"
EDIT = "edit"
CONTENT_RESOURCE_TYPES = {ContentType.PAGE: PAGE, ContentType.BLOGPOST: BLOGPOST}
SLUG_OF = {RestrictionOperation.READ: VIEW, RestrictionOperation.UPDATE: EDIT}
OPERATION_OF = {slug: operation for operation, slug in SLUG_OF.items()}
# Profile keys of a content resource; `inspect restricted` names ANCESTORS_KEY (connector's rule).
ANCESTORS_KEY = "ancestor_ids"
SPACE_ID_KEY = "space_id"
NAMES = {ContentType.PAGE: ("Page", "page"), ContentType.BLOGPOST: ("Blog Post", "blog post")}


def content_type_resource(content_type: ContentType) -> pb.resource.ResourceType:
    """No trait: a page is a secured object, like a space (which has none either). Opt-in, like
    space roles: only `--sync-restricted-content` syncs it."""
    name, noun = NAMES[content_type]
    return pb.resource.ResourceType(
        id=CONTENT_RESOURCE_TYPES[content_type],
        display_name=name,
        description=f"A {noun} with a view or edit restriction of its own (--sync-restricted-content); "
        "granting and revoking view/edit is Confluence Cloud only, not supported on Data Center",
        annotations=ann.pack_all([pb.connector.OptInRequired()]),
    )


def content_access_rule() -> LayeredAccessRule:
    """Confluence's view rule, for `inspect restricted` and the review page: a person can view a
    page only if they can view its space (`read-space`, directly, through a group or an access
    class) and pass the view restriction of the page and of each restricted ancestor (a layer is
    passed by being listed or in a listed group); edit restrictions do not inherit."""
    from baton_confluence.confluence.permissions import Permission
    from baton_confluence.confluence.resource_types import ACCESS_CLASS, SPACE

    return LayeredAccessRule(
        resource_types=(PAGE, BLOGPOST),
        layer_slug=VIEW,
        container_slug=Permission("read", SPACE).slug,
        ancestors_profile_key=ANCESTORS_KEY,
        open_access_types=frozenset({ACCESS_CLASS}),
    )


DROP_OPTION = "drop --sync-restricted-content"


def content_gone_fix(gone: EndpointGone) -> str:
    """What to do when a v1 content endpoint answers 410 Gone: the gateway's own fix for an OAuth 2.0
    token (a scoped API token, client/errors.py) or leaving the option off; without a gateway fix,
    only leaving the option off helps."""
    if gone.fix:
        return f"{gone.fix}, or {DROP_OPTION}"
    return f"{DROP_OPTION} (the site no longer serves it to these credentials)"


def content_gone_detail(gone: EndpointGone, consequence: str) -> str:
    """The one log line's detail: the error (which already names the gateway's fix), what is not
    synced, and the rest of the fix."""
    rest = f"or {DROP_OPTION}" if gone.fix else content_gone_fix(gone)
    return f"{gone.message}: {consequence}; {rest}"
