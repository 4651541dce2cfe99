from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WellKnownString(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WELL_KNOWN_STRING_UNSPECIFIED: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_EMAIL: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_HOSTNAME: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_IP: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_IPV4: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_IPV6: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_URI: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_ADDRESS: _ClassVar[WellKnownString]
    WELL_KNOWN_STRING_UUID: _ClassVar[WellKnownString]
WELL_KNOWN_STRING_UNSPECIFIED: WellKnownString
WELL_KNOWN_STRING_EMAIL: WellKnownString
WELL_KNOWN_STRING_HOSTNAME: WellKnownString
WELL_KNOWN_STRING_IP: WellKnownString
WELL_KNOWN_STRING_IPV4: WellKnownString
WELL_KNOWN_STRING_IPV6: WellKnownString
WELL_KNOWN_STRING_URI: WellKnownString
WELL_KNOWN_STRING_ADDRESS: WellKnownString
WELL_KNOWN_STRING_UUID: WellKnownString

class Int64Rules(_message.Message):
    __slots__ = ("eq", "lt", "lte", "gt", "gte", "not_in", "validate_empty", "is_required")
    EQ_FIELD_NUMBER: _ClassVar[int]
    LT_FIELD_NUMBER: _ClassVar[int]
    LTE_FIELD_NUMBER: _ClassVar[int]
    GT_FIELD_NUMBER: _ClassVar[int]
    GTE_FIELD_NUMBER: _ClassVar[int]
    IN_FIELD_NUMBER: _ClassVar[int]
    NOT_IN_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_EMPTY_FIELD_NUMBER: _ClassVar[int]
    IS_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    eq: int
    lt: int
    lte: int
    gt: int
    gte: int
    not_in: _containers.RepeatedScalarFieldContainer[int]
    validate_empty: bool
    is_required: bool
    def __init__(self, eq: _Optional[int] = ..., lt: _Optional[int] = ..., lte: _Optional[int] = ..., gt: _Optional[int] = ..., gte: _Optional[int] = ..., not_in: _Optional[_Iterable[int]] = ..., validate_empty: _Optional[bool] = ..., is_required: _Optional[bool] = ..., **kwargs) -> None: ...

class BoolRules(_message.Message):
    __slots__ = ("eq",)
    EQ_FIELD_NUMBER: _ClassVar[int]
    eq: bool
    def __init__(self, eq: _Optional[bool] = ...) -> None: ...

class StringRules(_message.Message):
    __slots__ = ("eq", "min_len", "max_len", "pattern", "prefix", "suffix", "contains", "not_in", "well_known", "len", "not_contains", "validate_empty", "is_required")
    EQ_FIELD_NUMBER: _ClassVar[int]
    MIN_LEN_FIELD_NUMBER: _ClassVar[int]
    MAX_LEN_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    SUFFIX_FIELD_NUMBER: _ClassVar[int]
    CONTAINS_FIELD_NUMBER: _ClassVar[int]
    IN_FIELD_NUMBER: _ClassVar[int]
    NOT_IN_FIELD_NUMBER: _ClassVar[int]
    WELL_KNOWN_FIELD_NUMBER: _ClassVar[int]
    LEN_FIELD_NUMBER: _ClassVar[int]
    NOT_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_EMPTY_FIELD_NUMBER: _ClassVar[int]
    IS_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    eq: str
    min_len: int
    max_len: int
    pattern: str
    prefix: str
    suffix: str
    contains: str
    not_in: _containers.RepeatedScalarFieldContainer[str]
    well_known: WellKnownString
    len: int
    not_contains: str
    validate_empty: bool
    is_required: bool
    def __init__(self, eq: _Optional[str] = ..., min_len: _Optional[int] = ..., max_len: _Optional[int] = ..., pattern: _Optional[str] = ..., prefix: _Optional[str] = ..., suffix: _Optional[str] = ..., contains: _Optional[str] = ..., not_in: _Optional[_Iterable[str]] = ..., well_known: _Optional[_Union[WellKnownString, str]] = ..., len: _Optional[int] = ..., not_contains: _Optional[str] = ..., validate_empty: _Optional[bool] = ..., is_required: _Optional[bool] = ..., **kwargs) -> None: ...

class RepeatedStringRules(_message.Message):
    __slots__ = ("min_items", "max_items", "unique", "item_rules", "validate_empty", "is_required")
    MIN_ITEMS_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_FIELD_NUMBER: _ClassVar[int]
    ITEM_RULES_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_EMPTY_FIELD_NUMBER: _ClassVar[int]
    IS_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    min_items: int
    max_items: int
    unique: bool
    item_rules: StringRules
    validate_empty: bool
    is_required: bool
    def __init__(self, min_items: _Optional[int] = ..., max_items: _Optional[int] = ..., unique: _Optional[bool] = ..., item_rules: _Optional[_Union[StringRules, _Mapping]] = ..., validate_empty: _Optional[bool] = ..., is_required: _Optional[bool] = ...) -> None: ...
