"""The Argo CD config-management plugin commands: ``pykro generate`` and ``pykro parameters``.

``generate`` (:mod:`pykro.argocd.generate`) prints the rendered manifests of
the application in the working directory, served from :mod:`pykro.cache` when
the request and its inputs were seen before. ``parameters``
(:mod:`pykro.argocd.parameters`) prints the parameter announcement that Argo
CD's UI shows (``spec.parameters.dynamic`` of plugin.yaml).

Nothing is imported here: ``import pykro.argocd.generate`` must stay as cheap
as the cache-hit path it serves.
"""

__all__: list[str] = []
