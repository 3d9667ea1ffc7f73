"""Every function in kro's CEL library document (website/docs/docs/concepts/rgd/04-cel-libraries.md).

One table per library: the document's examples (with an activation that gives
them data) and the cel-go / Kubernetes semantics they rely on, error rows included.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from pykro.celengine import evaluate
from pykro.errors import CelError

SPEC = {
    "name": "my_app", "namespace": "prod", "config": "cfg", "data": "payload", "accountId": "123",
    "roleName": "admin", "tags": ["prod", "web", "prod"], "fqdn": "api.example.com", "input": "  Hello World ",
    "endpoint": "db:5432", "items": ["a", "b", "c", "d"], "count": 3, "nestedPorts": [[80, 443], [8080]],
    "password": "s3cret", "encodedValue": "aGVsbG8=", "jsonConfig": '{"database": {"host": "db", "port": 5432}}',
    "replicas": 2, "extraLabels": {"team": "core", "app": "override"}, "overrides": {"retries": "5"},
    "podSpec": {"securityContext": {"fsGroup": 2000}}, "envVars": ["A=1"], "ports": [80, 443, 8080],
    "replicaCounts": [1, 2, 3], "memoryRequest": "512Mi", "cpuRequest": "250m", "cpuLimit": "1", "storageSize": "10G",
    "callbackUrl": "https://hooks.example.com/cb", "clusterIP": "10.96.0.1", "podIP": "10.244.1.5",
    "address": "8.8.8.8", "ipv6Addr": "2001:db8::1", "serviceCIDR": "10.96.0.0/12", "subnetCIDR": "10.0.1.0/24",
    "vpcCIDR": "10.1.0.0/16", "version": "1.2.3", "appVersion": "3.4.5", "image": "nginx:1.25.3",
    "pinToNode": False, "nodeName": "n1",
}
ACT: dict[str, Any] = {
    "schema": {"spec": SPEC, "metadata": {"uid": "0b5c8f3e-uid", "namespace": "prod"}},
    "configmap": {"data": {"settings": '{"database": {"host": "pg.internal"}}'}},
    "items": [{"data": {"priority": 3}, "n": "x"}, {"data": {"priority": 1}, "n": "y"}],
    "database": {"status": {"endpoint": "postgres://db.internal:5432/app"}},
    "pod": {"status": {"podIP": "10.100.0.7"}},
}


def _sha(s: str) -> bytes:
    return hashlib.sha256(s.encode()).digest()


def _fnv(s: str) -> bytes:
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return h.to_bytes(8, "big")


def _seeded_int(lo: int, hi: int, seed: str) -> int:
    return lo + int.from_bytes(_sha(seed)[:8], "big") % (hi - lo)


def _seeded_string(n: int, seed: str) -> str:
    d = _sha(seed)
    return "".join("0123456789abcdefghijklmnopqrstuvwxyz"[int.from_bytes(d[(i * 4) % 32:(i * 4) % 32 + 4], "big") % 36]
                   for i in range(n))


ROWS: list[tuple[str, str, Any]] = [
    # --- Hash (kro) ---
    ("hash", '"%x".format([hash.sha256(schema.spec.config)])', _sha("cfg").hex()),
    ("hash", '"%x".format([hash.fnv64a(schema.spec.name + "-" + schema.spec.namespace)])', _fnv("my_app-prod").hex()),
    ("hash", "base64.encode(hash.fnv64a(schema.metadata.uid))", base64.b64encode(_fnv("0b5c8f3e-uid")).decode()),
    ("hash", '"%x".format([hash.fnv64a("hello")])', "a430d84680aabd0b"),  # published FNV-1a 64 vector
    ("hash", '"%x".format([hash.fnv64a("")])', "cbf29ce484222325"),  # the FNV-64 offset basis
    ("hash", 'hash.md5("hello world")', hashlib.md5(b"hello world").digest()),
    ("hash", 'hash.sha256("")', bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")),
    # --- JSON (kro) ---
    ("json", "json.unmarshal(schema.spec.jsonConfig)", {"database": {"host": "db", "port": 5432.0}}),
    ("json", "json.unmarshal(configmap.data.settings).database.host", "pg.internal"),
    ("json", 'json.marshal({"name": schema.spec.name, "replicas": schema.spec.replicas})',
     '{"name":"my_app","replicas":2}'),
    ("json", 'json.marshal({"b": [1.0, 1.5, true, null], "a": "<&>"})',
     '{"a":"\\u003c\\u0026\\u003e","b":[1,1.5,true,null]}'),
    ("json", "json.marshal(1e21)", "1e+21"),
    ("json", "json.marshal(0.0000001)", "1e-7"),
    ("json", "json.marshal(b'hi')", '"aGk="'),
    ("json", 'json.unmarshal("[1, \\"x\\"]")', [1.0, "x"]),
    # --- Random (kro) ---
    ("random", "random.seededString(8, schema.metadata.uid)", _seeded_string(8, "0b5c8f3e-uid")),
    ("random", "random.seededString(10, 'test-seed')", "5czheg3o5c"),
    ("random", "random.seededString(20, 'test-seed')", "5czheg3o5czheg3o5czh"),  # kro repeats every 8 chars
    ("random", "random.seededInt(30000, 32768, schema.metadata.uid)", _seeded_int(30000, 32768, "0b5c8f3e-uid")),
    ("random", "random.seededInt(30000, 32768, 'my-service')", 31247),
    ("random", "random.seededInt(-100, -50, 'seed')", _seeded_int(-100, -50, "seed")),
    ("random", "random.seededInt(5, 6, 'seed')", 5),
    # --- Maps (kro) ---
    ("maps", '{"app": schema.spec.name, "managed-by": "kro"}.merge(schema.spec.extraLabels)',
     {"app": "override", "managed-by": "kro", "team": "core"}),
    ("maps", '{"timeout": "30s", "retries": "3"}.merge(schema.spec.overrides)', {"timeout": "30s", "retries": "5"}),
    ("maps", '{"securityContext": {"runAsNonRoot": true}}.deepMerge(schema.spec.podSpec)',
     {"securityContext": {"runAsNonRoot": True, "fsGroup": 2000}}),
    ("maps", '{"a": [1], "b": 1}.deepMerge({"a": [2], "c": {}})', {"a": [2], "b": 1, "c": {}}),
    # --- Index mutation (kro) ---
    ("index", 'lists.setAtIndex(schema.spec.tags, 1, "new-tag")', ["prod", "new-tag", "prod"]),
    ("index", 'lists.insertAtIndex(schema.spec.envVars, 0, "DEBUG=true")', ["DEBUG=true", "A=1"]),
    ("index", "lists.insertAtIndex(schema.spec.envVars, 1, 'Z=2')", ["A=1", "Z=2"]),
    ("index", "lists.removeAtIndex(schema.spec.ports, 0)", [443, 8080]),
    ("index", "lists.setAtIndex(lists.setAtIndex(schema.spec.items, 0, schema.spec.items[1]), 1, schema.spec.items[0])",
     ["b", "a", "c", "d"]),
    # --- Strings (cel-go) ---
    ("strings", '"arn:aws:iam::%s:role/%s".format([schema.spec.accountId, schema.spec.roleName])',
     "arn:aws:iam::123:role/admin"),
    ("strings", 'schema.spec.tags.join(",")', "prod,web,prod"),
    ("strings", "['a', 'b'].join()", "ab"),
    ("strings", 'schema.spec.fqdn.split(".")', ["api", "example", "com"]),
    ("strings", 'schema.spec.fqdn.split(".", 2)', ["api", "example.com"]),
    ("strings", '"abc".split("")', ["a", "b", "c"]),
    ("strings", '"abc".split(".", 0)', []),
    ("strings", "schema.spec.name.substring(0, 5)", "my_ap"),
    ("strings", "schema.spec.name.substring(3)", "app"),
    ("strings", "schema.spec.input.lowerAscii()", "  hello world "),
    ("strings", "schema.spec.input.upperAscii()", "  HELLO WORLD "),
    ("strings", "'ÄbC'.lowerAscii()", "Äbc"),
    ("strings", 'schema.spec.endpoint.indexOf(":") >= 0', True),
    ("strings", '"hello mellow".indexOf("ello", 2)', 7),
    ("strings", '"hello mellow".lastIndexOf("ello")', 7),
    ("strings", '"hello mellow".lastIndexOf("ello", 6)', 1),
    ("strings", '"héllo".indexOf("l")', 2),
    ("strings", 'schema.spec.name.replace("_", "-")', "my-app"),
    ("strings", '"aaaa".replace("a", "b", 2)', "bbaa"),
    ("strings", "schema.spec.input.trim()", "Hello World"),
    ("strings", '"tacocat".charAt(3)', "o"),
    ("strings", '"abc".charAt(3)', ""),
    ("strings", '"gums".reverse()', "smug"),
    ("strings", 'strings.quote("first\\nsecond \\"q\\"")', '"first\\nsecond \\"q\\""'),
    ("strings", '"%x".format([hash.sha256(schema.spec.data)])', _sha("payload").hex()),
    ("strings", '"%d|%s|%.2f|%e|%b|%X|%o|%%".format([42, [1, "a"], 3.14159, 1234.5, 5, 255, 8])',
     "42|[1, a]|3.14|1.234500e+03|101|FF|10|%"),
    ("strings", '"%s %s %s %s".format([true, null, 2.5, {"b": 1, "a": 2}])', "true null 2.5 {a: 2, b: 1}"),
    ("strings", '"%f".format([1])', "1.000000"),
    ("strings", '"%d".format([1.5])', "1.5"),  # formatting v2 prints doubles for %d
    ("strings", '"%x".format(["hi"])', "6869"),
    # --- Lists (cel-go) ---
    ("lists", "schema.spec.items.slice(0, 3)", ["a", "b", "c"]),
    ("lists", "schema.spec.tags.sort().distinct()", ["prod", "web"]),
    ("lists", "items.sortBy(i, i.data.priority).map(i, i.n)", ["y", "x"]),
    ("lists", "lists.range(schema.spec.count)", [0, 1, 2]),
    ("lists", "schema.spec.nestedPorts.flatten()", [80, 443, 8080]),
    ("lists", "[1, [2, [3, [4]]]].flatten(2)", [1, 2, 3, [4]]),
    ("lists", "[3, 1, 2].reverse()", [2, 1, 3]),
    ("lists", "[1, 1.0, 2u, 2].distinct()", [1, 2]),
    ("lists", "[].first().hasValue()", False),
    ("lists", "[1, 2].last().value()", 2),
    # --- Encoders (cel-go) ---
    ("encoders", "base64.encode(hash.sha256(schema.spec.data))", base64.b64encode(_sha("payload")).decode()),
    ("encoders", "base64.encode(bytes(schema.spec.password))", "czNjcmV0"),
    ("encoders", "string(base64.decode(schema.spec.encodedValue))", "hello"),
    ("encoders", "string(base64.decode('aGVsbG8'))", "hello"),
    # --- Two-variable comprehensions (cel-go) ---
    ("twovar", '{ "app": "nginx", "version": "1.19" }.transformList(k, v, k)', ["app", "version"]),
    ("twovar", '{ "cpu": 2, "memory": 4 }.transformMap(k, v, v * 2)', {"cpu": 4, "memory": 8}),
    ("twovar", '{ "a": 1, "b": 5, "c": 3 }.transformMap(k, v, v > 1, v * 10)', {"b": 50, "c": 30}),
    ("twovar", '{ "us-east-1": "primary", "eu-west-1": "secondary" }.transformMapEntry(k, v, {v: k})',
     {"primary": "us-east-1", "secondary": "eu-west-1"}),
    ("twovar", '{ "APP": "nginx", "PORT": "8080" }.transformList(k, v, k + "=" + v)', ["APP=nginx", "PORT=8080"]),
    ("twovar", '{ "hello": "world", "taco": "bell" }.all(k, v, k != v)', True),
    ("twovar", "[10, 20].exists(i, v, i == 1 && v == 20)", True),
    ("twovar", "[1, 2, 3].existsOne(i, v, v > 2)", True),
    ("twovar", "['a', 'b'].transformList(i, v, string(i) + v)", ["0a", "1b"]),
    ("twovar", "{'a': 1}.transformMapEntry(k, v, v > 5, {k: v})", {}),
    # --- URLs (k8s) ---
    ("urls", "url(schema.spec.callbackUrl).getHostname()", "hooks.example.com"),
    ("urls", "isURL(schema.spec.callbackUrl)", True),
    ("urls", "isURL('not a url')", False),
    ("urls", "isURL('/absolute/path')", True),
    ("urls", "url(database.status.endpoint).getPort()", "5432"),
    ("urls", "url('https://example.com:80/').getHost()", "example.com:80"),
    ("urls", "url('https://[::1]:80/').getHostname()", "::1"),
    ("urls", "url('https://[::1]:80/').getHost()", "[::1]:80"),
    ("urls", "url('https://example.com/').getPort()", ""),
    ("urls", "url('https://example.com/path with%20space').getEscapedPath()", None),  # invalid: whitespace
    ("urls", "url('https://example.com/a%20b').getEscapedPath()", "/a%20b"),
    ("urls", "url('/a/b').getScheme()", ""),
    ("urls", "url('https://e.com/?a=1&a=2&b=').getQuery()", {"a": ["1", "2"], "b": [""]}),
    # --- Regex (k8s) ---
    ("regex", "schema.spec.name.matches('^[a-z][a-z0-9_]*$')", True),
    ("regex", '"v1.2.3 and v4.5.6".findAll(\'[0-9]+\\\\.[0-9]+\\\\.[0-9]+\')', ["1.2.3", "4.5.6"]),
    ("regex", "schema.spec.image.find('[0-9]+\\\\.[0-9]+\\\\.[0-9]+')", "1.25.3"),
    ("regex", "'abc'.find('x')", ""),
    ("regex", "'a1b2c3'.findAll('[0-9]', 2)", ["1", "2"]),
    # --- Quantity (k8s) ---
    ("quantity", "quantity(schema.spec.memoryRequest).isLessThan(quantity('1Gi'))", True),
    ("quantity", "quantity(schema.spec.cpuRequest).add(quantity('100m')).isGreaterThan(quantity('300m'))", True),
    ("quantity", "quantity(schema.spec.cpuRequest).add(quantity('100m')).compareTo(quantity('350m'))", 0),
    ("quantity", "quantity('2Gi').sub(quantity(schema.spec.memoryRequest)).asInteger()", 1536 * 2**20),
    ("quantity", "isQuantity(schema.spec.cpuLimit)", True),
    ("quantity", "isQuantity('1.5.5')", False),
    ("quantity", "quantity(schema.spec.storageSize).asInteger()", 10**10),
    ("quantity", "quantity('1.5').asApproximateFloat()", 1.5),
    ("quantity", "quantity('1.5').isInteger()", False),
    ("quantity", "quantity('-3k').sign()", -1),
    ("quantity", "quantity('1e3').add(5).asInteger()", 1005),
    ("quantity", "quantity('1') == quantity('1000m')", True),
    # --- Lists (k8s) ---
    ("k8slists", "schema.spec.ports.isSorted()", True),
    ("k8slists", "[2, 1].isSorted()", False),
    ("k8slists", "schema.spec.replicaCounts.sum()", 6),
    ("k8slists", "[1.5, 2.5].sum()", 4.0),
    ("k8slists", "[].sum()", 0),
    ("k8slists", "schema.spec.ports.min()", 80),
    ("k8slists", "schema.spec.ports.max()", 8080),
    ("k8slists", 'schema.spec.tags.indexOf("production")', -1),
    ("k8slists", 'schema.spec.tags.indexOf("prod")', 0),
    ("k8slists", 'schema.spec.tags.lastIndexOf("prod")', 2),
    # --- IP (k8s) ---
    ("ip", "isIP(schema.spec.clusterIP)", True),
    ("ip", "isIP('10.0.0.01')", False),
    ("ip", "isIP('::ffff:1.2.3.4')", False),
    ("ip", "isIP('fe80::1%eth0')", False),
    ("ip", "string(ip(schema.spec.podIP).family())", "4"),
    ("ip", "ip(schema.spec.address).isGlobalUnicast()", True),
    ("ip", "ip('192.168.0.1').isGlobalUnicast()", True),
    ("ip", "ip('127.0.0.1').isLoopback()", True),
    ("ip", "ip('::1').isLoopback()", True),
    ("ip", "ip('169.254.1.1').isLinkLocalUnicast()", True),
    ("ip", "ip('224.0.0.5').isLinkLocalMulticast()", True),
    ("ip", "ip('ff02::1').isLinkLocalMulticast()", True),
    ("ip", "ip('0.0.0.0').isUnspecified()", True),
    ("ip", "ip.isCanonical(schema.spec.ipv6Addr)", True),
    ("ip", "ip.isCanonical('2001:DB8::1')", False),
    ("ip", "string(ip('2001:db8:0:0:0:0:0:1'))", "2001:db8::1"),
    ("ip", "ip(schema.spec.ipv6Addr).family()", 6),
    # --- CIDR (k8s) ---
    ("cidr", "cidr(schema.spec.serviceCIDR).containsIP(pod.status.podIP)", True),
    ("cidr", "cidr(schema.spec.serviceCIDR).containsIP(ip('10.96.0.1'))", True),
    ("cidr", "isCIDR(schema.spec.subnetCIDR)", True),
    ("cidr", "isCIDR('10.0.0.0/33')", False),
    ("cidr", "string(cidr(schema.spec.subnetCIDR).prefixLength())", "24"),
    ("cidr", "cidr('10.0.0.0/8').containsCIDR(schema.spec.vpcCIDR)", True),
    ("cidr", "cidr('10.0.0.0/16').containsCIDR(cidr('10.0.0.0/8'))", False),
    ("cidr", "string(cidr('10.1.2.3/8').masked())", "10.0.0.0/8"),
    ("cidr", "string(cidr('10.1.2.3/8').ip())", "10.1.2.3"),
    ("cidr", "string(cidr('10.1.2.3/8'))", "10.1.2.3/8"),
    # --- Semver (k8s) ---
    ("semver", "isSemver(schema.spec.version)", True),
    ("semver", "isSemver('v1.0')", False),
    ("semver", "isSemver('v1.0', true)", True),
    ("semver", "semver(schema.spec.version).compareTo(semver('2.0.0')) >= 0", False),
    ("semver", "string(semver(schema.spec.appVersion).major())", "3"),
    ("semver", "semver('01.02.03', true).minor()", 2),
    ("semver", "semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", True),
    ("semver", "semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))", True),
    ("semver", "semver('1.0.0-2').isLessThan(semver('1.0.0-10'))", True),
    ("semver", "semver('1.2.3+build').compareTo(semver('1.2.3'))", 0),
    ("semver", "semver('2.0.0').isGreaterThan(semver('1.9.9'))", True),
    ("semver", "semver('1.2.3').patch()", 3),
]


@pytest.mark.parametrize(("library", "expression", "expected"), [r for r in ROWS if r[2] is not None],
                         ids=[f"{r[0]}:{r[1]}" for r in ROWS if r[2] is not None])
def test_library_function(library: str, expression: str, expected: Any) -> None:
    result = evaluate(expression, ACT)
    assert result == expected
    assert type(result) is type(expected)


ERRORS: list[tuple[str, str, str]] = [
    ("hash", "hash.sha256(1)", "hash.sha256 argument must be a string"),
    ("json", "json.unmarshal('{bad')", "json.unmarshal failed to parse JSON"),
    ("json", "json.unmarshal('NaN')", "json.unmarshal failed to parse JSON"),
    ("json", "json.marshal(quantity('1'))", "json.marshal failed to convert value"),
    ("random", "random.seededString(0, 'x')", "random.seededString length must be positive"),
    ("random", "random.seededString(-1, 'x')", "random.seededString length must be positive"),
    ("random", "random.seededString('10', 'x')", "random.seededString length must be an integer"),
    ("random", "random.seededString(10, 123)", "random.seededString seed must be a string"),
    ("random", "random.seededInt(5, 5, 'seed')", "random.seededInt min must be less than max"),
    ("random", "random.seededInt(10, 5, 'seed')", "random.seededInt min must be less than max"),
    ("maps", "{'a': 1}.merge([1])", "no such overload: map.merge(list)"),
    ("index", "lists.setAtIndex([1], 1, 2)", "lists.setAtIndex: index 1 out of bounds [0, 1)"),
    ("index", "lists.insertAtIndex([1], 2, 2)", "lists.insertAtIndex: index 2 out of bounds [0, 1]"),
    ("index", "lists.removeAtIndex([], 0)", "lists.removeAtIndex: index 0 out of bounds [0, 0)"),
    ("strings", "'abc'.charAt(4)", "index out of range: 4"),
    ("strings", "'abc'.substring(2, 1)", "invalid substring range. start: 2, end: 1"),
    ("strings", "'abc'.substring(5)", "index out of range: 5"),
    ("strings", "[1].join(',')", "join() requires a list of strings"),
    ("strings", "'%d'.format(['a'])", "decimal clause can only be used on integers"),
    ("strings", "'%s %s'.format([1])", "index 1 out of range"),
    ("strings", "'%q'.format([1])", "unrecognized formatting clause"),
    ("lists", "[1, 2].slice(1, 0)", "start index must be less than or equal to end index"),
    ("lists", "[1, 2].slice(0, 3)", "list is length 2"),
    ("lists", "[1, 'a'].sort()", "list elements must have the same type"),
    ("lists", "[1].flatten(-1)", "level must be non-negative"),
    ("encoders", "base64.decode('!!')", "illegal base64 data"),
    ("encoders", "base64.encode('text')", "found no matching overload for 'base64.encode'"),
    ("twovar", "{'a': 1, 'b': 2}.transformMapEntry(k, v, {'x': v})", "key x already exists"),
    ("twovar", "[1].all(x, x, x > 0)", "variables must differ"),
    ("urls", "url('not a url')", "URL parse error"),
    ("urls", "url('example.com')", "invalid URI for request"),
    ("regex", "'a'.find('(')", "invalid regex"),
    ("regex", "'a'.find('(?=a)')", "not RE2 syntax"),
    ("quantity", "quantity('1.5.5')", "quantities must match the regular expression"),
    ("quantity", "quantity('1.5').asInteger()", "cannot convert value to integer"),
    ("quantity", "quantity('1Gi')", "unsupported type: a kubernetes.Quantity value cannot be a field value"),
    ("k8slists", "[].min()", "min called on empty list"),
    ("k8slists", "['a'].sum()", "sum() requires a list of one numeric or duration type"),
    ("ip", "ip('1.2.3')", "parse error"),
    ("ip", "ip('::ffff:1.2.3.4')", "IPv4-mapped IPv6 address is not allowed"),
    ("ip", "ip('fe80::1%eth0')", "zone value is not allowed"),
    ("cidr", "cidr('10.0.0.0')", "bad bits after slash"),
    ("semver", "semver('v1.0.0')", "invalid semver"),
    ("semver", "semver('1.0', true).isLessThan(1)", "found no matching overload for 'isLessThan'"),
    ("semver", "semver('1-rc', true)", "short version cannot contain PreRelease/Build meta data"),
    ("omit", "schema.spec.pinToNode ? {'kubernetes.io/hostname': schema.spec.nodeName} : omit()",
     "omit() is not supported offline"),
    ("runtime", "runtime.newCondition({'type': 'A', 'status': 'True'})", "runtime.newCondition() is not supported offline"),
]


@pytest.mark.parametrize(("library", "expression", "message"), ERRORS, ids=[f"{e[0]}:{e[1]}" for e in ERRORS])
def test_library_errors(library: str, expression: str, message: str) -> None:
    with pytest.raises(CelError) as info:
        evaluate(expression, ACT)
    assert message in info.value.message
    assert info.value.expression == expression


def test_invalid_url_with_space_is_rejected() -> None:
    with pytest.raises(CelError, match="invalid character"):
        evaluate("url('https://example.com/path with%20space').getEscapedPath()", ACT)


def test_omit_branch_not_taken_evaluates() -> None:
    expr = "schema.spec.pinToNode ? omit() : {'kubernetes.io/hostname': schema.spec.nodeName}"
    assert evaluate(expr, ACT) == {"kubernetes.io/hostname": "n1"}


def test_seeded_string_derivation_is_kros() -> None:
    # First char: sha256(seed)[0:4] as big-endian uint32, modulo the 36-letter alphabet.
    digest = hashlib.sha256(b"test-seed").digest()
    first = "0123456789abcdefghijklmnopqrstuvwxyz"[int.from_bytes(digest[:4], "big") % 36]
    assert evaluate("random.seededString(1, 'test-seed')", {}) == first == "5"
