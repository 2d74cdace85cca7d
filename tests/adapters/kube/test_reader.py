from __future__ import annotations

import base64
import copy
import socket
import threading

import oci
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.fakes.kube_server import FakeKubeServer
from adapters.kube.client import KubeClient
from adapters.kube.reader import read_cni_objects
from adapters.kube.token import OkeTokenSource
from engine.errors import SourceError

from .objects import NAMESPACE, cni_entry, pod
from .tls import make_pki

TOKEN = "okebot-test-token"
LOG_PATH = "/api/v1/namespaces/kube-system/pods/{}/log"
DS_PATH = "/apis/apps/v1/namespaces/kube-system/daemonsets/vcn-native-ip-cni"


async def read(kube: FakeKubeServer, **kwargs):
    return await read_cni_objects(kube.url, ca_pem=None, token=kwargs.pop("token", TOKEN), **kwargs)


async def test_reads_the_daemonset_its_revisions_pods_and_log_tails_as_the_api_returns_them():
    entry = cni_entry(pod_count=3)
    async with FakeKubeServer(entry, token=TOKEN) as kube:
        objects = await read(kube)

    assert objects["cniDaemonSet"] == entry["cniDaemonSet"]
    assert objects["cniPods"] == entry["cniPods"]
    assert [r["metadata"]["name"] for r in objects["cniControllerRevisions"]] == [
        "vcn-native-ip-cni-5f4b8c7d6", "vcn-native-ip-cni-7d9c6b5f8"
    ]
    assert list(objects["cniLogs"]) == [p["metadata"]["name"] for p in entry["cniPods"]]
    first = entry["cniPods"][0]["metadata"]["name"]
    assert objects["cniLogs"][first].splitlines() == entry["cniLogs"][first].splitlines()[-200:]
    assert objects["cniLogs"][first].rstrip().endswith("reboot required")
    assert objects["errors"] == []


async def test_revisions_without_a_controller_owner_are_kept_as_label_matches():
    entry = cni_entry()
    del entry["cniControllerRevisions"][1]["metadata"]["ownerReferences"]
    async with FakeKubeServer(entry, token=TOKEN) as kube:
        objects = await read(kube)

    assert len(objects["cniControllerRevisions"]) == 2


@pytest.mark.parametrize(("tail_lines", "max_log_bytes"), [(10, 64_000), (200, 300), (1, 5)])
async def test_log_tails_are_bounded_by_lines_and_bytes(tail_lines, max_log_bytes):
    entry = cni_entry(pod_count=2)
    async with FakeKubeServer(entry, token=TOKEN) as kube:
        objects = await read(kube, tail_lines=tail_lines, max_log_bytes=max_log_bytes)
        log_queries = [query for path, query in kube.queries if path.endswith("/log")]

    assert {q["tailLines"] for q in log_queries} == {str(tail_lines)}
    assert {q["limitBytes"] for q in log_queries} == {str(max_log_bytes)}
    for name, text in objects["cniLogs"].items():
        assert len(text.encode()) <= max_log_bytes
        assert len(text.splitlines()) <= tail_lines
        tail = "".join(entry["cniLogs"][name].splitlines(keepends=True)[-tail_lines:])
        assert tail.startswith(text)


async def test_log_tails_stay_bounded_when_the_server_ignores_limit_bytes():
    entry = cni_entry(pod_count=1)
    async with FakeKubeServer(entry, token=TOKEN) as kube:
        kube.honors_limit_bytes = False
        objects = await read(kube, tail_lines=200, max_log_bytes=1000)

    [text] = objects["cniLogs"].values()
    assert len(text.encode()) == 1000


@pytest.mark.parametrize("concurrency", [1, 3, 8])
async def test_no_more_than_concurrency_requests_are_in_flight(concurrency):
    async with FakeKubeServer(cni_entry(pod_count=16), token=TOKEN, latency=0.05) as kube:
        objects = await read(kube, concurrency=concurrency)

    assert len(objects["cniLogs"]) == 16
    assert kube.max_in_flight <= concurrency
    assert kube.max_in_flight == min(concurrency, 16)


