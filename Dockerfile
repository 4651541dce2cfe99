# baton-confluence: one-shot syncs and service mode (`--client-id/--client-secret`).
#
#   docker build -t baton-confluence:0.1.0 .
#   docker run --rm --read-only -e BATON_DOMAIN_URL -e BATON_USERNAME -e BATON_API_KEY \
#     -v "$PWD:/out" --user "$(id -u):$(id -g)" baton-confluence:0.1.0
#
# Behind a proxy or with a private package index (docs/service-mode.md, "Building behind a proxy"):
#   docker build --build-arg PIP_INDEX_URL=https://pypi.example.com/simple \
#     --secret id=pip_ca,src=/etc/ssl/certs/ca-certificates.crt -t baton-confluence:0.1.0 .
# Both reach the build stage only; the final image holds neither (`make image-test` checks).
#
# Credentials come in at run time (environment or a Kubernetes Secret), never at build time.

# Any Debian bookworm image with python3 (3.11) and python3-venv at the same paths in both
# stages; `make image-test` builds one with mmdebstrap where no registry is reachable.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# Build-stage-only arguments: a package index (mirror, proxy, private index) for pip.
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# pip lives in a tools venv of its own and installs into /opt/venv from outside (`--python`),
# so the venv that is shipped never holds pip or setuptools.
RUN python3 -m venv /opt/build-tools \
    && python3 -m venv --without-pip /opt/venv
WORKDIR /src
# Only what the package build needs (the .dockerignore is an allowlist of the same files).
COPY pyproject.toml README.md ./
COPY baton_confluence ./baton_confluence
# `pip_ca`, if given, is a PEM bundle for a TLS-inspecting proxy or an index with a private CA;
# as a secret mount it exists only while this command runs and is in no layer.
RUN --mount=type=secret,id=pip_ca \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && /opt/build-tools/bin/pip --python /opt/venv/bin/python install --no-compile . \
    && find /opt/venv/lib -depth -type d -path '*/site-packages/*' -name tests -exec rm -rf {} + \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="baton-confluence" \
      org.opencontainers.image.description="Baton connector for Atlassian Confluence" \
      org.opencontainers.image.licenses="Apache-2.0"
# /out belongs to the user the image runs as, so the default `sync.c1z` (and its lock and
# work database beside it) can be written there; VOLUME keeps it writable under --read-only.
RUN groupadd --system --gid 10001 baton \
    && useradd --uid 10001 --gid baton --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin baton \
    && install -d -o 10001 -g 10001 -m 0750 /out
COPY --from=build /opt/venv /opt/venv
# PYTHONDONTWRITEBYTECODE: the root filesystem may be read-only (Kubernetes); bytecode was compiled at build.
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
VOLUME ["/out"]
WORKDIR /out
USER 10001:10001
ENTRYPOINT ["baton-confluence"]
