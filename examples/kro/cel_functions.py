"""kro's ``examples/cel-functions``: kro's CEL libraries, spelled from Python.

Python operators and ``Cel`` helpers write what they can (``size``,
conditionals, ``string()``); the library calls Python has no spelling for
(``split``, ``join``, ``json.*``, ``quantity``, ``hash.*``, ``random.*``) are
``Cel.expr`` pieces around typed references.

``random.seededString(10, schema.metadata.uid)`` depends on the instance's
uid, which only the cluster assigns: this graph renders in kro mode; direct
mode refuses that field, naming it.
"""

from typing import Any, Optional

from pykro import Cel, Spec, Status, resource, simple, to_resource_graph


class SomethingSpec(Spec):
    name: Optional[str] = None  # kro leaves it optional
    fullDNSName: str = "a.b.c.d.example.com"


class SomethingStatus(Status):
    deploymentConditions: list[Any]
    availableReplicas: int


def _resources(schema):
    dns = schema.spec.fullDNSName
    labels = {"app": "deployment"}
    env = {
        "FULL_DNS_NAME": dns,
        "DNS_FIRST_PART": Cel.expr(dns, ".split('.')[0]"),
        "DNS_PARTIALS": Cel.expr(dns, ".split('.').slice(0, 1).join('.')"),
        "RANDOM_SEEDED_STRING": Cel.expr("random.seededString(10, ", schema.metadata.uid, ")"),
        "LISTS_SUM": Cel.string(Cel.expr([100, 200, 300], ".sum()")),
        "JSON_UNMARSHAL_EXAMPLE": Cel.expr(
            """json.unmarshal('{"exampleJSONKey": "exampleJSONValue"}').exampleJSONKey"""
        ),
        "JSON_MARSHAL_EXAMPLE": Cel.expr('json.marshal({"name": ', schema.spec.name, "})"),
        "QUANTITY_COMPARISON": Cel.conditional(
            Cel.expr('quantity("500Mi").isLessThan(quantity("1Gi"))', type="bool"), "small", "large"
        ),
        "HASH_FNV64A_BASE64": Cel.expr("base64.encode(hash.fnv64a(", schema.spec.name, "))"),
        "HASH_SHA256_BASE64": Cel.expr("base64.encode(hash.sha256(", schema.spec.name, "))"),
    }
    deployment = resource(
        "apps/v1",
        "Deployment",
        schema.spec.name,
        spec={
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": f"{schema.spec.name}-deployment",
                            "image": "nginx",
                            "ports": [{"containerPort": 80}],
                            "env": [{"name": k, "value": v} for k, v in env.items()],
                        }
                    ]
                },
            },
        },
    )
    dns_parts = Cel.expr(dns, ".split('.')")
    service = simple.Service(
        schema.spec.name,
        labels={
            "app": "deployment",
            "dns": dns,
            # The first three labels of the name when it has more than two.
            "partials": Cel.conditional(
                Cel.size(dns_parts) > 2, Cel.expr(dns_parts, ".slice(0, 3).join('.')"), dns
            ),
            "first_part": Cel.expr(dns, ".split('.')[0]"),
        },
        selector=labels,
        ports=[{"protocol": "TCP", "port": 80, "targetPort": 80}],
    )
    return {"deployment": deployment, "service": service}


graph = to_resource_graph(
    {
        "name": "somethings.kro.run",
        "apiVersion": "v1alpha1",
        "kind": "Something",
        "spec": SomethingSpec,
        "status": SomethingStatus,
    },
    _resources,
    lambda schema, r: {
        "deploymentConditions": r["deployment"].status.conditions,
        "availableReplicas": r["deployment"].status.availableReplicas * 10,
    },
)
