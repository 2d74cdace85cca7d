from __future__ import annotations

import pytest

from engine.cni import FLANNEL_NO_CHECK, NOT_READ, assess_cni
from engine.cni.pending import ACTION_REBOOT, ACTION_REPLACE, ACTION_UNKNOWN_MODE
from engine.errors import NotFoundError
from engine.model import Addon, Cni, CniDaemonSet, CniObservation, CniPod
from engine.usecases.cni import cni_status
from tests.engine.builders import cluster, tenancy

CLEAN_LOG = "I1126 09:00:00 cni started\nI1126 09:00:01 ipam ready\n"
REBOOT_LOG = "I1126 09:00:00 cni started\nW1126 09:10:00 CNI updated, Reboot Required to apply\n"


def addon(version: str | None = None, installed: str | None = "2.2.5", *, name: str = "OciVcnIpNative",
          newest: str | None = None, state: str | None = "ACTIVE") -> Addon:
    return Addon(name=name, version=version, current_installed_version=installed, lifecycle_state=state,
                 newest_available_version=newest)


def observation(*, strategy: str | None = "RollingUpdate", desired: int | None = 2, updated: int | None = 2,
                newest: str | None = "abc", hashes: tuple[str | None, ...] = ("abc", "abc"),
                logs: tuple[str | None, ...] = (CLEAN_LOG, CLEAN_LOG)) -> CniObservation:
    pods = tuple(CniPod(name=f"vcn-native-ip-cni-{i}", node=f"10.0.10.{i}", revision_hash=h)
                 for i, h in enumerate(hashes))
    return CniObservation(
        daemon_set=CniDaemonSet(name="vcn-native-ip-cni", update_strategy=strategy, desired=desired,
                                updated=updated, newest_revision_hash=newest),
        pods=pods,
        logs={pod.name: log for pod, log in zip(pods, logs, strict=False) if log is not None},
    )


def status(*, cni: Cni = Cni.VCN_NATIVE, addons: tuple[Addon, ...] | None = (),
           obs: CniObservation | None = None):
    return assess_cni(cluster("prod", cni=cni, addons=addons, observation=obs))


def test_a_reboot_required_log_on_a_rolling_update_cni_asks_to_reboot_that_node():
    result = status(addons=(addon(installed="2.2.5"),), obs=observation(logs=(CLEAN_LOG, REBOOT_LOG)))
    assert result.pending_update is True
    [pending] = result.pending_nodes
    assert (pending.pod, pending.node, pending.action) == ("vcn-native-ip-cni-1", "10.0.10.1", ACTION_REBOOT)
    assert "reboot required" in pending.reason
    assert result.action == "Reboot 1 node to apply the pending CNI update."


def test_a_reboot_required_log_on_an_on_delete_cni_asks_to_replace_the_node():
    obs = observation(strategy="OnDelete", logs=(REBOOT_LOG, REBOOT_LOG))
    result = status(addons=(addon(installed="2.3.1"),), obs=obs)
    assert result.pending_update is True
    assert [p.action for p in result.pending_nodes] == [ACTION_REPLACE, ACTION_REPLACE]
    assert "admission policy" in ACTION_REPLACE
    assert result.action.startswith("Replace or cycle 2 nodes to apply the pending CNI update.")
    assert "Where nodes cannot be replaced" in result.action


def test_an_on_delete_pod_on_an_old_revision_is_pending_even_with_a_clean_log():
    obs = observation(strategy="OnDelete", updated=1, newest="new", hashes=("new", "old"))
    result = status(addons=(addon(installed="2.3.1"),), obs=obs)
    assert result.pending_update is True
    [pending] = result.pending_nodes
    assert pending.pod == "vcn-native-ip-cni-1"
    assert pending.action == ACTION_REPLACE
    assert "revision old" in pending.reason
    assert "newest revision new" in pending.reason
    assert not any("outdated revision" in note for note in result.notes)


