from google.protobuf import any_pb2 as _any_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_USAGE: _ClassVar[EventType]
    EVENT_TYPE_RESOURCE_CHANGE: _ClassVar[EventType]
    EVENT_TYPE_CREATE_GRANT: _ClassVar[EventType]
    EVENT_TYPE_CREATE_REVOKE: _ClassVar[EventType]
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_USAGE: EventType
EVENT_TYPE_RESOURCE_CHANGE: EventType
EVENT_TYPE_CREATE_GRANT: EventType
EVENT_TYPE_CREATE_REVOKE: EventType

class ListEventFeedsRequest(_message.Message):
    __slots__ = ("annotations",)
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class ListEventFeedsResponse(_message.Message):
    __slots__ = ("list", "annotations")
    LIST_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    list: _containers.RepeatedCompositeFieldContainer[EventFeedMetadata]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, list: _Optional[_Iterable[_Union[EventFeedMetadata, _Mapping]]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...

class EventFeedMetadata(_message.Message):
    __slots__ = ("id", "supported_event_types")
    ID_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    id: str
    supported_event_types: _containers.RepeatedScalarFieldContainer[EventType]
    def __init__(self, id: _Optional[str] = ..., supported_event_types: _Optional[_Iterable[_Union[EventType, str]]] = ...) -> None: ...
