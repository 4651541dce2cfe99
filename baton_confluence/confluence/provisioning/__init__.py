"""Grant and Revoke: group membership, space permissions and space role assignments.

One mixin per provisionable resource type, mixed into that type's syncer (which owns `ctx`):

- `group_membership.GroupMemberProvisioner` (group syncer): `group:<gid>:member` to users.
- `space_permissions.SpacePermissionProvisioner` (space syncer, non-RBAC mode):
  `space:<sid>:<verb>-<noun>` to users and groups.
- `role_assignments.RoleAssignmentProvisioner` (space_role_assignment syncer, RBAC mode):
  `space_role_assignment:<sid>:<rid>:assigned` to users and groups.

Shared rules: every existence check reads the API directly (never the per-sync cache, whose pages
can be an hour old: upstream's stale-GET bug); "already there" and "already gone" succeed with
GrantAlreadyExists / GrantAlreadyRevoked; errors are ConnectorErrors naming the entitlement, the
principal and the space; side effects the caller did not ask for (the read-space cascade, a role
replaced) are logged as warnings and reported in a `GrantMetadata` response annotation.

The syncers mix these in and import them; provisioning never imports the syncers (it reads the
syncer's context through `context.ProvisioningContext`, and builds grants with the leaf modules
`confluence/grants.py` and `confluence/resource_types.py` that both share).
"""
