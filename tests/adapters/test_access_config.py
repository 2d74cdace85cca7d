"""The YAML access policy: a good file gives its policy, a bad one an error naming key and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.access_config import load_access_policy, parse_access_policy
from engine.access import AccessPolicy, Action, ChannelBinding, Role, RoleGrant, decide
from engine.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "okebot.example.yaml"

GOOD = """\
access:
  default_role: none
  unbound_channels: none
  users:
    U0BOSS: admin
  groups:
    "@sre": operator
  channels:
    "#C0PAY":
      clusters: [payments-native, payments-dr]
      default_cluster: payments-native
    C0RETAIL:
      compartments: [ocid1.compartment.oc1..retail]
"""


def test_a_good_file_gives_the_policy_it_describes():
    assert parse_access_policy(GOOD) == AccessPolicy(
        default_role=None,
        unbound_channels="none",
        bindings=(
            ChannelBinding(channel="C0PAY", clusters=("payments-native", "payments-dr"),
                           default_cluster="payments-native"),
            ChannelBinding(channel="C0RETAIL", compartments=("ocid1.compartment.oc1..retail",)),
        ),
        grants=(
            RoleGrant(kind="user", subject="U0BOSS", role=Role.ADMIN),
            RoleGrant(kind="group", subject="@sre", role=Role.OPERATOR),
        ),
    )


def test_an_empty_access_section_means_everyone_views_everything():
    assert parse_access_policy("access: {}") == AccessPolicy()


def test_the_example_config_loads_and_means_what_its_comments_say():
    policy = load_access_policy(EXAMPLE)
    assert policy.bindings
    assert policy.grants
    some_channel = policy.bindings[0].channel
    decision = decide(policy, user="U-nobody", groups=[], channel=some_channel, action=Action.WHAT_IF,
                      cluster=None)
    assert not decision.allowed


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("access:\n  users:\n    U1: root\n", "okebot.yaml line 3 (access.users.U1)",
         "'viewer', 'operator' or 'admin'"),
        ("access:\n  channels:\n    C1:\n      clusters: [a]\n      colour: red\n",
         "okebot.yaml line 5 (access.channels.C1.colour)", "unknown key"),
        ("access:\n  channels:\n    C1:\n      default_cluster: x\n",
         "okebot.yaml line 3 (access.channels.C1)", "needs at least one cluster or compartment"),
        ("access:\n  channels:\n    C1: {clusters: [a], default_cluster: b}\n",
         "okebot.yaml line 3 (access.channels.C1)", "default cluster b is not one of the bound clusters"),
        ("access:\n  channels:\n    C1: {clusters: [a]}\n    '#C1': {clusters: [b]}\n",
         "okebot.yaml line 4 (access.channels.#C1)", "channel C1 is bound twice"),
        ("access:\n  groups: {sre: viewer, '@SRE': admin}\n", "okebot.yaml line 2 (access.groups.@SRE)",
         "listed twice"),
        ("access:\n  channels:\n    C1:\n      clusters: [a, 12]\n",
         "okebot.yaml line 4 (access.channels.C1.clusters.1)", "valid string"),
        ("access:\n  default_role: superuser\n", "okebot.yaml line 2 (access.default_role)", "'none'"),
        ("access:\n  unbound_channels: some\n", "okebot.yaml line 2 (access.unbound_channels)",
         "'all' or 'none'"),
        ("access:\n  users: {U1: admin}\n\x1f", "okebot.yaml line 3", "special characters are not allowed"),
        ("slack: {}\n", "okebot.yaml (access)", "this section is required"),
        ("digest: []\naccess: {}\n", "okebot.yaml line 1 (digest)", "unknown section 'digest'; did you mean digests?"),
        ("access: {}\nfoo: 1\n", "okebot.yaml line 2 (foo)", "unknown section 'foo'; the sections are access: and "
                                                               "digests:"),
        ("access: [\n", "okebot.yaml line 2", "not valid YAML"),
        ("- access\n", "okebot.yaml", "expected a mapping with an 'access' section"),
        ("", "okebot.yaml", "expected a mapping"),
        ("access: {}\n---\naccess: {}\n", "okebot.yaml line 2", "not valid YAML"),
        ("access:\n  default_role: viewer\ndigests: []\naccess:\n  default_role: admin\n", "okebot.yaml line 4",
         "the key 'access' appears twice in one mapping (first on line 1)"),
        ("access:\n  users: {U1: viewer}\n  users: {U2: admin}\n", "okebot.yaml line 3",
         "the key 'users' appears twice"),
    ],
)
def test_a_bad_file_names_the_line_and_key(text, where, message):
    with pytest.raises(InputError) as caught:
        parse_access_policy(text)
    assert caught.value.where == where
    assert message in caught.value.message
    assert caught.value.remedy is not None


def test_a_missing_file_is_an_input_error_naming_it(tmp_path: Path):
    with pytest.raises(InputError, match="cannot read the access policy") as caught:
        load_access_policy(tmp_path / "nope.yaml")
    assert caught.value.where == str(tmp_path / "nope.yaml")


def outcome(text: str) -> AccessPolicy | InputError:
    """The policy, or the InputError; any other exception escapes and fails the test."""
    try:
        return parse_access_policy(text)
    except InputError as exc:
        return exc


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_a_policy_or_an_input_error(text):
    result = outcome(text)
    assert isinstance(result, AccessPolicy) or (result.where or "").startswith("okebot.yaml")


_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(
    ["viewer", "operator", "admin", "none", "all", "C1", "#C1", "@sre", "sre"]
)
_keys = st.sampled_from(
    ["access", "default_role", "unbound_channels", "users", "groups", "channels", "clusters", "compartments",
     "default_cluster", "C1", "#C1", "U1", "@sre", "SRE"]
) | st.text(max_size=8)
_documents = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner,
                                                                                               max_size=5),
                          max_leaves=25)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.just("access"), _documents, min_size=1))
def test_any_document_shaped_like_a_policy_gives_a_policy_or_an_input_error(document):
    text = yaml.safe_dump(document, allow_unicode=True)
    result = outcome(text)
    assert isinstance(result, AccessPolicy) or (result.where or "").startswith("okebot.yaml")


def test_an_alias_bomb_is_refused_quickly_without_expanding_it():
    levels = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
    text = "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + levels + "access:\n  users: *l8\n"
    with pytest.raises(InputError) as caught:
        parse_access_policy(text)
    assert ("access.users", 11) in {(problem.path, problem.line) for problem in caught.value.problems}


def test_absurdly_deep_nesting_is_an_input_error_not_a_crash():
    with pytest.raises(InputError, match="nested too deeply"):
        parse_access_policy("access: " + "[" * 3000 + "]" * 3000)
