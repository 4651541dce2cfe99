# baton-confluence: one-shot syncs (`-f /out/sync.c1z`) and service mode (`--client-id/--client-secret`).
#
#   docker build -t baton-confluence .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/out" \
#     -e BATON_DOMAIN_URL -e BATON_USERNAME -e BATON_API_KEY baton-confluence -f /out/sync.c1z
#
# Credentials come in at run time (environment or a Kubernetes Secret), never at build time.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
# Only what the package build needs (the .dockerignore is an allowlist of the same files).
COPY pyproject.toml README.md ./
COPY baton_confluence ./baton_confluence
RUN /opt/venv/bin/pip install .

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="baton-confluence" \
      org.opencontainers.image.description="Baton connector for Atlassian Confluence" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 baton \
    && useradd --system --uid 10001 --gid baton --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin baton
COPY --from=build /opt/venv /opt/venv
# PYTHONDONTWRITEBYTECODE: the root filesystem may be read-only (Kubernetes); bytecode was compiled at build.
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /out
USER 10001:10001
ENTRYPOINT ["baton-confluence"]
