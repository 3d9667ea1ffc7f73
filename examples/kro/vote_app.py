"""kro's ``examples/dogsvscats/vote-app``: the voting front end, which writes votes to Redis."""

from typing import Optional

from dogsvscats_common import (
    ExposedAppStatus,
    IngressOptions,
    ServiceOptions,
    app_deployment,
    app_status,
    exposed,
)

from pykro import Spec, to_resource_graph


class VoteAppSpec(Spec):
    name: Optional[str] = None  # kro leaves it optional
    namespace: str = "default"
    image: str = "dogsvscats/vote:latest"
    replicas: int = 2
    redisEndpoint: Optional[str] = None  # kro leaves it optional
    service: ServiceOptions
    ingress: IngressOptions


def _resources(schema):
    deployment = app_deployment(
        schema,
        "vote",
        ports=[{"containerPort": 80}],
        env=[{"name": "REDIS_HOST", "value": schema.spec.redisEndpoint}],
    )
    return {"deployment": deployment, **exposed(schema, "vote", deployment)}


graph = to_resource_graph(
    {
        "name": "vote-app.kro.run",
        "apiVersion": "v1alpha1",
        "kind": "VoteApp",
        "spec": VoteAppSpec,
        "status": ExposedAppStatus,
    },
    _resources,
    lambda schema, resources: app_status(resources),
)
