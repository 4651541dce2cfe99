"""The `baton-confluence` command line."""

import os

# gRPC core prints INFO lines (e.g. a GOAWAY when the in-process server stops) straight to
# stderr; on a command line they would break the promise of one readable line per failure.
# Set before anything imports grpc; an explicit GRPC_VERBOSITY from the user still wins.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
