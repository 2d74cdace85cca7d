"""What the rendered objects promise: a restricted pod, probes that never depend on Slack or OCI, secrets only by
reference, a drain that fits in the grace period, several replicas only on PostgreSQL, and the right shape per mode.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.deploy.chart import CHART, NAMESPACE, load_values, render, render_error

POSTGRES_FROM_SECRET = {"type": "postgresql", "existingSecret": "okebot-store"}


# ---- security ----

def test_the_pod_runs_as_the_fixed_non_root_user_with_the_runtime_default_seccomp_profile():
    pod = render().pod()
    assert pod["securityContext"] == {
        "runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_the_container_has_a_read_only_root_no_privileges_and_no_capabilities():
    context = render().container()["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["privileged"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] == 10001


def test_only_tmp_is_writable_an_empty_dir_and_the_config_is_mounted_read_only():
    rendered = render()
    mounts = {m["mountPath"]: m for m in rendered.container()["volumeMounts"]}
    volumes = {v["name"]: v for v in rendered.pod()["volumes"]}
    assert set(mounts) == {"/tmp", "/etc/okebot"}
    assert "emptyDir" in volumes[mounts["/tmp"]["name"]]
    assert mounts["/etc/okebot"]["readOnly"] is True
    assert volumes[mounts["/etc/okebot"]["name"]]["configMap"]["name"] == rendered.one("ConfigMap")["metadata"]["name"]


def test_the_config_check_hook_runs_with_the_same_restricted_contexts_and_never_as_a_bot_pod():
    rendered = render({"configCheck": {"enabled": True}})
    job = rendered.one("Job")
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"] == rendered.pod()["securityContext"]
    assert container["securityContext"] == rendered.container()["securityContext"]
    assert container["args"] == ["config", "check"]
    assert container["env"] == rendered.container()["env"]
    selector = rendered.deployment()["spec"]["selector"]["matchLabels"]
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= job_labels.items(), "the Service would send Slack traffic to the hook's pod"


def test_the_config_check_hook_is_a_post_install_and_post_upgrade_hook_deleted_when_it_succeeds():
    job = render({"configCheck": {"enabled": True, "extraArgs": ["--no-environment"]}}).one("Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "post-install,post-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    assert job["spec"]["backoffLimit"] == 2
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["config", "check", "--no-environment"]
    assert "Job" not in render().kinds()


# ---- probes and ports ----

@pytest.mark.parametrize(("mode", "port", "args"), [
    ("socket", 8080, ["serve", "--health-port", "8080"]),
    ("http", 3000, ["serve", "--http", "3000"]),
])
def test_probes_use_healthz_for_liveness_and_startup_and_readyz_for_readiness_on_the_named_port(mode, port, args):
    container = render({"mode": mode}).container()
    assert container["args"] == args
    assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


def test_probe_timings_come_from_values_but_not_their_paths():
    container = render({"livenessProbe": {"periodSeconds": 20, "failureThreshold": 5}}).container()
    assert container["livenessProbe"] == {"httpGet": {"path": "/healthz", "port": "http"},
                                          "periodSeconds": 20, "failureThreshold": 5, "timeoutSeconds": 2}
    message = render_error({"livenessProbe": {"httpGet": {"path": "/readyz", "port": "http"}}})
    assert "httpGet" in message


def test_a_non_oci_source_is_passed_to_serve():
    assert render({"source": "demo"}).container()["args"] == ["serve", "--health-port", "8080", "--source", "demo"]


@pytest.mark.parametrize("source", ["demo", "snapshot:/snapshots/tenancy.json"])
def test_the_config_check_hook_checks_the_source_the_bot_serves_with_its_volumes(source):
    volumes = {"extraVolumes": [{"name": "snapshots", "configMap": {"name": "tenancy-snapshot"}}],
               "extraVolumeMounts": [{"name": "snapshots", "mountPath": "/snapshots", "readOnly": True}]}
    rendered = render({"source": source, "configCheck": {"enabled": True, "extraArgs": ["--format", "json"]},
                       **volumes})
    pod = rendered.one("Job")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["config", "check", "--source", source, "--format", "json"]
    assert rendered.container()["args"][-2:] == ["--source", source]
    assert container["volumeMounts"] == rendered.container()["volumeMounts"]
    assert pod["volumes"] == rendered.pod()["volumes"]


# ---- secrets ----

def test_slack_tokens_come_only_from_the_existing_secret_by_reference_per_mode():
    socket_env = render({"slack": {"existingSecret": "my-slack"}}).env()
    http_env = render({"mode": "http", "slack": {"existingSecret": "my-slack", "signingSecretKey": "sign"}}).env()
    assert socket_env["SLACK_BOT_TOKEN"] == {
        "name": "SLACK_BOT_TOKEN", "valueFrom": {"secretKeyRef": {"name": "my-slack", "key": "SLACK_BOT_TOKEN"}}}
    assert socket_env["SLACK_APP_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "my-slack", "key": "SLACK_APP_TOKEN"}
    assert "SLACK_SIGNING_SECRET" not in socket_env
    assert http_env["SLACK_SIGNING_SECRET"]["valueFrom"]["secretKeyRef"] == {"name": "my-slack", "key": "sign"}
    assert "SLACK_APP_TOKEN" not in http_env


@pytest.mark.parametrize("values_file", sorted((CHART / "ci").glob("*.yaml")), ids=lambda p: p.name)
def test_no_secret_object_and_no_secret_value_is_ever_rendered(values_file):
    values = load_values(values_file)
    rendered = render(values)
    assert "Secret" not in rendered.kinds()
    secret_names = {name for name in rendered.env() if name.startswith("SLACK_")}
    if values.get("store", {}).get("existingSecret"):
        secret_names.add("OKEBOT_STORE_URL")
    for name in secret_names:
        assert set(rendered.env()[name]) == {"name", "valueFrom"}, f"{name} is rendered as a value"
    text = rendered.text()
    assert not re.search(r"xox[abp]-|xapp-", text)
    assert not re.search(r"://[^/@\s]*:[^/@\s]*@", text), "a URL with a password was rendered"


def test_a_store_url_with_a_password_is_refused_and_must_come_from_a_secret():
    message = render_error({"store": {"url": "postgresql://okebot:hunter2@db:5432/okebot"}})
    assert "store.url holds a password" in message
    assert "hunter2" not in message
    env = render({"store": POSTGRES_FROM_SECRET}).env()
    assert env["OKEBOT_STORE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "okebot-store", "key": "OKEBOT_STORE_URL"}


# ---- config and its checksum ----

def test_the_config_map_holds_okebot_yaml_and_the_pod_finds_it_through_okebot_config():
    rendered = render({"config": {"access": {"default_role": "operator"}, "digests": []}})
    config = rendered.one("ConfigMap")["data"]["okebot.yaml"]
    assert "default_role: operator" in config
    assert rendered.env()["OKEBOT_CONFIG"]["value"] == "/etc/okebot/okebot.yaml"


def test_the_checksum_annotation_is_the_config_maps_hash_and_changes_only_when_the_config_does():
    def checksum(values):
        rendered = render(values)
        return rendered, rendered.deployment()["spec"]["template"]["metadata"]["annotations"]["checksum/config"]

    rendered, base = checksum({})
    config_map_text = rendered.files[f"{CHART.name}/templates/configmap.yaml"]
    assert base == hashlib.sha256(config_map_text.encode()).hexdigest()
    _, changed = checksum({"config": {"access": {"default_role": "none"}}})
    _, unrelated = checksum({"replicaCount": 1, "logFormat": "text", "podAnnotations": {"a": "b"}})
    assert changed != base
    assert unrelated == base


# ---- drain and grace ----

def test_the_grace_period_is_above_the_drain_period_passed_to_okebot():
    rendered = render()
    assert rendered.env()["OKEBOT_DRAIN_SECONDS"]["value"] == "25"
    assert rendered.pod()["terminationGracePeriodSeconds"] == 30
    assert rendered.pod()["terminationGracePeriodSeconds"] > int(rendered.env()["OKEBOT_DRAIN_SECONDS"]["value"])
    longer = render({"drainSeconds": 50, "terminationGracePeriodSeconds": 60})
    assert longer.env()["OKEBOT_DRAIN_SECONDS"]["value"] == "50"
    assert longer.pod()["terminationGracePeriodSeconds"] == 60


@pytest.mark.parametrize("grace", [25, 10])
def test_a_grace_period_not_above_the_drain_period_is_refused(grace):
    message = render_error({"drainSeconds": 25, "terminationGracePeriodSeconds": grace})
    assert f"terminationGracePeriodSeconds ({grace}) must be above drainSeconds (25)" in message


# ---- replicas and the store ----

def test_several_replicas_on_sqlite_are_refused_with_the_reason():
    message = render_error({"replicaCount": 3})
    assert "several replicas need PostgreSQL to share digests and audit; set store.type=postgresql" in message


def test_several_replicas_with_a_store_secret_of_unstated_type_are_refused():
    message = render_error({"replicaCount": 2, "store": {"existingSecret": "okebot-store"}})
    assert "several replicas need PostgreSQL" in message
    assert "store is unknown" in message


@pytest.mark.parametrize("store", [
    {"url": "postgresql://db.example.internal:5432/okebot"},
    {"url": "postgres://db.example.internal/okebot"},
    POSTGRES_FROM_SECRET,
])
def test_several_replicas_on_postgresql_render_with_a_disruption_budget_and_a_rolling_update(store):
    rendered = render({"replicaCount": 3, "store": store})
    assert rendered.deployment()["spec"]["replicas"] == 3
    pdb = rendered.one("PodDisruptionBudget")
    assert pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["selector"] == rendered.deployment()["spec"]["selector"]
    assert rendered.deployment()["spec"]["strategy"]["type"] == "RollingUpdate"


def test_one_replica_has_no_disruption_budget_and_recreates_on_sqlite():
    rendered = render()
    assert rendered.deployment()["spec"]["replicas"] == 1
    assert "PodDisruptionBudget" not in rendered.kinds()
    assert rendered.deployment()["spec"]["strategy"] == {"type": "Recreate"}
    assert rendered.env()["OKEBOT_STORE_URL"]["value"] == "sqlite:////tmp/okebot.db"
    assert "EPHEMERAL" in rendered.notes


def test_a_store_type_that_contradicts_the_store_url_is_refused():
    message = render_error({"store": {"type": "postgresql", "url": "sqlite:////data/okebot.db"}})
    assert "store.type is postgresql but store.url is sqlite:////data/okebot.db; make them agree" in message
    message = render_error({"store": {"type": "sqlite", "url": "postgresql://db/okebot"}})
    assert "store.type is sqlite but store.url is postgresql://db/okebot" in message


@pytest.mark.parametrize("values", [{"store": {"type": "postgresql"}},
                                    {"replicaCount": 2, "store": {"type": "postgresql"}}])
def test_postgresql_without_its_url_says_what_to_set_not_that_an_unset_url_disagrees(values):
    message = render_error(values)
    assert "store.type is postgresql, but no PostgreSQL URL is given: set store.existingSecret" in message
    assert "store.url=postgresql://HOST/DB" in message
    assert "make them agree" not in message


# ---- modes, Service, Ingress ----

def test_socket_mode_has_no_service_and_no_ingress():
    assert render().kinds() == {"ServiceAccount", "ConfigMap", "Deployment"}


def test_http_mode_has_a_service_and_an_ingress_that_routes_only_slack_events():
    rendered = render(load_values(CHART / "ci" / "http-ingress-values.yaml"))
    service = rendered.one("Service")
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    assert service["spec"]["selector"] == rendered.deployment()["spec"]["selector"]["matchLabels"]
    (rule,) = rendered.one("Ingress")["spec"]["rules"]
    assert rule["host"] == "okebot.example.com"
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [("/slack/events", "Exact")]
    assert rule["http"]["paths"][0]["backend"]["service"] == {"name": service["metadata"]["name"],
                                                              "port": {"name": "http"}}


def test_an_ingress_in_socket_mode_is_refused():
    assert "ingress.enabled needs mode=http" in render_error({"ingress": {"enabled": True, "host": "x.example.com"}})


# ---- OCI settings ----

def test_oci_settings_default_to_workload_identity_and_pass_region_and_compartments():
    assert render().env()["OKEBOT_OCI_AUTH"]["value"] == "oke_workload_identity"
    env = render({"oci": {"region": "eu-frankfurt-1",
                          "compartments": ["ocid1.compartment.oc1..a", "ocid1.compartment.oc1..b"]},
                  "kube": {"enabled": True}, "logFormat": "text"}).env()
    assert env["OKEBOT_OCI_REGION"]["value"] == "eu-frankfurt-1"
    assert env["OCI_RESOURCE_PRINCIPAL_REGION"]["value"] == "eu-frankfurt-1"
    assert env["OKEBOT_OCI_COMPARTMENTS"]["value"] == "ocid1.compartment.oc1..a,ocid1.compartment.oc1..b"
    assert env["OKEBOT_KUBE_ENABLED"]["value"] == "true"
    assert env["OKEBOT_LOG_FORMAT"]["value"] == "text"
    assert render().env()["OKEBOT_LOG_FORMAT"]["value"] == "json"


def test_workload_identity_without_the_service_account_token_is_refused():
    message = render_error({"serviceAccount": {"automountServiceAccountToken": False}})
    assert "automountServiceAccountToken=true" in message
    rendered = render({"oci": {"auth": "instance_principal"},
                       "serviceAccount": {"automountServiceAccountToken": False}})
    assert rendered.pod()["automountServiceAccountToken"] is False
    assert rendered.one("ServiceAccount")["automountServiceAccountToken"] is False


# ---- sizing ----

def _cpus(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def _mebibytes(quantity: str) -> float:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    return float(quantity[:-2]) * units[quantity[-2:]]


def test_the_default_cpu_limit_covers_the_answers_computed_at_once_and_memory_the_measured_process_tree():
    rendered = render()
    concurrency = int(rendered.env()["OKEBOT_ANSWER_CONCURRENCY"]["value"])
    resources = rendered.container()["resources"]
    assert concurrency == 2
    assert _cpus(resources["limits"]["cpu"]) >= concurrency
    measured = 333  # MiB resident, event loop and two workers, on a 100-cluster tenancy (chart README, "Sizing")
    assert _mebibytes(resources["requests"]["memory"]) > measured
    assert _mebibytes(resources["limits"]["memory"]) >= 2 * measured
    assert render({"answerConcurrency": 4}).env()["OKEBOT_ANSWER_CONCURRENCY"]["value"] == "4"


# ---- NOTES ----

def test_the_notes_say_a_missing_secret_stops_the_container_from_being_created():
    notes = render().notes
    assert "CreateContainerConfigError" in notes
    assert "stays not ready" not in notes


@pytest.mark.parametrize("source", ["demo", "snapshot:/snapshots/tenancy.json"])
def test_the_notes_ask_for_no_iam_policy_when_no_live_tenancy_is_read(source):
    notes = render({"source": source}).notes
    assert "Allow any-user" not in notes
    assert "needs no OCI IAM policy" in notes


def test_the_service_account_carries_its_annotations_and_the_notes_show_the_workload_policy():
    rendered = render({"serviceAccount": {"annotations": {"example.com/a": "b"}}})
    account = rendered.one("ServiceAccount")
    assert account["metadata"]["annotations"] == {"example.com/a": "b"}
    assert rendered.pod()["serviceAccountName"] == account["metadata"]["name"]
    assert f"request.principal.namespace = '{NAMESPACE}'" in rendered.notes
    assert f"request.principal.service_account = '{account['metadata']['name']}'" in rendered.notes


# ---- monitoring and network policy ----

def test_the_service_monitor_scrapes_metrics_on_the_named_port_through_a_service_even_in_socket_mode():
    rendered = render({"metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}}})
    monitor = rendered.one("ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prom"
    (endpoint,) = monitor["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("http", "/metrics")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= rendered.one("Service")["metadata"]["labels"].items()
    assert rendered.one("Service")["spec"]["ports"][0]["targetPort"] == "http"


def test_the_network_policy_admits_only_okebots_port_and_lets_out_only_what_okebot_talks_to():
    rendered = render({"networkPolicy": {"enabled": True}, "replicaCount": 2, "store": POSTGRES_FROM_SECRET})
    policy = rendered.one("NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["podSelector"]["matchLabels"] == rendered.deployment()["spec"]["selector"]["matchLabels"]
    (ingress,) = policy["ingress"]
    assert ingress["ports"] == [{"port": "http", "protocol": "TCP"}]
    egress_ports = {(p["port"], p["protocol"]) for rule in policy["egress"] for p in rule["ports"]}
    assert egress_ports == {(53, "UDP"), (53, "TCP"), (443, "TCP"), (6443, "TCP"), (12250, "TCP"), (5432, "TCP")}
    sqlite_policy = render({"networkPolicy": {"enabled": True}}).one("NetworkPolicy")["spec"]
    assert 5432 not in {p["port"] for rule in sqlite_policy["egress"] for p in rule["ports"]}


# ---- names and labels ----

def test_common_labels_reach_every_object_and_pod_labels_and_annotations_reach_the_pod():
    rendered = render({"commonLabels": {"team": "platform"}, "podLabels": {"tier": "chatops"},
                       "podAnnotations": {"example.com/x": "y"}, "fullnameOverride": "chatbot"})
    for doc in rendered.docs:
        assert doc["metadata"]["labels"]["team"] == "platform", doc["kind"]
        assert doc["metadata"]["name"].startswith("chatbot"), doc["kind"]
    template = rendered.deployment()["spec"]["template"]["metadata"]
    assert template["labels"]["tier"] == "chatops"
    assert template["annotations"]["example.com/x"] == "y"
    assert "checksum/config" in template["annotations"]


@pytest.mark.parametrize("values_file", sorted((CHART / "ci").glob("*.yaml")), ids=lambda p: p.name)
def test_the_rendered_okebot_yaml_is_a_file_okebot_accepts_without_a_warning(values_file):
    from adapters.okebot_yaml import read_config_text

    config_text = render(load_values(values_file)).one("ConfigMap")["data"]["okebot.yaml"]
    found = read_config_text(config_text, source="okebot.yaml")
    assert (found.problems, found.warnings) == ((), ())
    assert found.policy is not None
