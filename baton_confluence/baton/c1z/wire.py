"""Just enough protobuf wire format to splice stored grants without decoding them.

Expansion writes hundreds of thousands of grants that differ only in principal, id and sources;
building their bytes from pre-serialised parts is several times faster than building messages.
Deterministic serialisation writes fields in number order, so concatenating fields in that
order gives the same bytes protobuf itself would.
"""

from __future__ import annotations


def encode_varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def length_delimited(field_number: int, payload: bytes) -> bytes:
    return encode_varint((field_number << 3) | 2) + encode_varint(len(payload)) + payload


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def top_level_fields(data: bytes, wanted: frozenset[int]) -> dict[int, tuple[int, int, int]]:
    """For each wanted length-delimited top-level field: (field start, payload start, end).

    `data[start:end]` is the whole encoded field, ready to splice into another message;
    `data[payload:end]` is its payload. The last occurrence wins.
    """
    found: dict[int, tuple[int, int, int]] = {}
    pos = 0
    end = len(data)
    while pos < end:
        start = pos
        tag, pos = _read_varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 2:
            size, pos = _read_varint(data, pos)
            if number in wanted:
                found[number] = (start, pos, pos + size)
            pos += size
        elif wire_type == 0:
            _, pos = _read_varint(data, pos)
        elif wire_type == 1:
            pos += 8
        elif wire_type == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
    return found
