"""The Kubernetes area of `okebot config check`: each VCN-native cluster's CNI DaemonSet, reached through
create_kubeconfig and a signed OKE token, against the fake OCI and fake Kubernetes servers."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from pathlib import Path

from adapters.fakes.kube_server import FakeKubeServer
from adapters.fakes.oci_server import FakeOciServer
from bot.checks.oci import check_kubernetes
from tests.adapters.oci import conftest as oci_conftest
from tests.adapters.oci.conftest import make_settings
from tests.adapters.oci.test_kube_link import signed_for
from tests.adapters.oci.test_round_trip import DEMO, as_recorded

oci_config_file = oci_conftest.oci_config_file


async def test_a_readable_daemonset_passes_and_a_forbidden_one_names_the_cluster(oci_config_file: Path):
    demo = json.loads(DEMO.read_text())
    source = as_recorded(demo)
    native = [c for c in source["clusters"] if c["clusterPodNetworkOptions"][0]["cniType"] == "OCI_VCN_IP_NATIVE"]
    async with AsyncExitStack() as stack:
        oci = await stack.enter_async_context(FakeOciServer(source))
        servers = []
        for cluster in native:
            entry = demo["kubernetes"].get(cluster["id"]) or next(iter(demo["kubernetes"].values()))
            kube = await stack.enter_async_context(FakeKubeServer(entry, accepts_token=signed_for(cluster["id"])))
            oci.kube_endpoints[cluster["id"]] = kube.url
            servers.append(kube)
        servers[0].fail("/apis/apps/v1/namespaces/kube-system/daemonsets/vcn-native-ip-cni", 403,
                        message="daemonsets.apps is forbidden")
        compartments = sorted({c["compartmentId"] for c in native})
        checks = await check_kubernetes(make_settings(oci_config_file, oci.url, compartment_ids=compartments,
                                                      kube_enabled=True))
    by_name = {check.name: check for check in checks}
    first, *rest = [by_name[f"CNI DaemonSet of {c['name']}"] for c in native]
    assert first.status == "fail"
    assert "forbidden" in first.detail
    assert first.fix
    assert [check.status for check in rest] == ["pass"] * len(rest)


async def test_kubernetes_is_skipped_when_not_enabled(oci_config_file: Path):
    [check] = await check_kubernetes(make_settings(oci_config_file, "http://127.0.0.1:9"))
    assert check.status == "skip"
    assert "OKEBOT_KUBE_ENABLED" in check.detail