async def test_a_bad_token_is_a_source_error_that_says_the_token_was_rejected():
    async with FakeKubeServer(cni_entry(), token=TOKEN) as kube:
        with pytest.raises(SourceError, match=r"rejected okebot's token \(401 Unauthorized\)") as caught:
            await read(kube, token="stale-token")

    assert caught.value.status == 401
    assert caught.value.remedy


async def test_a_pod_whose_log_is_forbidden_is_left_out_and_named_in_errors():
    entry = cni_entry(pod_count=3)
    denied = entry["cniPods"][1]["metadata"]["name"]
    async with FakeKubeServer(entry, token=TOKEN) as kube:
        kube.fail(LOG_PATH.format(denied), 403, message=f'pods "{denied}" is forbidden: cannot get pods/log')
        objects = await read(kube)

    assert denied not in objects["cniLogs"]
    assert len(objects["cniLogs"]) == 2
    assert objects["cniPods"] == entry["cniPods"]
    [error] = objects["errors"]
    assert (error["kind"], error["id"], error["status"]) == ("podLog", denied, 403)
    assert "cannot get pods/log" in error["message"]


@pytest.mark.parametrize(("status", "code"), [(500, "InternalError"), (403, "Forbidden")])
async def test_a_failing_daemonset_read_fails_the_whole_read(status, code):
    async with FakeKubeServer(cni_entry(), token=TOKEN) as kube:
        kube.fail(DS_PATH, status)
        with pytest.raises(SourceError, match=f"({status})") as caught:
            await read(kube)

    assert (caught.value.status, caught.value.code) == (status, code)


async def test_a_missing_daemonset_is_a_404_source_error_naming_it():
    async with FakeKubeServer(cni_entry(), token=TOKEN) as kube:
        with pytest.raises(SourceError, match="kube-flannel-ds") as caught:
            await read(kube, daemonset="kube-flannel-ds", label_selector="app=flannel")

    assert caught.value.status == 404


async def test_a_slow_api_server_times_out_with_a_source_error():
    async with FakeKubeServer(cni_entry(), token=TOKEN) as kube:
        kube.slow(DS_PATH, 2.0)
        with pytest.raises(SourceError, match=r"did not answer .* within 0.2s"):
            await read(kube, timeout=0.2)


async def test_an_unreachable_api_server_is_a_source_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError, match="cannot reach Kubernetes API"):
        await read_cni_objects(f"http://127.0.0.1:{port}", ca_pem=None, token=TOKEN)


async def test_multi_container_pods_read_the_default_container():
    entry = cni_entry(pod_count=2)
    entry["cniPods"][0] = pod("cni-a", "10.0.10.2", containers=("sidecar", "vcn-native-ip-cni"),
                              annotations={"kubectl.kubernetes.io/default-container": "vcn-native-ip-cni"})
    entry["cniPods"][1] = pod("cni-b", "10.0.10.3", containers=("vcn-native-ip-cni", "sidecar"))
    entry["cniLogs"] = {"cni-a": "a\n", "cni-b": "b\n"}
    async with FakeKubeServer(entry, token=TOKEN) as kube:
        objects = await read(kube)

    assert objects["cniLogs"] == {"cni-a": "a\n", "cni-b": "b\n"}
    assert objects["errors"] == []


async def test_lists_are_followed_page_by_page():
    entry = cni_entry(pod_count=5)
    async with FakeKubeServer(entry, token=TOKEN) as kube, KubeClient(kube.url, token=TOKEN) as client:
        items = await client.list_items(f"/api/v1/namespaces/{NAMESPACE}/pods", page=2)

        assert items == entry["cniPods"]
        assert kube.calls[f"/api/v1/namespaces/{NAMESPACE}/pods"] == 3