def test_outdated_pods_that_cannot_be_identified_still_mean_pending_and_say_so():
    obs = observation(strategy="OnDelete", desired=3, updated=1, newest=None, hashes=(None, None, None),
                      logs=(CLEAN_LOG, CLEAN_LOG, CLEAN_LOG))
    result = status(addons=(addon(installed="2.3.1"),), obs=obs)
    assert result.pending_update is True
    assert result.pending_nodes == []
    [note] = [note for note in result.notes if "2 of 3 CNI pods run an outdated revision" in note]
    assert "none of them could be identified" in note
    assert result.action.startswith("2 CNI pods run an outdated revision")


def test_nothing_pending_when_every_log_is_clean_and_every_pod_is_current():
    result = status(addons=(addon(installed="2.3.1"),), obs=observation(strategy="OnDelete"))
    assert result.pending_update is False
    assert result.pending_nodes == []
    assert result.action == "Nothing to do: no node waits for a CNI update."


def test_pending_update_is_unknown_when_the_kubernetes_side_was_not_read():
    result = status(addons=(addon(),), obs=None)
    assert result.pending_update is None
    assert NOT_READ in result.notes
    assert "Read the cluster's CNI pods" in result.action


@pytest.mark.parametrize(
    ("obs", "gap"),
    [
        (observation(logs=(CLEAN_LOG, None)), "logs of CNI pods vcn-native-ip-cni-1 were not read"),
        (CniObservation(), "No CNI pods were read"),
        (observation(strategy="OnDelete", desired=None, updated=None, hashes=("abc", None)),
         "revisions were not fully read"),
    ],
)
def test_a_clean_but_partial_read_leaves_pending_update_unknown_and_names_the_gap(obs, gap):
    result = status(addons=(addon(installed="2.3.1"),), obs=obs)
    assert result.pending_update is None
    assert any(gap in note for note in result.notes)


def test_a_2_3_cni_whose_daemon_set_was_not_read_cannot_be_declared_up_to_date_from_logs_alone():
    obs = CniObservation(pods=(CniPod(name="p0"),), logs={"p0": CLEAN_LOG})
    result = status(addons=(addon(installed="2.3.0"),), obs=obs)
    assert result.pending_update is None


def test_a_pre_2_3_cni_is_up_to_date_when_its_logs_are_clean_even_without_the_daemon_set():
    obs = CniObservation(pods=(CniPod(name="p0"),), logs={"p0": CLEAN_LOG})
    result = status(addons=(addon(installed="2.2.9"),), obs=obs)
    assert result.pending_update is False


@pytest.mark.parametrize(
    ("installed", "strategy", "action"),
    [
        ("2.2.9", None, ACTION_REBOOT),
        ("2.3.0", None, ACTION_REPLACE),
        ("v2.10.1", None, ACTION_REPLACE),
        (None, None, ACTION_UNKNOWN_MODE),
        ("2.3.0", "RollingUpdate", ACTION_REBOOT),
        ("2.2.9", "OnDelete", ACTION_REPLACE),
    ],
)
def test_how_to_apply_a_pending_update_follows_the_daemon_set_strategy_then_the_cni_version(
    installed, strategy, action
):
    obs = observation(strategy=strategy, logs=(REBOOT_LOG, CLEAN_LOG))
    result = status(addons=(addon(installed=installed),), obs=obs)
    assert [p.action for p in result.pending_nodes] == [action]


def test_an_oracle_managed_add_on_has_no_pinned_version():
    result = status(addons=(addon(version=None, installed="2.3.1"),), obs=observation())
    assert result.addon is not None
    assert result.addon.managed_by_oracle is True
    assert result.addon.version is None
    assert result.addon.current_installed_version == "2.3.1"


def test_a_pinned_add_on_behind_the_newest_version_is_noted_and_suggested():
    pinned = addon(version="2.2.5", installed="2.2.5", newest="2.10.1")
    result = status(addons=(pinned,), obs=observation())
    assert result.addon is not None
    assert result.addon.managed_by_oracle is False
    assert result.addon.newest_available_version == "2.10.1"
    assert any("pinned to 2.2.5" in note and "2.10.1" in note for note in result.notes)
    assert result.pending_update is False
    assert "pinned OciVcnIpNative add-on to 2.10.1" in result.action


