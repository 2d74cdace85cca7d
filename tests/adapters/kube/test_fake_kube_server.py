from __future__ import annotations

import aiohttp
import pytest

from adapters.fakes.kube_server import FakeKubeServer, matches_selector

from .objects import cni_entry, pod

LABELS = {"app": "vcn-native-ip-cni", "tier": "node"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("", True),
        ("app=vcn-native-ip-cni", True),
        ("app==vcn-native-ip-cni", True),
        ("app=flannel", False),
        ("app=vcn-native-ip-cni,tier=node", True),
        ("app=vcn-native-ip-cni,tier=control", False),
        ("tier!=control", True),
        ("tier!=node", False),
        ("app", True),
        ("zone", False),
        ("!zone", True),
        ("!app", False),
    ],
)
def test_equality_selectors_match_as_the_api_server_does(selector, matches):
    assert matches_selector(LABELS, selector) is matches


def test_set_based_selectors_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="set-based"):
        matches_selector(LABELS, "app in (a,b)")


async def get(url: str, path: str, *, token: str = "t", **params: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(
        url + path, params=params, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        return response.status, await response.text()


async def test_log_reads_need_a_container_name_when_a_pod_has_several():
    entry = cni_entry(pod_count=1)
    entry["cniPods"][0] = pod("cni-a", "node", containers=("one", "two"))
    async with FakeKubeServer(entry, token="t") as kube:
        status, body = await get(kube.url, "/api/v1/namespaces/kube-system/pods/cni-a/log")
        assert status == 400
        assert "a container name must be specified for pod cni-a, choose one of: [one two]" in body
        status, _ = await get(kube.url, "/api/v1/namespaces/kube-system/pods/cni-a/log", container="three")
        assert status == 400


async def test_unknown_pods_and_namespaces_are_404s():
    async with FakeKubeServer(cni_entry(), token="t") as kube:
        assert (await get(kube.url, "/api/v1/namespaces/kube-system/pods/ghost/log"))[0] == 404
        status, body = await get(kube.url, "/apis/apps/v1/namespaces/default/daemonsets/vcn-native-ip-cni")
        assert status == 404
        assert '"reason": "NotFound"' in body


async def test_every_call_is_counted_even_when_refused():
    async with FakeKubeServer(cni_entry(), token="t") as kube:
        await get(kube.url, "/api/v1/namespaces/kube-system/pods", token="wrong")
        await get(kube.url, "/api/v1/namespaces/kube-system/pods")

        assert kube.calls["/api/v1/namespaces/kube-system/pods"] == 2
        assert kube.max_in_flight == 1
