"""Turning ConnectorError into gRPC statuses with rich details, and reading them back."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from google.protobuf import timestamp_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError, RateLimitInfo

DETAILS_KEY = "grpc-status-details-bin"


def rate_limit_description(info: RateLimitInfo) -> pb.ratelimit.RateLimitDescription:
    desc = pb.ratelimit.RateLimitDescription(limit=info.limit, remaining=info.remaining)
    desc.status = (
        pb.ratelimit.RateLimitDescription.STATUS_OVERLIMIT
        if info.overlimit
        else pb.ratelimit.RateLimitDescription.STATUS_OK
    )
    if info.reset_at is not None:
        reset = timestamp_pb2.Timestamp()
        reset.FromDatetime(info.reset_at)
        desc.reset_at.CopyFrom(reset)
    return desc


def status_trailer(error: ConnectorError) -> tuple[tuple[str, bytes], ...]:
    """Trailing metadata carrying a google.rpc.Status with a RateLimitDescription detail."""
    status = pb.rpc_status.Status(code=error.code.value[0], message=error.message)
    if error.rate_limit is not None:
        status.details.append(ann.pack(rate_limit_description(error.rate_limit)))
    return ((DETAILS_KEY, status.SerializeToString()),)


def status_from_trailer(metadata: Sequence[tuple[str, str | bytes]] | None) -> pb.rpc_status.Status | None:
    """The rich google.rpc.Status a connector server attached to an error, if any."""
    for key, value in metadata or ():
        if key == DETAILS_KEY and isinstance(value, bytes):
            return pb.rpc_status.Status.FromString(value)
    return None


def rate_limit_from_trailer(
    metadata: Sequence[tuple[str, str | bytes]] | None,
) -> pb.ratelimit.RateLimitDescription | None:
    status = status_from_trailer(metadata)
    return None if status is None else ann.find(status.details, pb.ratelimit.RateLimitDescription)


def code_from_int(value: int) -> grpc.StatusCode:
    for code in grpc.StatusCode:
        if code.value[0] == value:
            return code
    return grpc.StatusCode.UNKNOWN
