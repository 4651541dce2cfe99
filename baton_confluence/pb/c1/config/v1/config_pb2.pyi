from baton_confluence.pb.c1.config.v1 import rules_pb2 as _rules_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConstraintKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSTRAINT_KIND_UNSPECIFIED: _ClassVar[ConstraintKind]
    CONSTRAINT_KIND_REQUIRED_TOGETHER: _ClassVar[ConstraintKind]
    CONSTRAINT_KIND_AT_LEAST_ONE: _ClassVar[ConstraintKind]
    CONSTRAINT_KIND_MUTUALLY_EXCLUSIVE: _ClassVar[ConstraintKind]
    CONSTRAINT_KIND_DEPENDENT_ON: _ClassVar[ConstraintKind]

class StringFieldType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STRING_FIELD_TYPE_TEXT_UNSPECIFIED: _ClassVar[StringFieldType]
    STRING_FIELD_TYPE_RANDOM: _ClassVar[StringFieldType]
    STRING_FIELD_TYPE_OAUTH2: _ClassVar[StringFieldType]
    STRING_FIELD_TYPE_CONNECTOR_DERIVED_OPTIONS: _ClassVar[StringFieldType]
    STRING_FIELD_TYPE_FILE_UPLOAD: _ClassVar[StringFieldType]
CONSTRAINT_KIND_UNSPECIFIED: ConstraintKind
CONSTRAINT_KIND_REQUIRED_TOGETHER: ConstraintKind
CONSTRAINT_KIND_AT_LEAST_ONE: ConstraintKind
CONSTRAINT_KIND_MUTUALLY_EXCLUSIVE: ConstraintKind
CONSTRAINT_KIND_DEPENDENT_ON: ConstraintKind
STRING_FIELD_TYPE_TEXT_UNSPECIFIED: StringFieldType
STRING_FIELD_TYPE_RANDOM: StringFieldType
STRING_FIELD_TYPE_OAUTH2: StringFieldType
STRING_FIELD_TYPE_CONNECTOR_DERIVED_OPTIONS: StringFieldType
STRING_FIELD_TYPE_FILE_UPLOAD: StringFieldType

class Configuration(_message.Message):
    __slots__ = ("fields", "constraints", "display_name", "help_url", "icon_url", "is_directory", "catalog_id", "supports_external_resources", "requires_external_connector", "field_groups")
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    HELP_URL_FIELD_NUMBER: _ClassVar[int]
    ICON_URL_FIELD_NUMBER: _ClassVar[int]
    IS_DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_EXTERNAL_RESOURCES_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_EXTERNAL_CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    FIELD_GROUPS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedCompositeFieldContainer[Field]
    constraints: _containers.RepeatedCompositeFieldContainer[Constraint]
    display_name: str
    help_url: str
    icon_url: str
    is_directory: bool
    catalog_id: str
    supports_external_resources: bool
    requires_external_connector: bool
    field_groups: _containers.RepeatedCompositeFieldContainer[FieldGroup]
    def __init__(self, fields: _Optional[_Iterable[_Union[Field, _Mapping]]] = ..., constraints: _Optional[_Iterable[_Union[Constraint, _Mapping]]] = ..., display_name: _Optional[str] = ..., help_url: _Optional[str] = ..., icon_url: _Optional[str] = ..., is_directory: _Optional[bool] = ..., catalog_id: _Optional[str] = ..., supports_external_resources: _Optional[bool] = ..., requires_external_connector: _Optional[bool] = ..., field_groups: _Optional[_Iterable[_Union[FieldGroup, _Mapping]]] = ...) -> None: ...

class Constraint(_message.Message):
    __slots__ = ("kind", "field_names", "secondary_field_names", "name", "help_text", "is_field_group")
    KIND_FIELD_NUMBER: _ClassVar[int]
    FIELD_NAMES_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_FIELD_NAMES_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HELP_TEXT_FIELD_NUMBER: _ClassVar[int]
    IS_FIELD_GROUP_FIELD_NUMBER: _ClassVar[int]
    kind: ConstraintKind
    field_names: _containers.RepeatedScalarFieldContainer[str]
    secondary_field_names: _containers.RepeatedScalarFieldContainer[str]
    name: str
    help_text: str
    is_field_group: bool
    def __init__(self, kind: _Optional[_Union[ConstraintKind, str]] = ..., field_names: _Optional[_Iterable[str]] = ..., secondary_field_names: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ..., help_text: _Optional[str] = ..., is_field_group: _Optional[bool] = ...) -> None: ...

