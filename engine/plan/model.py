"""The plan file's model: a cluster that does not exist yet, or the desired state of one that does.

Keys are camelCase on the wire (`maxPodsPerNode`), snake_case in Python. CIDRs stay strings here: a bad
CIDR is a finding of the conversion (CIDR_INVALID), not a reason to refuse the whole file.
The documented format is docs/plan-format.md; `okebot plan schema` prints the JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from engine.kubernetes_version import parse_kubernetes_version
from engine.model import Cni, NodePoolType, SubnetRole

API_VERSION = "okebot.plan/v1"

Name = Annotated[str, Strict(), Field(min_length=1, max_length=255)]
Text = Annotated[str, Strict(), Field(max_length=1000)]
Cidr = Annotated[str, Strict(), Field(max_length=100)]
StrictBool = Annotated[bool, Strict()]
NodeCount = Annotated[int, Strict(), Field(ge=0, le=10_000)]
Ocpus = Annotated[float, Strict(), Field(ge=1, le=512, allow_inf_nan=False)]
# 110 and 256 are network rules (MAX_PODS_OVER_LIMIT), checked by the validator, not by the parser.
PodCount = Annotated[int, Strict(), Field(ge=1, le=10_000)]
IcmpNumber = Annotated[int, Strict(), Field(ge=0, le=255)]

_PORTS = re.compile(r"(\d{1,5})(?:-(\d{1,5}))?")
_PEER_KINDS = ("role", "subnet", "service", "nsg")
_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp"}


def _version(value: object) -> object:
    if isinstance(value, float | int) and not isinstance(value, bool):
        raise ValueError(f'expected text such as "v1.31.1", got the number {value}; quote it')
    if isinstance(value, str) and parse_kubernetes_version(value) is None:
        raise ValueError(f"expected a Kubernetes version such as v1.31.1, got {value!r}")
    return value


def _release_date(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
    if isinstance(value, str):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    return value


def _protocol(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 255:
            raise ValueError(f"a protocol number is 0 to 255, got {value}")
        return _PROTOCOL_NAMES.get(str(value), str(value))
    if isinstance(value, str):
        if value in ("all", "tcp", "udp", "icmp"):
            return value
        if value.isdigit() and int(value) <= 255:
            return _PROTOCOL_NAMES.get(str(int(value)), str(int(value)))
        hint = f" (did you mean {value.lower()}?)" if value.lower() in ("all", "tcp", "udp", "icmp") else ""
        raise ValueError(f"expected all, tcp, udp, icmp or a protocol number 0-255, got {value!r}{hint}")
    return value


def _ports(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or value == "all":
        return value
    match = _PORTS.fullmatch(value)
    if match is None:
        raise ValueError(f'expected a port ("443"), a range ("30000-32767") or all, got {value!r}')
    low, high = int(match[1]), int(match[2] or match[1])
    if not 1 <= low <= high <= 65535:
        raise ValueError(f"ports are 1 to 65535 with the lower first, got {value!r}")
    return value


def _peer(value: object) -> object:
    if not isinstance(value, str) or ":" not in value:
        return value
    kind, _, rest = value.partition(":")
    if kind in _PEER_KINDS:
        if not rest:
            raise ValueError(f"{kind}: needs a name after the colon, e.g. {kind}:workers")
        if kind == "role" and rest not in {r.value for r in SubnetRole}:
            roles = ", ".join(f"role:{r.value}" for r in SubnetRole)
            raise ValueError(f"unknown role {rest!r}; expected one of {roles}")
    elif re.fullmatch(r"[a-z]+(-[a-z]+)*", kind) and not re.fullmatch(r"[0-9a-f]{1,4}", kind):
        kinds = ", ".join(f"{k}:" for k in _PEER_KINDS)
        raise ValueError(f"unknown peer kind {kind + ':'!r}; expected a CIDR, all-services or one of {kinds}")
    return value


KubernetesVersion = Annotated[str, BeforeValidator(_version), Strict()]
ReleaseDate = Annotated[
    str, BeforeValidator(_release_date), Strict(), WithJsonSchema({"type": "string", "format": "date"})
]
Protocol = Annotated[
    str,
    BeforeValidator(_protocol),
    Strict(),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^(all|tcp|udp|icmp|[0-9]{1,3})$"},
                {"type": "integer", "minimum": 0, "maximum": 255},
            ]
        }
    ),
]
Ports = Annotated[
    str,
    BeforeValidator(_ports),
    Strict(),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^(all|[0-9]{1,5}(-[0-9]{1,5})?)$"},
                {"type": "integer", "minimum": 1, "maximum": 65535},
            ]
        }
    ),
]
Peer = Annotated[str, BeforeValidator(_peer), Strict(), Field(min_length=1, max_length=300)]
RouteDestination = Annotated[str, Strict(), Field(min_length=1, max_length=300)]


class PlanModel(BaseModel):
    """Base for plan models: frozen, camelCase keys, unknown keys refused."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )


