"""The `config` and `capabilities` outputs, in the JSON shape the Go SDK prints."""

from __future__ import annotations

import json

from google.protobuf import json_format
from pydantic_settings import BaseSettings

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.config.args import flag_name
from baton_confluence.baton.config.field import Export, info_of


def configuration(
    settings_cls: type[BaseSettings], display_name: str, help_url: str, icon_url: str
) -> pb.config.Configuration:
    """Exported fields only: OPS ones first (as upstream lists the SDK's fields first), then GUI ones."""
    conf = pb.config.Configuration(display_name=display_name, help_url=help_url, icon_url=icon_url)
    fields = [(name, f, info_of(f.json_schema_extra)) for name, f in settings_cls.model_fields.items()]
    for export in (Export.OPS, Export.GUI):
        for name, field, info in fields:
            if info.export is export:
                conf.fields.append(_field(name, field.annotation, field.default, field.description or "", info))
    return conf


def _field(name: str, annotation: object, default: object, description: str, info: object) -> pb.config.Field:
    from baton_confluence.baton.config.field import FieldInfo

    assert isinstance(info, FieldInfo)
    out = pb.config.Field(
        name=flag_name(name),
        display_name=info.display_name,
        description=description,
        placeholder=info.placeholder,
        is_required=info.required,
        is_ops=info.export is Export.OPS,
        is_secret=info.secret,
    )
    if annotation is bool:
        out.bool_field.default_value = bool(default)
    elif annotation is int:
        out.int_field.default_value = int(default)  # type: ignore[call-overload]
        for rule, value in info.rules:
            setattr(out.int_field.rules, rule, value)
    elif annotation == list[str]:
        out.string_slice_field.rules.SetInParent()
        out.string_slice_field.suggested_value.extend(info.suggested)
    else:
        out.string_field.default_value = str(default or "")
        if info.required:
            out.string_field.rules.is_required = True
    return out


def configuration_json(conf: pb.config.Configuration) -> str:
    return json.dumps(json_format.MessageToDict(conf), indent=2)


def capabilities_json(capabilities: pb.connector.ConnectorCapabilities) -> str:
    return json.dumps(json_format.MessageToDict(ann.pack(capabilities)), indent=2)