async def test_a_token_callable_is_asked_once_per_read_in_a_worker_thread_not_on_the_event_loop():
    issued: list[str] = []
    signing_threads: list[threading.Thread] = []

    def token() -> str:
        # A principal signer may refresh its own token over synchronous HTTP here.
        signing_threads.append(threading.current_thread())
        issued.append(base64.urlsafe_b64encode(f"token-{len(issued)}".encode()).decode())
        return issued[-1]

    async with FakeKubeServer(cni_entry(pod_count=2), accepts_token=lambda t: t in issued) as kube:
        objects = await read(kube, token=token)

    assert len(objects["cniLogs"]) == 2
    assert sum(kube.calls.values()) == 5
    assert len(issued) == 1
    assert signing_threads != [threading.current_thread()]


@pytest.fixture(scope="module")
def pki():
    return make_pki()


class TestTls:
    async def test_the_clusters_ca_is_trusted(self, pki):
        kube = FakeKubeServer(cni_entry(), token=TOKEN)
        url = await kube.start(tls=(pki.server_chain_pem, pki.server_key_pem))
        try:
            objects = await read_cni_objects(url, ca_pem=pki.ca_pem, token=TOKEN)
        finally:
            await kube.close()

        assert url.startswith("https://")
        assert len(objects["cniPods"]) == 3

    async def test_an_unknown_ca_is_a_source_error_that_asks_for_the_ca(self, pki):
        kube = FakeKubeServer(cni_entry(), token=TOKEN)
        url = await kube.start(tls=(pki.server_chain_pem, pki.server_key_pem))
        try:
            with pytest.raises(SourceError, match="certificate not trusted") as caught:
                await read_cni_objects(url, ca_pem=make_pki().ca_pem, token=TOKEN)
        finally:
            await kube.close()

        assert "certificate-authority-data" in (caught.value.remedy or "")

    async def test_verification_can_be_turned_off(self, pki):
        kube = FakeKubeServer(copy.deepcopy(cni_entry()), token=TOKEN)
        url = await kube.start(tls=(pki.server_chain_pem, pki.server_key_pem))
        try:
            objects = await read_cni_objects(url, ca_pem=None, token=TOKEN, verify_tls=False)
        finally:
            await kube.close()

        assert objects["errors"] == []


async def test_an_in_process_oke_token_for_the_cluster_is_accepted():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    signer = oci.signer.Signer("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", "aa:bb", None,
                               private_key_content=key)
    cluster = "ocid1.cluster.oc1.iad.aaaa"

    def is_token_for_cluster(token: str) -> bool:
        url = base64.urlsafe_b64decode(token.encode()).decode()
        return url.startswith(f"https://containerengine.us-ashburn-1.oraclecloud.com/cluster_request/{cluster}?")

    async with FakeKubeServer(cni_entry(pod_count=2), accepts_token=is_token_for_cluster) as kube:
        objects = await read(kube, token=OkeTokenSource(signer, "us-ashburn-1", cluster_id=cluster))

    assert objects["errors"] == []
    assert len(objects["cniLogs"]) == 2


async def test_pod_readiness_and_restarts_read_from_the_api_reach_the_engine_model():
    from adapters.snapshot.document import KubernetesWire
    from adapters.snapshot.kube import cni_observation_from_wire

    entry = cni_entry(pod_count=2)
    entry["cniPods"][1] = pod("vcn-native-ip-cni-broken", "10.0.10.9", ready=False, restarts=4)
    entry["cniLogs"]["vcn-native-ip-cni-broken"] = "E1126 09:00:00.000000 1 ipam.go:7] Failed to load checkpoint\n"
    async with FakeKubeServer(entry, token=TOKEN) as kube:
        objects = await read(kube)

    observation = cni_observation_from_wire(KubernetesWire.model_validate(objects))
    assert [(p.name, p.ready, p.restarts) for p in observation.pods] == [
        ("vcn-native-ip-cni-00000", True, 0), ("vcn-native-ip-cni-broken", False, 4)]
