"""CNI_POD_ERRORS: CNI pods not Ready, restarting or logging errors, per node, beside pending updates."""

from __future__ import annotations

from engine.cni import assess_cni
from engine.cni.pending import ADMISSION_POLICY_STEPS
from engine.findings import Severity
from engine.model import Addon, CniDaemonSet, CniObservation, CniPod
from engine.usecases.diagnose import diagnose
from tests.engine.builders import cluster, tenancy

CLEAN = "2026-11-26T08:41:01.112Z INFO ipam: node pod VNICs attached, IPs ready\n"
REBOOT = "2026-11-26T08:58:30.021Z WARN updater: CNI plugin v2.3.1 staged; reboot required to apply the update\n"
CHECKPOINT = (
    "2026-11-26T08:41:01.112Z INFO ipam: starting\n"
    "2026-11-26T08:41:02.000Z ERROR ipam: Failed to load checkpoint: unexpected end of JSON input\n"
    "2026-11-26T08:41:12.000Z ERROR ipam: Failed to load checkpoint: unexpected end of JSON input\n"
    "2026-11-26T08:41:13.000Z ERROR ipam: no free IPs available on this node\n"
)


def _observation(*pods: tuple[str, str, str | None, bool | None, int | None]) -> CniObservation:
    """Pods as (name, node, log, ready, restarts); a None log was not read."""
    return CniObservation(
        daemon_set=CniDaemonSet(name="vcn-native-ip-cni", update_strategy="OnDelete", desired=len(pods),
                                updated=len(pods), newest_revision_hash="new"),
        pods=tuple(CniPod(name=name, node=node, revision_hash="new", ready=ready, restarts=restarts)
                   for name, node, _, ready, restarts in pods),
        logs={name: log for name, _, log, _, _ in pods if log is not None},
    )


ADDON = (Addon(name="OciVcnIpNative", version=None, current_installed_version="2.3.1"),)


def test_the_issue_case_a_checkpoint_error_is_reported_beside_the_pending_update_elsewhere() -> None:
    obs = _observation(("cni-a", "10.0.10.2", REBOOT, True, 0), ("cni-b", "10.0.10.3", CHECKPOINT, True, 0),
                       ("cni-c", "10.0.10.4", CLEAN, True, 0))
    status = assess_cni(cluster("prod", addons=ADDON, observation=obs))
    assert [node.node for node in status.pending_nodes] == ["10.0.10.2"]
    (troubled,) = status.pod_errors
    assert (troubled.node, troubled.pod, troubled.ready, troubled.restarts) == ("10.0.10.3", "cni-b", True, 0)
    assert [(e.line, e.count) for e in troubled.errors] == [
        ("ERROR ipam: Failed to load checkpoint: unexpected end of JSON input", 2),
        ("ERROR ipam: no free IPs available on this node", 1),
    ]


def test_diagnose_ranks_the_cni_pod_errors_as_a_warning_naming_the_node_and_the_error() -> None:
    obs = _observation(("cni-a", "10.0.10.2", REBOOT, True, 0), ("cni-b", "10.0.10.3", CHECKPOINT, False, 7))
    report = diagnose(tenancy(cluster("prod", addons=ADDON, observation=obs)), cluster="prod")
    codes = {str(f.code): f for f in report.findings}
    assert "CNI_UPDATE_PENDING" in codes
    found = codes["CNI_POD_ERRORS"]
    assert found.severity is Severity.WARNING
    assert "10.0.10.3 (pod cni-b: not Ready, 7 restarts, 3 error lines (2 distinct)" in found.message
    assert '"ERROR ipam: Failed to load checkpoint: unexpected end of JSON input" and 1 more' in found.message
    assert found.details == {"nodes": 1, "pods": 1, "notReady": 1, "restarts": 7, "errorLines": 3}
    assert report.cni.pod_errors[0].pod == "cni-b"


def test_not_ready_or_restarting_pods_are_listed_even_without_error_lines_or_a_log() -> None:
    obs = _observation(("cni-a", "10.0.10.2", None, False, 0), ("cni-b", "10.0.10.3", CLEAN, True, 2),
                       ("cni-c", "10.0.10.4", CLEAN, True, 0), ("cni-d", "10.0.10.5", CLEAN, None, None))
    status = assess_cni(cluster("prod", observation=obs))
    assert [(p.pod, p.ready, p.restarts, p.errors) for p in status.pod_errors] == [
        ("cni-a", False, 0, []), ("cni-b", True, 2, [])]


def test_healthy_pods_give_no_pod_errors_and_no_finding() -> None:
    obs = _observation(("cni-a", "10.0.10.2", CLEAN, True, 0))
    report = diagnose(tenancy(cluster("prod", addons=ADDON, observation=obs)), cluster="prod")
    assert report.cni.pod_errors == []
    assert "CNI_POD_ERRORS" not in {f.code for f in report.findings}


def test_unread_kubernetes_gives_no_pod_errors() -> None:
    assert assess_cni(cluster("prod", addons=ADDON, observation=None)).pod_errors == []


def test_the_cni_report_json_lists_pod_errors_per_node() -> None:
    obs = _observation(("cni-b", "10.0.10.3", CHECKPOINT, False, 1))
    data = assess_cni(cluster("prod", observation=obs)).model_dump(mode="json", by_alias=True)
    assert data["podErrors"] == [{
        "node": "10.0.10.3", "pod": "cni-b", "ready": False, "restarts": 1,
        "errors": [{"line": "ERROR ipam: Failed to load checkpoint: unexpected end of JSON input", "count": 2},
                   {"line": "ERROR ipam: no free IPs available on this node", "count": 1}],
    }]


def test_an_on_delete_update_also_gives_oracle_s_alternative_to_replacing_nodes() -> None:
    obs = _observation(("cni-a", "10.0.10.2", REBOOT, True, 0))
    status = assess_cni(cluster("prod", addons=ADDON, observation=obs))
    assert "replace or cycle the node" in status.pending_nodes[0].action
    assert "admission policy set aside" in status.pending_nodes[0].action
    assert ADMISSION_POLICY_STEPS in status.notes
    assert "save the validating admission policy" in ADMISSION_POLICY_STEPS
    assert "Assumption" in ADMISSION_POLICY_STEPS  # the resource names are not Oracle's text
    assert "Where nodes cannot be replaced" in status.action


def test_a_reboot_only_update_gives_no_admission_policy_steps() -> None:
    obs = _observation(("cni-a", "10.0.10.2", REBOOT, True, 0))
    obs = obs.model_copy(update={"daemon_set": obs.daemon_set and obs.daemon_set.model_copy(
        update={"update_strategy": "RollingUpdate"})})
    old = (Addon(name="OciVcnIpNative", version=None, current_installed_version="2.2.5"),)
    status = assess_cni(cluster("prod", addons=old, observation=obs))
    assert status.pending_nodes[0].action == "reboot the node"
    assert ADMISSION_POLICY_STEPS not in status.notes