def test_a_pinned_add_on_at_the_newest_version_is_not_noted():
    result = status(addons=(addon(version="2.10.1", installed="2.10.1", newest="2.10.1"),), obs=observation())
    assert not any("pinned" in note for note in result.notes)


def test_the_add_on_is_matched_by_name_in_any_case_and_other_add_ons_are_ignored():
    addons = (Addon(name="CoreDNS", version="1.11"), addon(name="ocivcnipnative", installed="2.3.1"))
    result = status(addons=addons, obs=observation())
    assert result.addon is not None
    assert result.addon.name == "ocivcnipnative"


@pytest.mark.parametrize(
    ("addons", "note"),
    [(None, "add-ons were not read"), ((Addon(name="CoreDNS"),), "lists no OciVcnIpNative add-on")],
)
def test_a_missing_add_on_is_none_and_said_so(addons, note):
    result = status(addons=addons, obs=observation())
    assert result.addon is None
    assert any(note in line for line in result.notes)


def test_an_add_on_that_needs_attention_is_noted():
    result = status(addons=(addon(state="NEEDS_ATTENTION"),), obs=observation())
    assert any("NEEDS_ATTENTION" in note for note in result.notes)


def test_flannel_with_clean_logs_has_unknown_pending_update_and_says_no_check_is_documented():
    flannel = addon(name="Flannel", installed="0.26.0")
    result = status(cni=Cni.FLANNEL, addons=(flannel,), obs=observation())
    assert result.pending_update is None
    assert FLANNEL_NO_CHECK in result.notes
    assert result.addon is not None
    assert result.addon.name == "Flannel"


def test_flannel_with_a_reboot_required_log_is_pending_and_asks_for_a_reboot():
    result = status(cni=Cni.FLANNEL, addons=(), obs=observation(strategy=None, logs=(REBOOT_LOG, CLEAN_LOG)))
    assert result.pending_update is True
    assert [p.action for p in result.pending_nodes] == [ACTION_REBOOT]


def test_cni_report_covers_every_cluster_or_the_one_named():
    t = tenancy(cluster("prod", observation=observation()), cluster("dev", cni=Cni.FLANNEL))
    assert [c.name for c in cni_status(t).clusters] == ["prod", "dev"]
    assert [c.name for c in cni_status(t, cluster="dev").clusters] == ["dev"]
    with pytest.raises(NotFoundError, match=r"no cluster 'stage' \(clusters: dev, prod\)"):
        cni_status(t, cluster="stage")


def test_cni_report_json_keeps_unknown_pending_update_as_null():
    data = cni_status(tenancy(cluster("prod"))).model_dump(mode="json", by_alias=True)
    entries = data["clusters"]
    assert isinstance(entries, list)
    [entry] = entries
    assert entry["pendingUpdate"] is None
    assert entry["pendingNodes"] == []


def test_a_rolling_update_in_progress_is_not_a_pending_update_and_is_explained():
    from engine.model import CniDaemonSet, CniObservation, CniPod

    observation = CniObservation(
        daemon_set=CniDaemonSet(name="vcn-native-ip-cni", update_strategy="RollingUpdate", desired=3, updated=2,
                                newest_revision_hash="new"),
        pods=(CniPod(name="a", node="n1", revision_hash="new"), CniPod(name="b", node="n2", revision_hash="new"),
              CniPod(name="c", node="n3", revision_hash="old")),
        logs={"a": "ok", "b": "ok", "c": "ok"},
    )
    from engine.cni.pending import find_pending

    scan = find_pending(observation, mode="reboot")
    assert scan.nodes == ()
    assert scan.outdated == 0
    assert scan.complete
    assert any("rolling update" in note for note in scan.notes)