class FieldGroup(_message.Message):
    __slots__ = ("name", "display_name", "help_text", "fields", "default")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    HELP_TEXT_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    help_text: str
    fields: _containers.RepeatedScalarFieldContainer[str]
    default: bool
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., help_text: _Optional[str] = ..., fields: _Optional[_Iterable[str]] = ..., default: _Optional[bool] = ...) -> None: ...

class Field(_message.Message):
    __slots__ = ("name", "display_name", "description", "placeholder", "is_required", "is_ops", "is_secret", "string_field", "int_field", "bool_field", "string_slice_field")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDER_FIELD_NUMBER: _ClassVar[int]
    IS_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    IS_OPS_FIELD_NUMBER: _ClassVar[int]
    IS_SECRET_FIELD_NUMBER: _ClassVar[int]
    STRING_FIELD_FIELD_NUMBER: _ClassVar[int]
    INT_FIELD_FIELD_NUMBER: _ClassVar[int]
    BOOL_FIELD_FIELD_NUMBER: _ClassVar[int]
    STRING_SLICE_FIELD_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    placeholder: str
    is_required: bool
    is_ops: bool
    is_secret: bool
    string_field: StringField
    int_field: IntField
    bool_field: BoolField
    string_slice_field: StringSliceField
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., placeholder: _Optional[str] = ..., is_required: _Optional[bool] = ..., is_ops: _Optional[bool] = ..., is_secret: _Optional[bool] = ..., string_field: _Optional[_Union[StringField, _Mapping]] = ..., int_field: _Optional[_Union[IntField, _Mapping]] = ..., bool_field: _Optional[_Union[BoolField, _Mapping]] = ..., string_slice_field: _Optional[_Union[StringSliceField, _Mapping]] = ...) -> None: ...

class IntField(_message.Message):
    __slots__ = ("default_value", "rules", "suggested_value")
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_VALUE_FIELD_NUMBER: _ClassVar[int]
    default_value: int
    rules: _rules_pb2.Int64Rules
    suggested_value: int
    def __init__(self, default_value: _Optional[int] = ..., rules: _Optional[_Union[_rules_pb2.Int64Rules, _Mapping]] = ..., suggested_value: _Optional[int] = ...) -> None: ...

class BoolField(_message.Message):
    __slots__ = ("default_value", "rules", "suggested_value")
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_VALUE_FIELD_NUMBER: _ClassVar[int]
    default_value: bool
    rules: _rules_pb2.BoolRules
    suggested_value: bool
    def __init__(self, default_value: _Optional[bool] = ..., rules: _Optional[_Union[_rules_pb2.BoolRules, _Mapping]] = ..., suggested_value: _Optional[bool] = ...) -> None: ...

class StringSliceField(_message.Message):
    __slots__ = ("default_value", "rules", "suggested_value")
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_VALUE_FIELD_NUMBER: _ClassVar[int]
    default_value: _containers.RepeatedScalarFieldContainer[str]
    rules: _rules_pb2.RepeatedStringRules
    suggested_value: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, default_value: _Optional[_Iterable[str]] = ..., rules: _Optional[_Union[_rules_pb2.RepeatedStringRules, _Mapping]] = ..., suggested_value: _Optional[_Iterable[str]] = ...) -> None: ...

class StringFieldOption(_message.Message):
    __slots__ = ("name", "value", "display_name")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    display_name: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class StringField(_message.Message):
    __slots__ = ("default_value", "rules", "type", "allowed_extensions", "options", "suggested_value")
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_VALUE_FIELD_NUMBER: _ClassVar[int]
    default_value: str
    rules: _rules_pb2.StringRules
    type: StringFieldType
    allowed_extensions: _containers.RepeatedScalarFieldContainer[str]
    options: _containers.RepeatedCompositeFieldContainer[StringFieldOption]
    suggested_value: str
    def __init__(self, default_value: _Optional[str] = ..., rules: _Optional[_Union[_rules_pb2.StringRules, _Mapping]] = ..., type: _Optional[_Union[StringFieldType, str]] = ..., allowed_extensions: _Optional[_Iterable[str]] = ..., options: _Optional[_Iterable[_Union[StringFieldOption, _Mapping]]] = ..., suggested_value: _Optional[str] = ...) -> None: ...
