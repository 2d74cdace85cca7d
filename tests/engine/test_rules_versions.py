"""Version and image rules, and the version and image-date parsers they rest on."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.check import Check
from engine.findings import Severity
from engine.kubernetes_version import parse_kubernetes_version as parse_version
from engine.model import Cni, NodeImage
from engine.rules.versions import image_findings, image_release_date, version_findings
from tests.engine.builders import codes
from tests.engine.builders import valid_cluster as cluster
from tests.engine.builders import valid_pool as pool
from tests.engine.builders import valid_tenancy as tenancy


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("v1.28.2", (1, 28, 2)),
        ("1.28", (1, 28, 0)),
        ("V1.29.10", (1, 29, 10)),
        (" 1.30.1-oke ", (1, 30, 1)),
        ("1.31.0+build.5", (1, 31, 0)),
        ("latest", None),
        ("1", None),
        ("", None),
        (None, None),
        ("v1.x.2", None),
    ],
)
def test_kubernetes_versions_parse_with_or_without_v_and_patch(text: str | None, version: object) -> None:
    assert parse_version(text) == version


@given(st.text(max_size=40))
def test_parsing_any_text_as_a_version_never_raises(text: str) -> None:
    parsed = parse_version(text)
    assert parsed is None or all(part >= 0 for part in parsed)


@pytest.mark.parametrize(
    ("image", "released"),
    [
        (NodeImage(released="2022-05-31"), date(2022, 5, 31)),
        (NodeImage(name="Oracle-Linux-8.9-2024.01.26-0-OKE-1.28.2-668"), date(2024, 1, 26)),
        (NodeImage(released="not a date", name="Oracle-Linux-7.9-2022.05.10-0"), date(2022, 5, 10)),
        (NodeImage(name="Oracle-Linux-8.9-2024.13.40-0"), None),
        (NodeImage(name="my-custom-image"), None),
        (None, None),
    ],
)
def test_an_image_release_date_comes_from_released_or_the_oke_image_name(
    image: NodeImage | None, released: date | None
) -> None:
    assert image_release_date(image) == released


@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=12)))
def test_reading_an_image_date_never_raises(name: str, released: str | None) -> None:
    image_release_date(NodeImage(name=name, released=released))


@pytest.mark.parametrize(
    ("cni", "cluster_version", "pool_version", "expected"),
    [
        (Cni.VCN_NATIVE, "v1.22.0", None, []),
        (Cni.VCN_NATIVE, "v1.21.14", None, ["K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE"]),
        (Cni.VCN_NATIVE, "v1.29.1", "v1.20.0", ["K8S_VERSION_TOO_OLD_FOR_VCN_NATIVE"]),
        (Cni.FLANNEL, "v1.21.14", None, []),
        (Cni.VCN_NATIVE, "banana", None, ["K8S_VERSION_UNPARSABLE"]),
        (Cni.VCN_NATIVE, None, None, []),
    ],
)
def test_vcn_native_needs_kubernetes_1_22_on_the_cluster_and_its_pools(
    cni: Cni, cluster_version: str | None, pool_version: str | None, expected: list[str]
) -> None:
    the_cluster = cluster(cni, kubernetes_version=cluster_version, node_pools=(pool(kubernetes_version=pool_version),))
    assert codes(version_findings(Check(tenancy(the_cluster), the_cluster))) == expected


@pytest.mark.parametrize(
    ("mesh", "cluster_version", "pool_version", "subjects"),
    [
        (True, "v1.26.0", None, []),
        (True, "v1.25.9", None, ["cluster:prod"]),
        (True, "v1.27.2", "v1.25.1", ["nodePool:np1"]),
        (False, "v1.25.9", None, []),
    ],
)
def test_a_service_mesh_needs_kubernetes_1_26(
    mesh: bool, cluster_version: str, pool_version: str | None, subjects: list[str]
) -> None:
    the_cluster = cluster(
        service_mesh=mesh, kubernetes_version=cluster_version, node_pools=(pool(kubernetes_version=pool_version),)
    )
    checked = version_findings(Check(tenancy(the_cluster), the_cluster))
    found = [f for f in checked if f.code == "SERVICE_MESH_K8S_VERSION"]
    assert [f.subject for f in found] == subjects
    assert all("1.26" in f.message for f in found)


@pytest.mark.parametrize(
    ("cni", "image", "expected"),
    [
        (Cni.VCN_NATIVE, NodeImage(released="2022-05-31"), ["NODE_IMAGE_TOO_OLD"]),
        (Cni.VCN_NATIVE, NodeImage(released="2022-06-01"), []),
        (Cni.VCN_NATIVE, NodeImage(name="Oracle-Linux-7.9-2021.11.04-0-OKE-1.21.5"), ["NODE_IMAGE_TOO_OLD"]),
        (Cni.VCN_NATIVE, NodeImage(name="custom"), []),
        (Cni.VCN_NATIVE, None, []),
        (Cni.FLANNEL, NodeImage(released="2020-01-01"), []),
    ],
)
def test_vcn_native_pools_need_an_image_from_june_2022_or_later(
    cni: Cni, image: NodeImage | None, expected: list[str]
) -> None:
    the_cluster = cluster(cni, node_pools=(pool(image=image),))
    found = image_findings(Check(tenancy(the_cluster), the_cluster))
    assert codes(found) == expected
    assert all(f.severity is Severity.ERROR and f.details["released"] for f in found)
