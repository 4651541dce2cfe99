import datetime

from baton_confluence.pb.c1.connector.v2 import connector_pb2 as _connector_pb2
from baton_confluence.pb.c1.connector.v2 import entitlement_pb2 as _entitlement_pb2
from baton_confluence.pb.c1.connector.v2 import grant_pb2 as _grant_pb2
from baton_confluence.pb.c1.connector.v2 import resource_pb2 as _resource_pb2
from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Task(_message.Message):
    __slots__ = ("id", "status", "debug", "none", "hello", "sync_full", "grant", "revoke", "create_account", "create_resource", "delete_resource", "rotate_credentials", "event_feed", "create_ticket_task", "list_ticket_schemas", "get_ticket", "bulk_create_tickets", "bulk_get_tickets", "action_list_schemas", "action_get_schema", "action_invoke", "action_status", "create_sync_diff", "compact_syncs", "list_event_feeds", "list_events", "issue_credential")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Task.Status]
        STATUS_PENDING: _ClassVar[Task.Status]
        STATUS_SCHEDULED: _ClassVar[Task.Status]
        STATUS_RUNNING: _ClassVar[Task.Status]
        STATUS_FINISHED: _ClassVar[Task.Status]
    STATUS_UNSPECIFIED: Task.Status
    STATUS_PENDING: Task.Status
    STATUS_SCHEDULED: Task.Status
    STATUS_RUNNING: Task.Status
    STATUS_FINISHED: Task.Status
    class NoneTask(_message.Message):
        __slots__ = ("annotations",)
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class HelloTask(_message.Message):
        __slots__ = ("annotations",)
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class SyncFullTask(_message.Message):
        __slots__ = ("annotations", "skip_expand_grants", "skip_entitlements_and_grants", "targeted_sync_resources", "sync_resource_type_ids", "skip_grants", "storage_engine")
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        SKIP_EXPAND_GRANTS_FIELD_NUMBER: _ClassVar[int]
        SKIP_ENTITLEMENTS_AND_GRANTS_FIELD_NUMBER: _ClassVar[int]
        TARGETED_SYNC_RESOURCES_FIELD_NUMBER: _ClassVar[int]
        SYNC_RESOURCE_TYPE_IDS_FIELD_NUMBER: _ClassVar[int]
        SKIP_GRANTS_FIELD_NUMBER: _ClassVar[int]
        STORAGE_ENGINE_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        skip_expand_grants: bool
        skip_entitlements_and_grants: bool
        targeted_sync_resources: _containers.RepeatedCompositeFieldContainer[_resource_pb2.Resource]
        sync_resource_type_ids: _containers.RepeatedScalarFieldContainer[str]
        skip_grants: bool
        storage_engine: str
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., skip_expand_grants: _Optional[bool] = ..., skip_entitlements_and_grants: _Optional[bool] = ..., targeted_sync_resources: _Optional[_Iterable[_Union[_resource_pb2.Resource, _Mapping]]] = ..., sync_resource_type_ids: _Optional[_Iterable[str]] = ..., skip_grants: _Optional[bool] = ..., storage_engine: _Optional[str] = ...) -> None: ...
    class GrantTask(_message.Message):
        __slots__ = ("entitlement", "principal", "annotations", "duration")
        ENTITLEMENT_FIELD_NUMBER: _ClassVar[int]
        PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        DURATION_FIELD_NUMBER: _ClassVar[int]
        entitlement: _entitlement_pb2.Entitlement
        principal: _resource_pb2.Resource
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        duration: _duration_pb2.Duration
        def __init__(self, entitlement: _Optional[_Union[_entitlement_pb2.Entitlement, _Mapping]] = ..., principal: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
    class RevokeTask(_message.Message):
        __slots__ = ("grant", "annotations")
        GRANT_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        grant: _grant_pb2.Grant
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, grant: _Optional[_Union[_grant_pb2.Grant, _Mapping]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class EventFeedTask(_message.Message):
        __slots__ = ("annotations", "start_at")
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        START_AT_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        start_at: _timestamp_pb2.Timestamp
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
    class ListEventsTask(_message.Message):
        __slots__ = ("annotations", "cursor", "start_at", "event_feed_id", "page_size")
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        CURSOR_FIELD_NUMBER: _ClassVar[int]
        START_AT_FIELD_NUMBER: _ClassVar[int]
        EVENT_FEED_ID_FIELD_NUMBER: _ClassVar[int]
        PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        cursor: str
        start_at: _timestamp_pb2.Timestamp
        event_feed_id: str
        page_size: int
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., cursor: _Optional[str] = ..., start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_feed_id: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...
    class ListEventFeedsTask(_message.Message):
        __slots__ = ("annotations",)
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class CreateAccountTask(_message.Message):
        __slots__ = ("resource_type_id",)
        RESOURCE_TYPE_ID_FIELD_NUMBER: _ClassVar[int]
        resource_type_id: str
        def __init__(self, resource_type_id: _Optional[str] = ...) -> None: ...
    class CreateResourceTask(_message.Message):
        __slots__ = ("resource",)
        RESOURCE_FIELD_NUMBER: _ClassVar[int]
        resource: _resource_pb2.Resource
        def __init__(self, resource: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ...) -> None: ...
    class DeleteResourceTask(_message.Message):
        __slots__ = ("resource_id", "parent_resource_id")
        RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
        PARENT_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
        resource_id: _resource_pb2.ResourceId
        parent_resource_id: _resource_pb2.ResourceId
        def __init__(self, resource_id: _Optional[_Union[_resource_pb2.ResourceId, _Mapping]] = ..., parent_resource_id: _Optional[_Union[_resource_pb2.ResourceId, _Mapping]] = ...) -> None: ...
    class RotateCredentialsTask(_message.Message):
        __slots__ = ("resource_id",)
        RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
        resource_id: _resource_pb2.ResourceId
        def __init__(self, resource_id: _Optional[_Union[_resource_pb2.ResourceId, _Mapping]] = ...) -> None: ...
    class IssueCredentialTask(_message.Message):
        __slots__ = ("identity_id", "expires_at")
        IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
        EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
        identity_id: _resource_pb2.ResourceId
        expires_at: _timestamp_pb2.Timestamp
        def __init__(self, identity_id: _Optional[_Union[_resource_pb2.ResourceId, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
    class CreateTicketTask(_message.Message):
        __slots__ = ("annotations",)
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class BulkCreateTicketsTask(_message.Message):
        __slots__ = ("ticket_requests",)
        TICKET_REQUESTS_FIELD_NUMBER: _ClassVar[int]
        ticket_requests: _containers.RepeatedCompositeFieldContainer[Task.CreateTicketTask]
        def __init__(self, ticket_requests: _Optional[_Iterable[_Union[Task.CreateTicketTask, _Mapping]]] = ...) -> None: ...
    class BulkGetTicketsTask(_message.Message):
        __slots__ = ("ticket_requests",)
        TICKET_REQUESTS_FIELD_NUMBER: _ClassVar[int]
        ticket_requests: _containers.RepeatedCompositeFieldContainer[Task.GetTicketTask]
        def __init__(self, ticket_requests: _Optional[_Iterable[_Union[Task.GetTicketTask, _Mapping]]] = ...) -> None: ...
    class ListTicketSchemasTask(_message.Message):
        __slots__ = ("annotations",)
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class GetTicketTask(_message.Message):
        __slots__ = ("ticket_id", "annotations")
        TICKET_ID_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        ticket_id: str
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, ticket_id: _Optional[str] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class ActionListSchemasTask(_message.Message):
        __slots__ = ("annotations", "resource_type_id")
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        RESOURCE_TYPE_ID_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        resource_type_id: str
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., resource_type_id: _Optional[str] = ...) -> None: ...
    class ActionGetSchemaTask(_message.Message):
        __slots__ = ("name", "annotations")
        NAME_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        name: str
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, name: _Optional[str] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class ActionInvokeTask(_message.Message):
        __slots__ = ("name", "annotations", "resource_type_id")
        NAME_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        RESOURCE_TYPE_ID_FIELD_NUMBER: _ClassVar[int]
        name: str
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        resource_type_id: str
        def __init__(self, name: _Optional[str] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., resource_type_id: _Optional[str] = ...) -> None: ...
    class ActionStatusTask(_message.Message):
        __slots__ = ("name", "id", "annotations")
        NAME_FIELD_NUMBER: _ClassVar[int]
        ID_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        name: str
        id: str
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, name: _Optional[str] = ..., id: _Optional[str] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class CreateSyncDiffTask(_message.Message):
        __slots__ = ("base_sync_id", "new_sync_id", "annotations")
        BASE_SYNC_ID_FIELD_NUMBER: _ClassVar[int]
        NEW_SYNC_ID_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        base_sync_id: str
        new_sync_id: str
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, base_sync_id: _Optional[str] = ..., new_sync_id: _Optional[str] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class CompactSyncs(_message.Message):
        __slots__ = ("compactable_syncs", "annotations")
        class CompactableSync(_message.Message):
            __slots__ = ("file_path", "sync_id")
            FILE_PATH_FIELD_NUMBER: _ClassVar[int]
            SYNC_ID_FIELD_NUMBER: _ClassVar[int]
            file_path: str
            sync_id: str
            def __init__(self, file_path: _Optional[str] = ..., sync_id: _Optional[str] = ...) -> None: ...
        COMPACTABLE_SYNCS_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        compactable_syncs: _containers.RepeatedCompositeFieldContainer[Task.CompactSyncs.CompactableSync]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, compactable_syncs: _Optional[_Iterable[_Union[Task.CompactSyncs.CompactableSync, _Mapping]]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DEBUG_FIELD_NUMBER: _ClassVar[int]
    NONE_FIELD_NUMBER: _ClassVar[int]
    HELLO_FIELD_NUMBER: _ClassVar[int]
    SYNC_FULL_FIELD_NUMBER: _ClassVar[int]
    GRANT_FIELD_NUMBER: _ClassVar[int]
    REVOKE_FIELD_NUMBER: _ClassVar[int]
    CREATE_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CREATE_RESOURCE_FIELD_NUMBER: _ClassVar[int]
    DELETE_RESOURCE_FIELD_NUMBER: _ClassVar[int]
    ROTATE_CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    EVENT_FEED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TICKET_TASK_FIELD_NUMBER: _ClassVar[int]
    LIST_TICKET_SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    GET_TICKET_FIELD_NUMBER: _ClassVar[int]
    BULK_CREATE_TICKETS_FIELD_NUMBER: _ClassVar[int]
    BULK_GET_TICKETS_FIELD_NUMBER: _ClassVar[int]
    ACTION_LIST_SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    ACTION_GET_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    ACTION_INVOKE_FIELD_NUMBER: _ClassVar[int]
    ACTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_SYNC_DIFF_FIELD_NUMBER: _ClassVar[int]
    COMPACT_SYNCS_FIELD_NUMBER: _ClassVar[int]
    LIST_EVENT_FEEDS_FIELD_NUMBER: _ClassVar[int]
    LIST_EVENTS_FIELD_NUMBER: _ClassVar[int]
    ISSUE_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: Task.Status
    debug: bool
    none: Task.NoneTask
    hello: Task.HelloTask
    sync_full: Task.SyncFullTask
    grant: Task.GrantTask
    revoke: Task.RevokeTask
    create_account: Task.CreateAccountTask
    create_resource: Task.CreateResourceTask
    delete_resource: Task.DeleteResourceTask
    rotate_credentials: Task.RotateCredentialsTask
    event_feed: Task.EventFeedTask
    create_ticket_task: Task.CreateTicketTask
    list_ticket_schemas: Task.ListTicketSchemasTask
    get_ticket: Task.GetTicketTask
    bulk_create_tickets: Task.BulkCreateTicketsTask
    bulk_get_tickets: Task.BulkGetTicketsTask
    action_list_schemas: Task.ActionListSchemasTask
    action_get_schema: Task.ActionGetSchemaTask
    action_invoke: Task.ActionInvokeTask
    action_status: Task.ActionStatusTask
    create_sync_diff: Task.CreateSyncDiffTask
    compact_syncs: Task.CompactSyncs
    list_event_feeds: Task.ListEventFeedsTask
    list_events: Task.ListEventsTask
    issue_credential: Task.IssueCredentialTask
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[Task.Status, str]] = ..., debug: _Optional[bool] = ..., none: _Optional[_Union[Task.NoneTask, _Mapping]] = ..., hello: _Optional[_Union[Task.HelloTask, _Mapping]] = ..., sync_full: _Optional[_Union[Task.SyncFullTask, _Mapping]] = ..., grant: _Optional[_Union[Task.GrantTask, _Mapping]] = ..., revoke: _Optional[_Union[Task.RevokeTask, _Mapping]] = ..., create_account: _Optional[_Union[Task.CreateAccountTask, _Mapping]] = ..., create_resource: _Optional[_Union[Task.CreateResourceTask, _Mapping]] = ..., delete_resource: _Optional[_Union[Task.DeleteResourceTask, _Mapping]] = ..., rotate_credentials: _Optional[_Union[Task.RotateCredentialsTask, _Mapping]] = ..., event_feed: _Optional[_Union[Task.EventFeedTask, _Mapping]] = ..., create_ticket_task: _Optional[_Union[Task.CreateTicketTask, _Mapping]] = ..., list_ticket_schemas: _Optional[_Union[Task.ListTicketSchemasTask, _Mapping]] = ..., get_ticket: _Optional[_Union[Task.GetTicketTask, _Mapping]] = ..., bulk_create_tickets: _Optional[_Union[Task.BulkCreateTicketsTask, _Mapping]] = ..., bulk_get_tickets: _Optional[_Union[Task.BulkGetTicketsTask, _Mapping]] = ..., action_list_schemas: _Optional[_Union[Task.ActionListSchemasTask, _Mapping]] = ..., action_get_schema: _Optional[_Union[Task.ActionGetSchemaTask, _Mapping]] = ..., action_invoke: _Optional[_Union[Task.ActionInvokeTask, _Mapping]] = ..., action_status: _Optional[_Union[Task.ActionStatusTask, _Mapping]] = ..., create_sync_diff: _Optional[_Union[Task.CreateSyncDiffTask, _Mapping]] = ..., compact_syncs: _Optional[_Union[Task.CompactSyncs, _Mapping]] = ..., list_event_feeds: _Optional[_Union[Task.ListEventFeedsTask, _Mapping]] = ..., list_events: _Optional[_Union[Task.ListEventsTask, _Mapping]] = ..., issue_credential: _Optional[_Union[Task.IssueCredentialTask, _Mapping]] = ...) -> None: ...

class BatonServiceHelloRequest(_message.Message):
    __slots__ = ("host_id", "task_id", "build_info", "os_info", "connector_metadata", "annotations")
    class BuildInfo(_message.Message):
        __slots__ = ("lang_version", "package", "package_version")
        LANG_VERSION_FIELD_NUMBER: _ClassVar[int]
        PACKAGE_FIELD_NUMBER: _ClassVar[int]
        PACKAGE_VERSION_FIELD_NUMBER: _ClassVar[int]
        lang_version: str
        package: str
        package_version: str
        def __init__(self, lang_version: _Optional[str] = ..., package: _Optional[str] = ..., package_version: _Optional[str] = ...) -> None: ...
    class OSInfo(_message.Message):
        __slots__ = ("hostname", "os", "platform", "platform_version", "platform_family", "kernel_version", "kernel_arch", "virtualization_system")
        HOSTNAME_FIELD_NUMBER: _ClassVar[int]
        OS_FIELD_NUMBER: _ClassVar[int]
        PLATFORM_FIELD_NUMBER: _ClassVar[int]
        PLATFORM_VERSION_FIELD_NUMBER: _ClassVar[int]
        PLATFORM_FAMILY_FIELD_NUMBER: _ClassVar[int]
        KERNEL_VERSION_FIELD_NUMBER: _ClassVar[int]
        KERNEL_ARCH_FIELD_NUMBER: _ClassVar[int]
        VIRTUALIZATION_SYSTEM_FIELD_NUMBER: _ClassVar[int]
        hostname: str
        os: str
        platform: str
        platform_version: str
        platform_family: str
        kernel_version: str
        kernel_arch: str
        virtualization_system: str
        def __init__(self, hostname: _Optional[str] = ..., os: _Optional[str] = ..., platform: _Optional[str] = ..., platform_version: _Optional[str] = ..., platform_family: _Optional[str] = ..., kernel_version: _Optional[str] = ..., kernel_arch: _Optional[str] = ..., virtualization_system: _Optional[str] = ...) -> None: ...
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    BUILD_INFO_FIELD_NUMBER: _ClassVar[int]
    OS_INFO_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_METADATA_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    task_id: str
    build_info: BatonServiceHelloRequest.BuildInfo
    os_info: BatonServiceHelloRequest.OSInfo
    connector_metadata: _connector_pb2.ConnectorMetadata
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, host_id: _Optional[str] = ..., task_id: _Optional[str] = ..., build_info: _Optional[_Union[BatonServiceHelloRequest.BuildInfo, _Mapping]] = ..., os_info: _Optional[_Union[BatonServiceHelloRequest.OSInfo, _Mapping]] = ..., connector_metadata: _Optional[_Union[_connector_pb2.ConnectorMetadata, _Mapping]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class BatonServiceHelloResponse(_message.Message):
    __slots__ = ("annotations",)
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class BatonServiceGetTaskRequest(_message.Message):
    __slots__ = ("host_id",)
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    def __init__(self, host_id: _Optional[str] = ...) -> None: ...

class BatonServiceGetTaskResponse(_message.Message):
    __slots__ = ("task", "next_poll", "next_heartbeat", "annotations")
    TASK_FIELD_NUMBER: _ClassVar[int]
    NEXT_POLL_FIELD_NUMBER: _ClassVar[int]
    NEXT_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    task: Task
    next_poll: _duration_pb2.Duration
    next_heartbeat: _duration_pb2.Duration
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ..., next_poll: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., next_heartbeat: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class BatonServiceGetTasksRequest(_message.Message):
    __slots__ = ("host_id", "page_size", "known_task_ids", "annotations")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    page_size: int
    known_task_ids: _containers.RepeatedScalarFieldContainer[str]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, host_id: _Optional[str] = ..., page_size: _Optional[int] = ..., known_task_ids: _Optional[_Iterable[str]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class BatonServiceGetTasksResponse(_message.Message):
    __slots__ = ("tasks", "next_poll", "next_heartbeat", "annotations")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_POLL_FIELD_NUMBER: _ClassVar[int]
    NEXT_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[Task]
    next_poll: _duration_pb2.Duration
    next_heartbeat: _duration_pb2.Duration
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, tasks: _Optional[_Iterable[_Union[Task, _Mapping]]] = ..., next_poll: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., next_heartbeat: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class BatonServiceHeartbeatRequest(_message.Message):
    __slots__ = ("host_id", "task_id", "annotations", "task_ids")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    task_id: str
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    task_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, host_id: _Optional[str] = ..., task_id: _Optional[str] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., task_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatonServiceHeartbeatResponse(_message.Message):
    __slots__ = ("next_heartbeat", "cancelled", "annotations", "cancelled_task_ids")
    NEXT_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    next_heartbeat: _duration_pb2.Duration
    cancelled: bool
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    cancelled_task_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, next_heartbeat: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., cancelled: _Optional[bool] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., cancelled_task_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatonServiceUploadAssetRequest(_message.Message):
    __slots__ = ("metadata", "data", "eof")
    class UploadMetadata(_message.Message):
        __slots__ = ("host_id", "task_id", "annotations")
        HOST_ID_FIELD_NUMBER: _ClassVar[int]
        TASK_ID_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        host_id: str
        task_id: str
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, host_id: _Optional[str] = ..., task_id: _Optional[str] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    class UploadData(_message.Message):
        __slots__ = ("data",)
        DATA_FIELD_NUMBER: _ClassVar[int]
        data: bytes
        def __init__(self, data: _Optional[bytes] = ...) -> None: ...
    class UploadEOF(_message.Message):
        __slots__ = ("sha256_checksum", "annotations")
        SHA256_CHECKSUM_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        sha256_checksum: bytes
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        def __init__(self, sha256_checksum: _Optional[bytes] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    EOF_FIELD_NUMBER: _ClassVar[int]
    metadata: BatonServiceUploadAssetRequest.UploadMetadata
    data: BatonServiceUploadAssetRequest.UploadData
    eof: BatonServiceUploadAssetRequest.UploadEOF
    def __init__(self, metadata: _Optional[_Union[BatonServiceUploadAssetRequest.UploadMetadata, _Mapping]] = ..., data: _Optional[_Union[BatonServiceUploadAssetRequest.UploadData, _Mapping]] = ..., eof: _Optional[_Union[BatonServiceUploadAssetRequest.UploadEOF, _Mapping]] = ...) -> None: ...

class BatonServiceUploadAssetResponse(_message.Message):
    __slots__ = ("annotations",)
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class BatonServiceFinishTaskRequest(_message.Message):
    __slots__ = ("host_id", "task_id", "status", "error", "success")
    class Error(_message.Message):
        __slots__ = ("non_retryable", "annotations", "response")
        NON_RETRYABLE_FIELD_NUMBER: _ClassVar[int]
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        RESPONSE_FIELD_NUMBER: _ClassVar[int]
        non_retryable: bool
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        response: _any_pb2.Any
        def __init__(self, non_retryable: _Optional[bool] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., response: _Optional[_Union[_any_pb2.Any, _Mapping]] = ...) -> None: ...
    class Success(_message.Message):
        __slots__ = ("annotations", "response")
        ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
        RESPONSE_FIELD_NUMBER: _ClassVar[int]
        annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
        response: _any_pb2.Any
        def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., response: _Optional[_Union[_any_pb2.Any, _Mapping]] = ...) -> None: ...
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    task_id: str
    status: _status_pb2.Status
    error: BatonServiceFinishTaskRequest.Error
    success: BatonServiceFinishTaskRequest.Success
    def __init__(self, host_id: _Optional[str] = ..., task_id: _Optional[str] = ..., status: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., error: _Optional[_Union[BatonServiceFinishTaskRequest.Error, _Mapping]] = ..., success: _Optional[_Union[BatonServiceFinishTaskRequest.Success, _Mapping]] = ...) -> None: ...

class BatonServiceFinishTaskResponse(_message.Message):
    __slots__ = ("annotations",)
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class StartDebuggingRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StartDebuggingResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: bool
    def __init__(self, status: _Optional[bool] = ...) -> None: ...
