from baton_confluence.pb.c1.connector.v2 import asset_pb2 as _asset_pb2
from baton_confluence.pb.c1.connector.v2 import resource_pb2 as _resource_pb2
from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Capability(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAPABILITY_UNSPECIFIED: _ClassVar[Capability]
    CAPABILITY_PROVISION: _ClassVar[Capability]
    CAPABILITY_SYNC: _ClassVar[Capability]
    CAPABILITY_EVENT_FEED: _ClassVar[Capability]
    CAPABILITY_TICKETING: _ClassVar[Capability]
    CAPABILITY_ACCOUNT_PROVISIONING: _ClassVar[Capability]
    CAPABILITY_CREDENTIAL_ROTATION: _ClassVar[Capability]
    CAPABILITY_RESOURCE_CREATE: _ClassVar[Capability]
    CAPABILITY_RESOURCE_DELETE: _ClassVar[Capability]
    CAPABILITY_SYNC_SECRETS: _ClassVar[Capability]
    CAPABILITY_ACTIONS: _ClassVar[Capability]
    CAPABILITY_TARGETED_SYNC: _ClassVar[Capability]
    CAPABILITY_EVENT_FEED_V2: _ClassVar[Capability]
    CAPABILITY_SERVICE_MODE_TARGETED_SYNC: _ClassVar[Capability]
    CAPABILITY_CREDENTIAL_ISSUE: _ClassVar[Capability]

class CapabilityDetailCredentialOption(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_UNSPECIFIED: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_RANDOM_PASSWORD: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_SSO: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_ENCRYPTED_PASSWORD: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_API_KEY: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_KEYPAIR: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_TOKEN: _ClassVar[CapabilityDetailCredentialOption]
    CAPABILITY_DETAIL_CREDENTIAL_OPTION_CLIENT_SECRET: _ClassVar[CapabilityDetailCredentialOption]
CAPABILITY_UNSPECIFIED: Capability
CAPABILITY_PROVISION: Capability
CAPABILITY_SYNC: Capability
CAPABILITY_EVENT_FEED: Capability
CAPABILITY_TICKETING: Capability
CAPABILITY_ACCOUNT_PROVISIONING: Capability
CAPABILITY_CREDENTIAL_ROTATION: Capability
CAPABILITY_RESOURCE_CREATE: Capability
CAPABILITY_RESOURCE_DELETE: Capability
CAPABILITY_SYNC_SECRETS: Capability
CAPABILITY_ACTIONS: Capability
CAPABILITY_TARGETED_SYNC: Capability
CAPABILITY_EVENT_FEED_V2: Capability
CAPABILITY_SERVICE_MODE_TARGETED_SYNC: Capability
CAPABILITY_CREDENTIAL_ISSUE: Capability
CAPABILITY_DETAIL_CREDENTIAL_OPTION_UNSPECIFIED: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_RANDOM_PASSWORD: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_SSO: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_ENCRYPTED_PASSWORD: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_API_KEY: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_KEYPAIR: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_TOKEN: CapabilityDetailCredentialOption
CAPABILITY_DETAIL_CREDENTIAL_OPTION_CLIENT_SECRET: CapabilityDetailCredentialOption

class ConnectorMetadata(_message.Message):
    __slots__ = ("display_name", "help_url", "icon", "logo", "profile", "annotations", "description", "capabilities")
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    HELP_URL_FIELD_NUMBER: _ClassVar[int]
    ICON_FIELD_NUMBER: _ClassVar[int]
    LOGO_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    display_name: str
    help_url: str
    icon: _asset_pb2.AssetRef
    logo: _asset_pb2.AssetRef
    profile: _struct_pb2.Struct
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    description: str
    capabilities: ConnectorCapabilities
    def __init__(self, display_name: _Optional[str] = ..., help_url: _Optional[str] = ..., icon: _Optional[_Union[_asset_pb2.AssetRef, _Mapping]] = ..., logo: _Optional[_Union[_asset_pb2.AssetRef, _Mapping]] = ..., profile: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., description: _Optional[str] = ..., capabilities: _Optional[_Union[ConnectorCapabilities, _Mapping]] = ...) -> None: ...

class ConnectorCapabilities(_message.Message):
    __slots__ = ("resource_type_capabilities", "connector_capabilities", "credential_details")
    RESOURCE_TYPE_CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_DETAILS_FIELD_NUMBER: _ClassVar[int]
    resource_type_capabilities: _containers.RepeatedCompositeFieldContainer[ResourceTypeCapability]
    connector_capabilities: _containers.RepeatedScalarFieldContainer[Capability]
    credential_details: CredentialDetails
    def __init__(self, resource_type_capabilities: _Optional[_Iterable[_Union[ResourceTypeCapability, _Mapping]]] = ..., connector_capabilities: _Optional[_Iterable[_Union[Capability, str]]] = ..., credential_details: _Optional[_Union[CredentialDetails, _Mapping]] = ...) -> None: ...

class ResourceTypeCapability(_message.Message):
    __slots__ = ("resource_type", "capabilities", "permissions", "opt_in_required", "skip_sync_anomaly_detection", "deprecated")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    OPT_IN_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    SKIP_SYNC_ANOMALY_DETECTION_FIELD_NUMBER: _ClassVar[int]
    DEPRECATED_FIELD_NUMBER: _ClassVar[int]
    resource_type: _resource_pb2.ResourceType
    capabilities: _containers.RepeatedScalarFieldContainer[Capability]
    permissions: CapabilityPermissions
    opt_in_required: bool
    skip_sync_anomaly_detection: bool
    deprecated: bool
    def __init__(self, resource_type: _Optional[_Union[_resource_pb2.ResourceType, _Mapping]] = ..., capabilities: _Optional[_Iterable[_Union[Capability, str]]] = ..., permissions: _Optional[_Union[CapabilityPermissions, _Mapping]] = ..., opt_in_required: _Optional[bool] = ..., skip_sync_anomaly_detection: _Optional[bool] = ..., deprecated: _Optional[bool] = ...) -> None: ...

class CapabilityPermission(_message.Message):
    __slots__ = ("permission",)
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    permission: str
    def __init__(self, permission: _Optional[str] = ...) -> None: ...

class CapabilityPermissions(_message.Message):
    __slots__ = ("permissions",)
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    permissions: _containers.RepeatedCompositeFieldContainer[CapabilityPermission]
    def __init__(self, permissions: _Optional[_Iterable[_Union[CapabilityPermission, _Mapping]]] = ...) -> None: ...

class CredentialDetails(_message.Message):
    __slots__ = ("capability_account_provisioning", "capability_credential_rotation")
    CAPABILITY_ACCOUNT_PROVISIONING_FIELD_NUMBER: _ClassVar[int]
    CAPABILITY_CREDENTIAL_ROTATION_FIELD_NUMBER: _ClassVar[int]
    capability_account_provisioning: CredentialDetailsAccountProvisioning
    capability_credential_rotation: CredentialDetailsCredentialRotation
    def __init__(self, capability_account_provisioning: _Optional[_Union[CredentialDetailsAccountProvisioning, _Mapping]] = ..., capability_credential_rotation: _Optional[_Union[CredentialDetailsCredentialRotation, _Mapping]] = ...) -> None: ...

class CredentialDetailsAccountProvisioning(_message.Message):
    __slots__ = ("supported_credential_options", "preferred_credential_option")
    SUPPORTED_CREDENTIAL_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CREDENTIAL_OPTION_FIELD_NUMBER: _ClassVar[int]
    supported_credential_options: _containers.RepeatedScalarFieldContainer[CapabilityDetailCredentialOption]
    preferred_credential_option: CapabilityDetailCredentialOption
    def __init__(self, supported_credential_options: _Optional[_Iterable[_Union[CapabilityDetailCredentialOption, str]]] = ..., preferred_credential_option: _Optional[_Union[CapabilityDetailCredentialOption, str]] = ...) -> None: ...

class CredentialDetailsCredentialRotation(_message.Message):
    __slots__ = ("supported_credential_options", "preferred_credential_option")
    SUPPORTED_CREDENTIAL_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CREDENTIAL_OPTION_FIELD_NUMBER: _ClassVar[int]
    supported_credential_options: _containers.RepeatedScalarFieldContainer[CapabilityDetailCredentialOption]
    preferred_credential_option: CapabilityDetailCredentialOption
    def __init__(self, supported_credential_options: _Optional[_Iterable[_Union[CapabilityDetailCredentialOption, str]]] = ..., preferred_credential_option: _Optional[_Union[CapabilityDetailCredentialOption, str]] = ...) -> None: ...

class OptInRequired(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Deprecated(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SkipSyncAnomalyDetection(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConnectorServiceGetMetadataRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConnectorServiceGetMetadataResponse(_message.Message):
    __slots__ = ("metadata",)
    METADATA_FIELD_NUMBER: _ClassVar[int]
    metadata: ConnectorMetadata
    def __init__(self, metadata: _Optional[_Union[ConnectorMetadata, _Mapping]] = ...) -> None: ...

class ConnectorServiceValidateRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConnectorServiceValidateResponse(_message.Message):
    __slots__ = ("annotations", "sdk_version")
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    SDK_VERSION_FIELD_NUMBER: _ClassVar[int]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    sdk_version: str
    def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., sdk_version: _Optional[str] = ...) -> None: ...

class ConnectorServiceCleanupRequest(_message.Message):
    __slots__ = ("annotations", "active_sync_id")
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    active_sync_id: str
    def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ..., active_sync_id: _Optional[str] = ...) -> None: ...

class ConnectorServiceCleanupResponse(_message.Message):
    __slots__ = ("annotations",)
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    annotations: _containers.RepeatedCompositeFieldContainer[_any_pb2.Any]
    def __init__(self, annotations: _Optional[_Iterable[_Union[_any_pb2.Any, _Mapping]]] = ...) -> None: ...
