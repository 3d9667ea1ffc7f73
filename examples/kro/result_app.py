"""kro's ``examples/dogsvscats/result-app``: shows the tally, read from Postgres."""

from typing import Optional

from dogsvscats_common import (
    ExposedAppStatus,
    IngressOptions,
    ServiceOptions,
    app_deployment,
    app_status,
    exposed,
    postgres_env,
)

from pykro import Spec, to_resource_graph


class ResultAppSpec(Spec):
    name: Optional[str] = None  # kro leaves it optional
    namespace: str = "default"
    image: str = "dogsvscats/result:latest"
    replicas: int = 1
    postgresEndpoint: Optional[str] = None  # kro leaves it optional
    postgresSecretName: Optional[str] = None  # kro leaves it optional
    service: ServiceOptions
    ingress: IngressOptions


def _resources(schema):
    deployment = app_deployment(
        schema, "result", ports=[{"containerPort": 80}], env=postgres_env(schema.spec)
    )
    return {"deployment": deployment, **exposed(schema, "result", deployment)}


graph = to_resource_graph(
    {
        "name": "result-app.kro.run",
        "apiVersion": "v1alpha1",
        "kind": "ResultApp",
        "spec": ResultAppSpec,
        "status": ExposedAppStatus,
    },
    _resources,
    lambda schema, resources: app_status(resources),
)
