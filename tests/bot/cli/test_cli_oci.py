"""`okebot --source oci`, end to end: the CLI, the real OCI SDK over HTTP, the fake OCI server serving the demo.

Every command must give the same JSON as the same command on a snapshot of what the server serves; faults the
SDK retries change nothing; a forbidden object makes the answer partial and says so; a dead Container Engine
endpoint is exit 3 with a message, not a traceback.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci import refs
from bot.cli.main import main
from engine.cni import NOT_IN_SNAPSHOT, NOT_READ, READ_CNI, RECORD_CNI
from tests.adapters.oci import conftest as oci_conftest
from tests.adapters.oci.test_round_trip import DEMO, as_recorded

oci_config_file = oci_conftest.oci_config_file
Json = dict[str, Any]
# What differs between two reads of the same tenancy: the source's description and capture time.
VOLATILE = frozenset({"source", "capturedAt", "readFrom"})
CLUSTER_GET = re.compile(r"/20180222/clusters/[^/]+")



class ServedTenancy:
    """A fake OCI server on its own event loop thread, because `main()` runs `asyncio.run` itself."""

    def __init__(self, document: Json) -> None:
        self.document = document
        self.server = FakeOciServer(document)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@contextmanager
def serve(document: Json, monkeypatch: pytest.MonkeyPatch, config: Path) -> Iterator[ServedTenancy]:
    """Serve `document` and point `--source oci` at it, with tiny retry backoff and timeouts."""
    served = ServedTenancy(document)
    url = served.start()
    settings = {
        "OKEBOT_OCI_ENDPOINT": url,
        "OKEBOT_OCI_CONFIG_FILE": str(config),
        "OKEBOT_OCI_COMPARTMENTS": document["clusters"][0]["compartmentId"],
        "OKEBOT_OCI_RETRY_MAX_ATTEMPTS": "4",
        "OKEBOT_OCI_RETRY_BASE_SECONDS": "0.01",
        "OKEBOT_OCI_RETRY_MAX_WAIT_SECONDS": "0.05",
        "OKEBOT_OCI_RETRY_TOTAL_SECONDS": "10",
        "OKEBOT_OCI_CONNECT_TIMEOUT": "2",
        "OKEBOT_OCI_READ_TIMEOUT": "5",
        "OKEBOT_OCI_BREAKER_FAILURE_THRESHOLD": "0",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OKEBOT_OCI_ENDPOINTS", raising=False)
    monkeypatch.delenv("OKEBOT_KUBE_ENABLED", raising=False)
    monkeypatch.delenv("OKEBOT_KUBECONFIG", raising=False)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def demo() -> Json:
    """The demo as okebot records it (tests/adapters/oci/test_round_trip.py says what differs and why)."""
    return as_recorded(json.loads(DEMO.read_text()))


@pytest.fixture
def oci(demo: Json, monkeypatch: pytest.MonkeyPatch, oci_config_file: Path) -> Iterator[ServedTenancy]:
    with serve(demo, monkeypatch, oci_config_file) as served:
        yield served


@pytest.fixture
def snapshot(demo: Json, tmp_path: Path) -> str:
    path = tmp_path / "served.json"
    path.write_text(json.dumps(demo))
    return f"snapshot:{path}"


@pytest.fixture
def plan_file(snapshot: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "payments.yaml"
    assert main(["plan", "export", "payments-native", "--source", snapshot, "-o", str(path)]) == 0
    capsys.readouterr()
    return path


def run(capsys: pytest.CaptureFixture[str], argv: list[str], source: str) -> tuple[int, Json, str]:
    code = main([*argv, "--source", source, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


# What a snapshot says where a live read says the Kubernetes side was not read: the same fact, said for the source.
SAID_FOR_THE_SOURCE = {NOT_IN_SNAPSHOT: NOT_READ, RECORD_CNI: READ_CNI}


def stable(data: Any) -> Any:
    """The JSON without what differs between two reads of one tenancy (description, capture time, request ids,
    and the words that name the kind of source)."""
    if isinstance(data, dict):
        return {k: stable(v) for k, v in data.items() if k not in VOLATILE and k != "requestId"}
    if isinstance(data, list):
        return [stable(item) for item in data]
    if isinstance(data, str):
        return SAID_FOR_THE_SOURCE.get(data, data)
    return data


def unread_private_ips(demo: Json) -> set[str]:
    """Pool subnets whose private IPs the demo never read: the fake answers 404, the snapshot says nothing."""
    used = {s for pool in demo["nodePools"] for s in refs.node_pool_subnets(pool)}
    return used - set(demo["privateIpSubnetIds"])


def without_unread_private_ips(data: Json, unread: set[str]) -> Json:
    """Take out the 404s on unread private IPs, after checking each names such a subnet and OCI's request id."""
    if "unreadable" not in data:  # whatif and validate reports carry no `unreadable`
        return data
    entries = data["unreadable"]
    private = [e for e in entries if e["kind"] == "privateIps"]
    assert all(e["id"] in unread and e["status"] == 404 and e["requestId"] for e in private), private
    return {**data, "unreadable": [e for e in entries if e["kind"] != "privateIps"]}


