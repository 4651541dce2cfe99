from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SyncStats(_message.Message):
    __slots__ = ("resource_types", "resources", "entitlements", "grants", "resources_by_resource_type", "grants_by_resource_type", "entitlements_by_resource_type", "assets", "step_durations_ms", "connector_call_stats", "session_store_stats")
    class ResourcesByResourceTypeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class GrantsByResourceTypeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class EntitlementsByResourceTypeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class StepDurationsMsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class ConnectorCallStatsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: CallStat
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[CallStat, _Mapping]] = ...) -> None: ...
    class SessionStoreStatsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: CallStat
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[CallStat, _Mapping]] = ...) -> None: ...
    RESOURCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    ENTITLEMENTS_FIELD_NUMBER: _ClassVar[int]
    GRANTS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_BY_RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    GRANTS_BY_RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENTITLEMENTS_BY_RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ASSETS_FIELD_NUMBER: _ClassVar[int]
    STEP_DURATIONS_MS_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_CALL_STATS_FIELD_NUMBER: _ClassVar[int]
    SESSION_STORE_STATS_FIELD_NUMBER: _ClassVar[int]
    resource_types: int
    resources: int
    entitlements: int
    grants: int
    resources_by_resource_type: _containers.ScalarMap[str, int]
    grants_by_resource_type: _containers.ScalarMap[str, int]
    entitlements_by_resource_type: _containers.ScalarMap[str, int]
    assets: int
    step_durations_ms: _containers.ScalarMap[str, int]
    connector_call_stats: _containers.MessageMap[str, CallStat]
    session_store_stats: _containers.MessageMap[str, CallStat]
    def __init__(self, resource_types: _Optional[int] = ..., resources: _Optional[int] = ..., entitlements: _Optional[int] = ..., grants: _Optional[int] = ..., resources_by_resource_type: _Optional[_Mapping[str, int]] = ..., grants_by_resource_type: _Optional[_Mapping[str, int]] = ..., entitlements_by_resource_type: _Optional[_Mapping[str, int]] = ..., assets: _Optional[int] = ..., step_durations_ms: _Optional[_Mapping[str, int]] = ..., connector_call_stats: _Optional[_Mapping[str, CallStat]] = ..., session_store_stats: _Optional[_Mapping[str, CallStat]] = ...) -> None: ...

class CallStat(_message.Message):
    __slots__ = ("count", "total_ms", "max_ms", "errors", "timeouts")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_MS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUTS_FIELD_NUMBER: _ClassVar[int]
    count: int
    total_ms: int
    max_ms: int
    errors: int
    timeouts: int
    def __init__(self, count: _Optional[int] = ..., total_ms: _Optional[int] = ..., max_ms: _Optional[int] = ..., errors: _Optional[int] = ..., timeouts: _Optional[int] = ...) -> None: ...
