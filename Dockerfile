# The pykro config-management-plugin sidecar for argocd-repo-server.
#
# Contract with Argo CD (see config-management-plugin.yaml and examples/argocd/):
#   - runs as UID 999, the UID Argo CD expects of every CMP sidecar;
#   - HOME=/tmp: UID 999 has no writable home; /tmp is the sidecar's own emptyDir;
#   - /home/argocd/cmp-server/config/plugin.yaml is baked in;
#   - PID 1 is tini, which runs /var/run/argocd/argocd-cmp-server (copied into the shared
#     var-files volume by the repo-server's init container), forwards signals to it and reaps
#     plugin processes orphaned when the cmp-server kills a timed-out process group.
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --gid 999 argocd \
 && useradd --uid 999 --gid 999 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin argocd

ENV VIRTUAL_ENV=/opt/pykro \
    PATH=/opt/pykro/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/pykro

# Dependencies: only pyproject.toml is copied, so editing pykro's code keeps this layer cached.
COPY pyproject.toml /src/pyproject.toml
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies']))" > /src/requirements.txt \
 && /opt/pykro/bin/pip install -r /src/requirements.txt

# The package itself (a console script `pykro` on PATH); its dependencies are already there.
COPY README.md /src/README.md
COPY plugin/ /src/plugin/
RUN /opt/pykro/bin/pip install --no-deps /src \
 && rm -rf /src

COPY config-management-plugin.yaml /home/argocd/cmp-server/config/plugin.yaml

ENV HOME=/tmp \
    PYKRO_CACHE_DIR=/tmp/pykro-cache

USER 999

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/var/run/argocd/argocd-cmp-server"]
