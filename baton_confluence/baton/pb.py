"""Short names for the generated protobuf/gRPC modules (generated into `baton_confluence.pb`).

Use ``from baton_confluence.baton import pb`` and then e.g. ``pb.resource.Resource``,
``pb.trait.UserTrait``, ``pb.grant_grpc.GrantsServiceServicer``. Regenerate the modules with
``make protos`` after editing anything under ``proto/``.
"""

from __future__ import annotations

from google.rpc import status_pb2 as rpc_status

from baton_confluence.pb.c1.c1z.v1 import annotation_sync_details_pb2 as sync_details
from baton_confluence.pb.c1.config.v1 import config_pb2 as config
from baton_confluence.pb.c1.config.v1 import rules_pb2 as config_rules
from baton_confluence.pb.c1.connector.v2 import annotation_baton_id_pb2 as baton_id
from baton_confluence.pb.c1.connector.v2 import annotation_entitlement_pb2 as entitlement_annotations
from baton_confluence.pb.c1.connector.v2 import annotation_external_link_pb2 as external_link
from baton_confluence.pb.c1.connector.v2 import annotation_grant_pb2 as grant_annotations
from baton_confluence.pb.c1.connector.v2 import annotation_ratelimit_pb2 as ratelimit
from baton_confluence.pb.c1.connector.v2 import annotation_resource_pb2 as resource_annotations
from baton_confluence.pb.c1.connector.v2 import annotation_resource_tree_pb2 as resource_tree
from baton_confluence.pb.c1.connector.v2 import annotation_trait_pb2 as trait
from baton_confluence.pb.c1.connector.v2 import asset_pb2 as asset
from baton_confluence.pb.c1.connector.v2 import connector_pb2 as connector
from baton_confluence.pb.c1.connector.v2 import connector_pb2_grpc as connector_grpc
from baton_confluence.pb.c1.connector.v2 import entitlement_pb2 as entitlement
from baton_confluence.pb.c1.connector.v2 import entitlement_pb2_grpc as entitlement_grpc
from baton_confluence.pb.c1.connector.v2 import event_feed_pb2 as event_feed
from baton_confluence.pb.c1.connector.v2 import grant_pb2 as grant
from baton_confluence.pb.c1.connector.v2 import grant_pb2_grpc as grant_grpc
from baton_confluence.pb.c1.connector.v2 import resource_pb2 as resource
from baton_confluence.pb.c1.connector.v2 import resource_pb2_grpc as resource_grpc
from baton_confluence.pb.c1.connectorapi.baton.v1 import baton_pb2 as baton
from baton_confluence.pb.c1.connectorapi.baton.v1 import baton_pb2_grpc as baton_grpc
from baton_confluence.pb.c1.reader.v2 import sync_pb2 as reader_sync

TYPE_URL_PREFIX = "type.googleapis.com/"

__all__ = [
    "TYPE_URL_PREFIX",
    "asset",
    "baton",
    "baton_grpc",
    "baton_id",
    "config",
    "config_rules",
    "connector",
    "connector_grpc",
    "entitlement",
    "entitlement_annotations",
    "entitlement_grpc",
    "event_feed",
    "external_link",
    "grant",
    "grant_annotations",
    "grant_grpc",
    "ratelimit",
    "reader_sync",
    "resource",
    "resource_annotations",
    "resource_grpc",
    "resource_tree",
    "rpc_status",
    "sync_details",
    "trait",
]
