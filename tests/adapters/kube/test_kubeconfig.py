from __future__ import annotations

import base64

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from adapters.kube.kubeconfig import ClusterAccess, OkeTokenExec, load_kubeconfig, parse_kubeconfig
from engine.errors import InputError

CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
CA_DATA = base64.b64encode(CA_PEM.encode()).decode()
CLUSTER = "ocid1.cluster.oc1.iad.aaaaaaaa7example"

# The shape OCI's create_kubeconfig returns (token_version 2.0.0): one cluster, an exec user, one context.
OKE_KUBECONFIG = f"""\
---
apiVersion: v1
kind: ""
clusters:
- name: cluster-c7example
  cluster:
    server: https://10.0.0.10:6443
    certificate-authority-data: {CA_DATA}
users:
- name: user-c7example
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: oci
      args:
      - ce
      - cluster
      - generate-token
      - --cluster-id
      - {CLUSTER}
      - --region
      - us-ashburn-1
      env: []
contexts:
- name: context-c7example
  context:
    cluster: cluster-c7example
    user: user-c7example
current-context: context-c7example
"""


def operator_kubeconfig(**cluster_extra: object) -> str:
    cluster = {"server": "https://203.0.113.5:6443", **cluster_extra}
    return yaml.safe_dump({
        "apiVersion": "v1",
        "clusters": [{"name": "prod", "cluster": cluster}, {"name": "dev", "cluster": {"server": "https://dev:6443"}}],
        "users": [{"name": "okebot", "user": {"token": "static-token"}}],
        "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "okebot"}},
                     {"name": "dev", "context": {"cluster": "dev", "user": "okebot"}}],
        "current-context": "prod",
    })


def test_oci_create_kubeconfig_gives_endpoint_ca_and_the_oke_token_exec():
    assert parse_kubeconfig(OKE_KUBECONFIG) == ClusterAccess(
        endpoint="https://10.0.0.10:6443",
        ca_pem=CA_PEM,
        oke_exec=OkeTokenExec(cluster_id=CLUSTER, region="us-ashburn-1"),
    )


def test_operator_kubeconfig_gives_the_current_contexts_static_token():
    access = parse_kubeconfig(operator_kubeconfig(**{"certificate-authority-data": CA_DATA}))

    assert (access.endpoint, access.ca_pem, access.token, access.oke_exec) == (
        "https://203.0.113.5:6443", CA_PEM, "static-token", None
    )


def test_a_named_context_wins_over_current_context():
    assert parse_kubeconfig(operator_kubeconfig(), context="dev").endpoint == "https://dev:6443"


def test_insecure_skip_tls_verify_turns_verification_off():
    access = parse_kubeconfig(operator_kubeconfig(**{"insecure-skip-tls-verify": True}))

    assert access.verify_tls is False


def test_a_relative_certificate_authority_file_is_read_next_to_the_kubeconfig(tmp_path):
    (tmp_path / "ca.crt").write_text(CA_PEM)
    path = tmp_path / "config"
    path.write_text(operator_kubeconfig(**{"certificate-authority": "ca.crt"}))

    assert load_kubeconfig(path).ca_pem == CA_PEM


def test_a_missing_kubeconfig_file_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match=r"nope\.yaml"):
        load_kubeconfig(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("clusters: [\n  - name: a\n  cluster: {", "kubeconfig: line", "not valid YAML"),
        ("- just\n- a list\n", "kubeconfig", "not a kubeconfig mapping"),
        ("clusters: []\ncontexts: []\nusers: []\n", "kubeconfig: current-context", "missing"),
        (OKE_KUBECONFIG.replace("current-context: context-c7example", "current-context: other"),
         "kubeconfig: contexts", "no entry named 'other'"),
        (OKE_KUBECONFIG.replace("https://10.0.0.10:6443", "10.0.0.10:6443"),
         "clusters[cluster-c7example].cluster.server", "not an http(s) URL"),
        (OKE_KUBECONFIG.replace(CA_DATA, "not$base64"),
         "certificate-authority-data", "not base64"),
        (OKE_KUBECONFIG.replace(CA_DATA, base64.b64encode(b"hello").decode()),
         "certificate-authority-data", "does not hold a PEM certificate"),
        (OKE_KUBECONFIG.replace("command: oci", "command: aws-iam-authenticator"),
         "users[user-c7example].user.exec.command", "only understands `oci ce cluster generate-token`"),
        (OKE_KUBECONFIG.replace(f"      - --cluster-id\n      - {CLUSTER}\n", ""),
         "users[user-c7example].user.exec.args", "no --cluster-id"),
        (operator_kubeconfig().replace("token: static-token", "username: admin"),
         "users[okebot].user", "neither a token nor an OKE exec"),
    ],
)
def test_bad_kubeconfigs_are_input_errors_naming_the_place(text, where, problem):
    with pytest.raises(InputError) as caught:
        parse_kubeconfig(text)

    assert where in caught.value.message
    assert problem in caught.value.message


def test_yaml_errors_name_the_line_number():
    with pytest.raises(InputError, match=r"^kubeconfig: line 3: not valid YAML \(mapping values"):
        parse_kubeconfig("apiVersion: v1\nclusters: x\n  bad: indent\n")


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["name", "cluster", "user", "context", "server", "token", "exec", "command", "args",
                         "clusters", "users", "contexts", "current-context", "certificate-authority-data"]),
        children, max_size=5),
    max_leaves=25,
)


def outcome(text: str) -> str:
    """"parsed", or the InputError's message; any other exception escapes and fails the test."""
    try:
        parse_kubeconfig(text)
    except InputError as exc:
        return exc.message
    return "parsed"


@given(yaml_values)
def test_any_yaml_document_parses_or_fails_with_an_input_error(document):
    assert outcome(yaml.safe_dump(document))


@given(st.text(max_size=200))
def test_any_text_parses_or_fails_with_an_input_error(text):
    assert outcome(text)