def either_problem(data: Mapping[str, Any], one: str, many: str, *, required: bool = True) -> str | None:
    """What is wrong with giving `one` or `many` (camelCase keys) in `data`: both given, or (when `required`)
    neither; None when the form is right. The models check their fields with it after validating them, and the
    parser checks the raw mapping of an item whose own fields failed, so the two forms are reported either way."""
    has_one = data.get(one) is not None
    has_many = data.get(many) is not None
    if has_one and has_many:
        return f"give either {one} or {many}, not both"
    if required and not has_one and not has_many:
        return f"{one} (or {many}) is required"
    return None


def roles_problem(roles: Sequence[SubnetRole]) -> str | None:
    """What is wrong with a subnet's roles as a whole (a role listed twice: "lists workers twice"), or None."""
    seen: set[SubnetRole] = set()
    for role in roles:
        if role in seen:
            return f"lists {role.value} twice"
        seen.add(role)
    return None


def size_problem(size: int | None, max_size: int | None) -> str | None:
    """What is wrong with a pool's size and maxSize together (maxSize below size), or None."""
    if size is not None and max_size is not None and max_size < size:
        return f"maxSize ({max_size}) is below size ({size})"
    return None


def _one_or_many(values: Mapping[str, Any], one: str, many: str, *, required: bool = True) -> None:
    _raise(either_problem(values, one, many, required=required))


def _raise(problem: str | None) -> None:
    if problem is not None:
        raise ValueError(problem)


class PlanCluster(PlanModel):
    """The cluster. Left out (None), `load_balancer_rules` means "oke-managed": OKE's cloud controller manager
    may add the load-balancer security rules, so missing ones are warnings; "manual" makes them errors.
    `type` left out is unknown, never guessed. `internet_egress` left out means true; false says the cluster
    needs no internet (Oracle services only through the service gateway), so no NAT route is needed."""

    name: Name
    kubernetes_version: KubernetesVersion | None = None
    cni: Cni
    type: Literal["basic", "enhanced"] | None = None
    pods_cidr: Cidr = "10.244.0.0/16"
    services_cidr: Cidr = "10.96.0.0/16"
    service_mesh: StrictBool = False
    load_balancer_rules: Literal["oke-managed", "manual"] | None = None
    internet_egress: StrictBool | None = None


class PlanVcn(PlanModel):
    name: Name
    cidrs: tuple[Cidr, ...] = Field(min_length=1, max_length=64)


class PlanRoute(PlanModel):
    destination: RouteDestination
    target: Literal["nat-gateway", "service-gateway", "internet-gateway", "drg", "local-peering-gateway", "private-ip"]


class PlanSecurityRule(PlanModel):
    direction: Literal["ingress", "egress"]
    protocol: Protocol
    peer: Peer
    ports: Ports | None = None
    icmp_type: IcmpNumber | None = None
    icmp_code: IcmpNumber | None = None
    stateless: StrictBool = False
    description: Text | None = None

    @model_validator(mode="after")
    def _options_fit_protocol(self) -> PlanSecurityRule:
        if self.ports not in (None, "all") and self.protocol not in ("tcp", "udp"):
            raise ValueError(f"ports apply to tcp and udp only, not to protocol {self.protocol}")
        icmp = self.protocol in ("icmp", "58")
        if (self.icmp_type is not None or self.icmp_code is not None) and not icmp:
            raise ValueError(f"icmpType and icmpCode apply to icmp only, not to protocol {self.protocol}")
        if self.icmp_code is not None and self.icmp_type is None:
            raise ValueError("icmpCode needs an icmpType")
        return self