COMMANDS = [
    ["clusters"],
    ["capacity"],
    ["capacity", "--cluster", "payments-native"],
    ["capacity", "--cluster", "retail-flannel", "--pool", "retail-web"],
    ["cni"],
    ["cni", "--cluster", "payments-native"],
    ["diagnose", "analytics"],
    ["diagnose", "payments-native"],
    ["whatif", "payments-native", "--pool", "payments-core", "--size", "12"],
    ["whatif", "platform-healthy", "--add-pool", "extra", "--pool", "platform-general", "--size", "3"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_answers_over_oci_as_it_does_over_the_snapshot_of_what_oci_serves(
    oci: ServedTenancy, snapshot: str, demo: Json, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, live, _ = run(capsys, argv, "oci")
    expected_code, expected, _ = run(capsys, argv, snapshot)
    assert code == expected_code
    assert code in (0, 1)
    assert stable(without_unread_private_ips(live, unread_private_ips(demo))) == stable(expected)
    assert oci.server.total_calls > 0


def test_validate_against_a_live_cluster_answers_as_over_the_snapshot(
    oci: ServedTenancy, snapshot: str, plan_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["validate", str(plan_file), "--against", "payments-native"]
    code, live, _ = run(capsys, argv, "oci")
    expected_code, expected, _ = run(capsys, argv, snapshot)
    assert (code, stable(live)) == (expected_code, stable(expected))
    assert not any(f["code"].endswith("_IMMUTABLE") for f in live["findings"])


def test_plan_export_over_oci_writes_the_same_plan_as_over_the_snapshot(
    oci: ServedTenancy, snapshot: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {source: tmp_path / f"{name}.yaml" for source, name in (("oci", "live"), (snapshot, "replayed"))}
    for source, path in files.items():
        assert main(["plan", "export", "platform-healthy", "--source", source, "-o", str(path)]) == 0
    live, replayed = (path.read_text() for path in files.values())
    assert live == replayed
    assert "platform-healthy" in live
    assert capsys.readouterr().err == "".join(f"okebot: wrote {path}\n" for path in files.values())


@pytest.mark.parametrize(("status", "code"), [(429, "TooManyRequests"), (500, "InternalServerError")])
@pytest.mark.parametrize("argv", [["capacity"], ["diagnose", "payments-native"]], ids=" ".join)
def test_a_retryable_error_then_success_gives_the_same_answer(
    oci: ServedTenancy, demo: Json, capsys: pytest.CaptureFixture[str], status: int, code: str, argv: list[str]
) -> None:
    _, clean, _ = run(capsys, argv, "oci")
    faults = [
        oci.server.inject(pattern, "status", status=status, code=code, times=2)
        for pattern in ("/clusters$", "/nodePools/", "/subnets$", "/privateIps$", "/addons$", "/instances/")
    ]
    exit_code, faulty, err = run(capsys, argv, "oci")
    assert all(fault.times == 0 for fault in faults)  # every fault was hit, twice
    assert exit_code in (0, 1)
    assert err == ""
    unread = unread_private_ips(demo)
    assert stable(without_unread_private_ips(faulty, unread)) == stable(without_unread_private_ips(clean, unread))


def forbid(served: ServedTenancy, path: str) -> None:
    served.server.inject(f"{path}$", "status", status=403, code="NotAuthorizedOrNotFound")


def named(data: Json, name: str) -> Json:
    found: list[Json] = [c for c in data["clusters"] if c["name"] == name]
    assert len(found) == 1, name
    return found[0]


def test_a_forbidden_cluster_get_is_a_partial_answer_naming_it(
    oci: ServedTenancy, demo: Json, capsys: pytest.CaptureFixture[str]
) -> None:
    _, clean, _ = run(capsys, ["capacity"], "oci")
    payments = next(c["id"] for c in demo["clusters"] if c["name"] == "payments-native")
    forbid(oci, f"/20180222/clusters/{payments}")
    code, data, _ = run(capsys, ["capacity"], "oci")
    assert code in (0, 1)
    [entry] = [e for e in data["unreadable"] if e["kind"] == "clusters"]
    assert (entry["id"], entry["status"], entry["code"]) == (payments, 403, "NotAuthorizedOrNotFound")
    assert entry["requestId"].startswith("fake-")
    for other in ("retail-flannel", "platform-healthy", "analytics"):
        assert stable(named(data, other)) == stable(named(clean, other))
    assert "payments-native" in {c["name"] for c in data["clusters"]}


def test_a_forbidden_node_pool_get_is_a_partial_answer_and_the_pool_is_not_counted_as_empty(
    oci: ServedTenancy, demo: Json, capsys: pytest.CaptureFixture[str]
) -> None:
    _, clean, _ = run(capsys, ["capacity"], "oci")
    pool = next(p for p in demo["nodePools"] if p["name"] == "retail-web")
    forbid(oci, f"/20180222/nodePools/{pool['id']}")
    code, data, _ = run(capsys, ["capacity"], "oci")
    assert code in (0, 1)
    [entry] = [e for e in data["unreadable"] if e["kind"] == "nodePools"]
    assert (entry["id"], entry["status"]) == (pool["id"], 403)
    assert entry["requestId"].startswith("fake-")
    [web] = [p for p in named(data, "retail-flannel")["nodePools"] if p["name"] == "retail-web"]
    assert web["nodes"] is None
    for other in ("payments-native", "platform-healthy", "analytics"):
        assert stable(named(data, other)) == stable(named(clean, other))


def test_a_forbidden_node_pool_is_named_in_diagnose_of_its_cluster_only(
    oci: ServedTenancy, demo: Json, capsys: pytest.CaptureFixture[str]
) -> None:
    pool = next(p for p in demo["nodePools"] if p["name"] == "payments-edge")
    forbid(oci, f"/20180222/nodePools/{pool['id']}")
    code, data, _ = run(capsys, ["diagnose", "payments-native"], "oci")
    assert code in (0, 1)
    assert [(e["kind"], e["id"]) for e in data["unreadable"] if e["kind"] == "nodePools"] == [("nodePools", pool["id"])]
    code, data, _ = run(capsys, ["diagnose", "platform-healthy"], "oci")
    assert code in (0, 1)
    assert not [e for e in data["unreadable"] if e["kind"] == "nodePools"]


@pytest.mark.parametrize("argv", [["capacity"], ["clusters"], ["diagnose", "analytics"], ["cni"]], ids=" ".join)
def test_a_failing_container_engine_endpoint_is_exit_3_with_a_message(
    oci: ServedTenancy, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    oci.server.inject("^/20180222/", "status", status=503, code="ServiceUnavailable")
    code = main([*argv, "--source", "oci"])
    err = capsys.readouterr().err
    assert code == 3
    assert "could not list the clusters" in err
    assert "503" in err
    assert "fix:" in err
    assert "Traceback" not in err


def test_an_unreachable_container_engine_endpoint_is_exit_3_in_json_too(
    oci: ServedTenancy, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A port nothing listens on: connection refused, for Container Engine only.
    monkeypatch.setenv("OKEBOT_OCI_ENDPOINTS", json.dumps({"container_engine": "http://127.0.0.1:9"}))
    monkeypatch.setenv("OKEBOT_OCI_RETRY_MAX_ATTEMPTS", "2")
    code = main(["capacity", "--source", "oci", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 3
    error = json.loads(captured.out)["error"]
    assert error["type"] == "SourceError"
    assert "could not list the clusters" in error["message"]
    assert "Traceback" not in captured.err


def shared_pod_subnet_tenancy() -> Json:
    """Three clusters; cluster-1's pools put their pods in cluster-0's pod subnet, cluster-2 stands alone."""
    doc = generate_tenancy(clusters=3, pools_per_cluster=2, nodes_per_pool=3, pod_ips_per_node=4)
    doc = copy.deepcopy(doc)
    pod_subnets = [s["id"] for s in doc["subnets"] if s["displayName"].startswith("pods-")]
    shared, moved = pod_subnets[0], pod_subnets[1]
    for pool in doc["nodePools"]:
        details = pool["nodeConfigDetails"]["nodePoolPodNetworkOptionDetails"]
        details["podSubnetIds"] = [shared if s == moved else s for s in details["podSubnetIds"]]
    for entry in (*doc["privateIps"], *doc["vnicAttachments"]):
        if entry.get("subnetId") == moved:
            entry["subnetId"] = shared
    return doc


@pytest.mark.parametrize("cluster", ["cluster-0", "cluster-1", "cluster-2"])
@pytest.mark.parametrize("command", ["capacity", "diagnose"])
def test_one_cluster_on_a_shared_pod_subnet_is_answered_as_in_the_full_read(
    monkeypatch: pytest.MonkeyPatch, oci_config_file: Path, capsys: pytest.CaptureFixture[str],
    cluster: str, command: str,
) -> None:
    doc = shared_pod_subnet_tenancy()
    with serve(doc, monkeypatch, oci_config_file) as served:
        _, full, _ = run(capsys, ["capacity"], "oci")
        served.server.calls.clear()
        argv = ["capacity", "--cluster", cluster] if command == "capacity" else ["diagnose", cluster]
        code, one, _ = run(capsys, argv, "oci")
        assert code in (0, 1)
        answered = one["clusters"][0] if command == "capacity" else one["cluster"]
        # capacity counts the findings it does not show; diagnose shows them all, so it leaves the count out.
        expected = named(full, cluster) | ({} if command == "capacity" else {"otherFindings": None})
        assert stable(answered) == stable(expected)
        if command == "capacity":
            assert [c["name"] for c in one["clusters"]] == [cluster]
        # Besides the named cluster, only its neighbour on the shared subnet is read.
        gets = {path.rsplit("/", 1)[1] for path in served.server.calls if CLUSTER_GET.fullmatch(path)}
        ids = {c["name"]: c["id"] for c in doc["clusters"]}
        together = {ids["cluster-0"], ids["cluster-1"]}
        assert gets == ({ids["cluster-2"]} if cluster == "cluster-2" else together)
    shared = next(s for s in named(full, "cluster-0")["subnets"] if s["name"] == "pods-0")
    assert len({h["cluster"] for h in shared["headroom"]}) == 2
