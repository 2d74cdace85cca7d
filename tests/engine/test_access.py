"""The access policy: who may do what, and which clusters a channel may talk about."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.access import (
    REQUIRED_ROLE,
    AccessPolicy,
    Action,
    ChannelBinding,
    ClusterRef,
    Role,
    RoleGrant,
    decide,
    default_cluster,
    visible_clusters,
    with_overrides,
)
from engine.model import Cluster

PAYMENTS = ClusterRef(id="ocid1.cluster..pay", name="payments-native", compartment_id="ocid1.cmp..pay")
RETAIL = ClusterRef(id="ocid1.cluster..ret", name="retail-flannel", compartment_id="ocid1.cmp..ret")
LEDGER = ClusterRef(id="ocid1.cluster..led", name="ledger", compartment_id="ocid1.cmp..pay")

POLICY = AccessPolicy(
    default_role=Role.VIEWER,
    bindings=(
        ChannelBinding(channel="C123", clusters=("payments-native",)),
        ChannelBinding(channel="CPAY", compartments=("ocid1.cmp..pay",)),
        ChannelBinding(channel="CMIX", clusters=("ocid1.cluster..ret",), compartments=("ocid1.cmp..pay",)),
    ),
    grants=(
        RoleGrant(kind="user", subject="UOPS", role=Role.OPERATOR),
        RoleGrant(kind="user", subject="UBOSS", role=Role.ADMIN),
        RoleGrant(kind="group", subject="@sre", role=Role.OPERATOR),
        RoleGrant(kind="group", subject="S0ADMINS", role=Role.ADMIN),
    ),
)


def ask(policy: AccessPolicy = POLICY, *, user="UNEW", groups=(), channel="C123", action=Action.CAPACITY,
        cluster: ClusterRef | None = PAYMENTS):
    return decide(policy, user=user, groups=groups, channel=channel, action=action, cluster=cluster)


class TestRoles:
    @pytest.mark.parametrize(
        ("action", "role"),
        [
            (Action.CAPACITY, Role.VIEWER),
            (Action.CNI, Role.VIEWER),
            (Action.DIAGNOSE, Role.VIEWER),
            (Action.CLUSTERS, Role.VIEWER),
            (Action.EXPLAIN, Role.VIEWER),
            (Action.WHAT_IF, Role.OPERATOR),
            (Action.VALIDATE_LIVE, Role.OPERATOR),
            (Action.VIEW_AUDIT, Role.ADMIN),
            (Action.CHANGE_BINDINGS, Role.ADMIN),
            (Action.CHANGE_CONFIG, Role.ADMIN),
            (Action.DIGEST_PREVIEW, Role.VIEWER),
            (Action.CHANGE_DIGESTS, Role.ADMIN),
        ],
    )
    def test_each_action_needs_its_role(self, action, role):
        assert REQUIRED_ROLE[action] is role

    def test_every_action_has_a_required_role(self):
        assert set(REQUIRED_ROLE) == set(Action)

    @pytest.mark.parametrize(
        ("user", "groups", "action", "allowed"),
        [
            ("UNEW", (), Action.CAPACITY, True),
            ("UNEW", (), Action.WHAT_IF, False),
            ("UOPS", (), Action.WHAT_IF, True),
            ("UOPS", (), Action.CHANGE_BINDINGS, False),
            ("UNEW", ("sre",), Action.VALIDATE_LIVE, True),
            ("UNEW", ("@SRE",), Action.WHAT_IF, True),
            ("UNEW", ("S0ADMINS",), Action.CHANGE_CONFIG, True),
            ("UBOSS", (), Action.CHANGE_BINDINGS, True),
            ("uboss", (), Action.CHANGE_BINDINGS, False),
        ],
    )
    def test_a_user_holds_the_highest_of_own_group_and_default_roles(self, user, groups, action, allowed):
        assert ask(user=user, groups=groups, action=action, cluster=None).allowed is allowed

    def test_a_refusal_names_the_role_needed_and_the_role_held(self):
        decision = ask(action=Action.WHAT_IF)
        assert decision == decision.model_copy(update={"allowed": False})
        assert decision.reason == "what-if needs the operator role; you have viewer"
        assert decision.role is Role.VIEWER

    def test_with_no_default_role_an_unlisted_user_may_do_nothing(self):
        closed = POLICY.model_copy(update={"default_role": None})
        decision = ask(closed, action=Action.CAPACITY)
        assert not decision.allowed
        assert decision.reason == (
            "capacity needs the viewer role; you have no role here (unlisted users get none)"
        )
        assert ask(closed, user="UOPS", action=Action.CAPACITY).allowed


class TestChannels:
    def test_a_channel_bound_to_a_cluster_refuses_another_and_says_why(self):
        decision = ask(cluster=RETAIL)
        assert not decision.allowed
        assert decision.reason == (
            "channel #C123 is bound to clusters payments-native; retail-flannel is not among them"
        )

    def test_the_channel_check_applies_to_admins_too(self):
        assert not ask(user="UBOSS", cluster=RETAIL).allowed

    def test_a_role_refusal_comes_before_a_channel_refusal(self):
        assert ask(action=Action.WHAT_IF, cluster=RETAIL).reason.startswith("what-if needs the operator role")

    @pytest.mark.parametrize(
        ("channel", "cluster", "allowed"),
        [
            ("C123", PAYMENTS, True),
            ("#C123", PAYMENTS, True),
            ("C123", PAYMENTS.model_copy(update={"name": "Payments-Native"}), True),
            ("CPAY", PAYMENTS, True),
            ("CPAY", LEDGER, True),
            ("CPAY", RETAIL, False),
            ("CPAY", ClusterRef(id="x", name="x"), False),
            ("CMIX", RETAIL, True),
            ("CMIX", LEDGER, True),
            ("CUNBOUND", RETAIL, True),
        ],
    )
    def test_a_binding_covers_clusters_by_name_ocid_or_compartment(self, channel, cluster, allowed):
        assert ask(channel=channel, cluster=cluster).allowed is allowed

    def test_a_refusal_names_bound_clusters_and_compartments(self):
        decision = ask(channel="CMIX", cluster=ClusterRef(id="x", name="sandbox"))
        assert decision.reason == (
            "channel #CMIX is bound to clusters ocid1.cluster..ret and compartments ocid1.cmp..pay; "
            "sandbox is not among them"
        )

    def test_unbound_channels_see_nothing_when_the_policy_says_none(self):
        strict = POLICY.model_copy(update={"unbound_channels": "none"})
        decision = ask(strict, channel="CRANDOM")
        assert not decision.allowed
        assert "channel #CRANDOM is not bound to any cluster" in decision.reason
        assert ask(strict, channel="C123").allowed

    def test_visible_clusters_keeps_order_and_filters(self):
        everything = [RETAIL, PAYMENTS, LEDGER]
        assert visible_clusters(POLICY, "CPAY", clusters=everything) == [PAYMENTS, LEDGER]
        assert visible_clusters(POLICY, "C123", clusters=everything) == [PAYMENTS]
        assert visible_clusters(POLICY, "CUNBOUND", clusters=everything) == everything
        strict = POLICY.model_copy(update={"unbound_channels": "none"})
        assert visible_clusters(strict, "CUNBOUND", clusters=everything) == []

    def test_visible_clusters_takes_engine_clusters_too(self):
        clusters = [Cluster(id="ocid1.cluster.oc1..a", name="a", compartment_id="ocid1.cmp..pay"),
                    Cluster(id="ocid1.cluster.oc1..b", name="b")]
        assert visible_clusters(POLICY, "CPAY", clusters=clusters) == clusters[:1]
        assert ClusterRef.of(clusters[0]) == ClusterRef(id="ocid1.cluster.oc1..a", name="a",
                                                        compartment_id="ocid1.cmp..pay")


class TestDefaultCluster:
    @pytest.mark.parametrize(
        ("binding", "expected"),
        [
            (ChannelBinding(channel="C1", clusters=("payments-native",)), "payments-native"),
            (ChannelBinding(channel="C1", clusters=("a", "b")), None),
            (ChannelBinding(channel="C1", clusters=("a", "b"), default_cluster="b"), "b"),
            (ChannelBinding(channel="C1", clusters=("a",), compartments=("ocid1.cmp..x",)), None),
            (ChannelBinding(channel="C1", compartments=("ocid1.cmp..x",), default_cluster="z"), "z"),
        ],
    )
    def test_a_channel_answers_about_its_one_or_chosen_cluster(self, binding, expected):
        assert default_cluster(AccessPolicy(bindings=(binding,)), "C1") == expected

    def test_an_unbound_channel_has_no_default(self):
        assert default_cluster(POLICY, "CUNBOUND") is None


class TestPolicyModel:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"channel": "C1"}, "needs at least one cluster or compartment"),
            ({"channel": "C1", "clusters": ("a",), "default_cluster": "b"}, "default cluster b is not"),
            ({"channel": "", "clusters": ("a",)}, "at least 1 character"),
        ],
    )
    def test_a_binding_must_make_sense(self, fields, message):
        with pytest.raises(ValidationError, match=message):
            ChannelBinding(**fields)

    def test_a_channel_cannot_be_bound_twice_even_with_a_hash(self):
        with pytest.raises(ValidationError, match="bound more than once"):
            AccessPolicy(bindings=(ChannelBinding(channel="C1", clusters=("a",)),
                                   ChannelBinding(channel="#C1", clusters=("b",))))

    def test_a_group_cannot_be_granted_twice_under_two_spellings(self):
        with pytest.raises(ValidationError, match="more than once"):
            AccessPolicy(grants=(RoleGrant(kind="group", subject="sre", role=Role.VIEWER),
                                 RoleGrant(kind="group", subject="@SRE", role=Role.ADMIN)))


class TestOverrides:
    def test_stored_bindings_and_grants_replace_configured_ones_and_add_new_ones(self):
        merged = with_overrides(
            POLICY,
            bindings=[ChannelBinding(channel="#C123", clusters=("retail-flannel",)),
                      ChannelBinding(channel="CNEW", clusters=("ledger",))],
            grants=[RoleGrant(kind="user", subject="UOPS", role=Role.VIEWER)],
        )
        assert ask(merged, cluster=RETAIL).allowed
        assert not ask(merged, cluster=PAYMENTS).allowed
        assert default_cluster(merged, "CNEW") == "ledger"
        assert not ask(merged, user="UOPS", action=Action.WHAT_IF).allowed
        assert ask(merged, user="UBOSS", action=Action.CHANGE_CONFIG, cluster=None).allowed
