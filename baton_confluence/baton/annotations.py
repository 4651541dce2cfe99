"""Annotations are `google.protobuf.Any` values; these helpers pack, find and strip them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from google.protobuf import any_pb2
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)

TYPE_URL_PREFIX = "type.googleapis.com/"


def pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message, type_url_prefix=TYPE_URL_PREFIX)
    return packed


def pack_all(messages: Iterable[Message]) -> list[any_pb2.Any]:
    return [pack(m) for m in messages]


def type_url(message_class: type[Message]) -> str:
    return TYPE_URL_PREFIX + message_class.DESCRIPTOR.full_name


def has(annotations: Sequence[any_pb2.Any], message_class: type[Message]) -> bool:
    url = type_url(message_class)
    return any(a.type_url == url for a in annotations)


def find(annotations: Sequence[any_pb2.Any], message_class: type[M]) -> M | None:
    """The first annotation of that type, unpacked, or None."""
    url = type_url(message_class)
    for a in annotations:
        if a.type_url == url:
            found = message_class()
            a.Unpack(found)
            return found
    return None


def find_all(annotations: Sequence[any_pb2.Any], message_class: type[M]) -> list[M]:
    url = type_url(message_class)
    found: list[M] = []
    for a in annotations:
        if a.type_url == url:
            m = message_class()
            a.Unpack(m)
            found.append(m)
    return found
