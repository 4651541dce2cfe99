"""Capabilities are derived from what each syncer implements, as the Go connector builder does."""

from __future__ import annotations

from collections.abc import Sequence

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.syncer import GrantProvisioner, ResourceSyncer

Capability = pb.connector.Capability


def connector_capabilities(syncers: Sequence[ResourceSyncer]) -> pb.connector.ConnectorCapabilities:
    caps = pb.connector.ConnectorCapabilities()
    connector_level: set[int] = set()
    for syncer in sorted(syncers, key=lambda s: s.resource_type().id):
        resource_type = syncer.resource_type()
        entry = caps.resource_type_capabilities.add()
        entry.resource_type.CopyFrom(resource_type)
        entry.capabilities.append(Capability.CAPABILITY_SYNC)
        connector_level.add(Capability.CAPABILITY_SYNC)
        if isinstance(syncer, GrantProvisioner):
            entry.capabilities.append(Capability.CAPABILITY_PROVISION)
            connector_level.add(Capability.CAPABILITY_PROVISION)
        # An empty CapabilityPermissions is set on purpose: upstream JSON shows "permissions": {}.
        entry.permissions.SetInParent()
        entry.opt_in_required = ann.has(resource_type.annotations, pb.connector.OptInRequired)
    caps.connector_capabilities.extend(sorted(connector_level))
    caps.credential_details.SetInParent()
    return caps