class PlanSubnet(PlanModel):
    name: Name
    roles: tuple[SubnetRole, ...] = Field(min_length=1, max_length=4)
    cidr: Cidr | None = None
    cidrs: tuple[Cidr, ...] | None = Field(default=None, min_length=1, max_length=64)
    regional: StrictBool = True
    public: StrictBool = False
    routes: tuple[PlanRoute, ...] | None = Field(default=None, max_length=200)
    security_rules: tuple[PlanSecurityRule, ...] | None = Field(default=None, max_length=1000)

    # After the fields, not before: a check before them would hide every mistake in the subnet's own fields.
    @model_validator(mode="after")
    def _one_cidr_form(self) -> PlanSubnet:
        _one_or_many({"cidr": self.cidr, "cidrs": self.cidrs}, "cidr", "cidrs")
        return self

    @field_validator("roles")
    @classmethod
    def _roles_once(cls, roles: tuple[SubnetRole, ...]) -> tuple[SubnetRole, ...]:
        _raise(roles_problem(roles))  # said at `roles`, the line that lists them
        return roles

    @property
    def blocks(self) -> tuple[str, ...]:
        """The subnet's CIDR strings, whichever form the file used."""
        return self.cidrs if self.cidrs is not None else (self.cidr,) if self.cidr is not None else ()


class PlanImage(PlanModel):
    name: Name | None = None
    released: ReleaseDate | None = None


class PlanVnicProfile(PlanModel):
    ip_count: PodCount


class PlanNodePool(PlanModel):
    name: Name
    type: NodePoolType = NodePoolType.MANAGED
    shape: Name | None = None
    ocpus: Ocpus | None = None
    size: NodeCount | None = None
    max_size: NodeCount | None = None
    max_pods_per_node: PodCount | None = None
    worker_subnet: Name | None = None
    worker_subnets: tuple[Name, ...] | None = Field(default=None, min_length=1, max_length=10)
    pod_subnet: Name | None = None
    pod_subnets: tuple[Name, ...] | None = Field(default=None, min_length=1, max_length=10)
    image: PlanImage | None = None
    kubernetes_version: KubernetesVersion | None = None
    vnic_profiles: tuple[PlanVnicProfile, ...] = Field(default=(), max_length=32)

    @model_validator(mode="after")
    def _one_subnet_form(self) -> PlanNodePool:
        _one_or_many({"workerSubnet": self.worker_subnet, "workerSubnets": self.worker_subnets},
                     "workerSubnet", "workerSubnets")
        _one_or_many({"podSubnet": self.pod_subnet, "podSubnets": self.pod_subnets},
                     "podSubnet", "podSubnets", required=False)
        return self

    @field_validator("max_size")
    @classmethod
    def _max_size_covers_size(cls, max_size: int | None, info: ValidationInfo) -> int | None:
        size = info.data.get("size")  # read before maxSize; absent when size itself was wrong
        _raise(size_problem(size if isinstance(size, int) else None, max_size))  # said at `maxSize`
        return max_size

    @property
    def worker_subnet_names(self) -> tuple[str, ...]:
        """The worker subnets, whichever form the file used."""
        return _names(self.worker_subnet, self.worker_subnets)

    @property
    def pod_subnet_names(self) -> tuple[str, ...]:
        """The pod subnets, whichever form the file used."""
        return _names(self.pod_subnet, self.pod_subnets)


def _names(one: str | None, many: tuple[str, ...] | None) -> tuple[str, ...]:
    return many if many is not None else (one,) if one is not None else ()


class PlanFlexVnics(PlanModel):
    minimum: Annotated[int, Strict(), Field(ge=1, le=1024)]
    maximum: Annotated[int, Strict(), Field(ge=1, le=1024)]
    per_ocpu: Annotated[float, Strict(), Field(gt=0, le=64, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self) -> PlanFlexVnics:
        if self.maximum < self.minimum:
            raise ValueError(f"maximum ({self.maximum}) is below minimum ({self.minimum})")
        return self


class PlanShape(PlanModel):
    name: Name
    max_vnics: Annotated[int, Strict(), Field(ge=1, le=1024)] | None = None
    flex: PlanFlexVnics | None = None

    @model_validator(mode="after")
    def _has_limits(self) -> PlanShape:
        if self.max_vnics is None and self.flex is None:
            raise ValueError("a shape needs maxVnics or flex")
        return self


class Plan(PlanModel):
    """A whole plan file."""

    api_version: Literal["okebot.plan/v1"]
    cluster: PlanCluster
    vcn: PlanVcn
    subnets: tuple[PlanSubnet, ...] = Field(min_length=1, max_length=10_000)
    node_pools: tuple[PlanNodePool, ...] = Field(default=(), max_length=2_000)
    shapes: tuple[PlanShape, ...] = Field(default=(), max_length=500)
