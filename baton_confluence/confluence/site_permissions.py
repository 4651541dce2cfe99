"""The site's global permissions: which `verb-noun` pairs become entitlements on the `site` resource.

Confluence names a global permission like a space permission, by an operation key (the *verb*)
and a target type (the *noun*). Data Center's Global Permissions REST group reports these five
pairs (docs/site-and-activity.md has the table and the sources):

| slug                    | Data Center screen          | Cloud (org admin API product role) |
|-------------------------|-----------------------------|------------------------------------|
| `use-application`       | Can use                     | user role                          |
| `administer-application`| Confluence Administrator    | admin role                         |
| `administer-system`     | System Administrator        | (none)                             |
| `create-space`          | Create Space(s)             | (none)                             |
| `create-personal_space` | Personal Space              | (none)                             |

Target types are normalised (`personalSpace`, `PERSONAL_SPACE` -> `personal_space`) because the
published reference shows the pairs in prose, not their exact spelling (DC_FACTS.md).
"""

from __future__ import annotations

from baton_confluence.confluence.client import Deployment
from baton_confluence.confluence.permissions import Permission

USE_APPLICATION = Permission("use", "application")
ADMINISTER_APPLICATION = Permission("administer", "application")
ADMINISTER_SYSTEM = Permission("administer", "system")
CREATE_SPACE = Permission("create", "space")
CREATE_PERSONAL_SPACE = Permission("create", "personal_space")

DATACENTER_PAIRS = (USE_APPLICATION, ADMINISTER_APPLICATION, ADMINISTER_SYSTEM, CREATE_SPACE, CREATE_PERSONAL_SPACE)
# What the org admin API's Confluence product roles can say (docs/site-and-activity.md §Cloud).
CLOUD_PAIRS = (USE_APPLICATION, ADMINISTER_APPLICATION)

_DESCRIPTIONS = {
    USE_APPLICATION: "Can use Confluence on the site",
    ADMINISTER_APPLICATION: "Is a Confluence administrator of the site",
    ADMINISTER_SYSTEM: "Is a system administrator of the site",
    CREATE_SPACE: "Can create spaces on the site",
    CREATE_PERSONAL_SPACE: "Can create a personal space on the site",
}


def site_pairs(deployment: Deployment) -> tuple[Permission, ...]:
    return DATACENTER_PAIRS if deployment is Deployment.DATACENTER else CLOUD_PAIRS


def describe(permission: Permission) -> str:
    return _DESCRIPTIONS.get(permission, f"Has the {permission.slug} global permission")


def normalise_target(target: str) -> str:
    """`personalSpace`, `PERSONAL_SPACE`, `personal-space` -> `personal_space`."""
    out: list[str] = []
    for char in target.strip():
        if char.isupper() and out and out[-1] != "_":
            out.append("_")
        out.append("_" if char == "-" else char.lower())
    return "".join(out)


def known_pair(operation: str, target: str) -> Permission | None:
    found = Permission(operation.strip().lower(), normalise_target(target))
    return found if found in DATACENTER_PAIRS else None
