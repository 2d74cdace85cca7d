"""Benchmark: a 2,000-subnet, 500-pool plan file, end to end: parse (JSON and YAML), convert, validate.

Run: .venv/bin/python -m bench.bench_plan_file
Reports each stage's time and the end-to-end time as a ratio of parsing the same text with the standard
library alone (json.loads / yaml.safe_load) in the same run, so the figure does not depend on the machine.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from ipaddress import IPv4Network
from typing import Any, TypeVar

import yaml

from adapters.planfile import load_plan_text
from engine.plan import plan_to_tenancy
from engine.usecases.validate import validate_cluster

T = TypeVar("T")
SUBNETS, POOLS = 2_000, 500


def plan_document() -> dict[str, Any]:
    """One VCN of eleven /16 blocks (OCI takes /16 to /30), an API subnet, two worker and one pod subnet per pool,
    and LB subnets up to 2,000."""
    subnets: list[dict[str, Any]] = [{"name": "api", "roles": ["api-endpoint"], "cidr": "10.0.0.0/28"}]
    pools = []
    for i in range(POOLS):
        w1, w2 = IPv4Network((0x0A010000 + 2 * i * 64, 26)), IPv4Network((0x0A010000 + (2 * i + 1) * 64, 26))
        pod = IPv4Network((0x0A100000 + i * 1024, 22))
        subnets += [
            {"name": f"w{i}a", "roles": ["workers"], "cidr": str(w1)},
            {"name": f"w{i}b", "roles": ["workers"], "cidr": str(w2)},
            {"name": f"p{i}", "roles": ["pods"], "cidr": str(pod)},
        ]
        pools.append({
            "name": f"pool{i}", "shape": "VM.Standard.E5.Flex", "ocpus": 4, "size": 3, "maxSize": 6,
            "maxPodsPerNode": 93, "workerSubnets": [f"w{i}a", f"w{i}b"], "podSubnet": f"p{i}",
        })
    for j in range(SUBNETS - len(subnets)):
        lb = IPv4Network((0x0A040000 + j * 32, 27))
        subnets.append({"name": f"lb{j}", "roles": ["load-balancers"], "cidr": str(lb)})
    return {
        "apiVersion": "okebot.plan/v1",
        "cluster": {"name": "big", "kubernetesVersion": "v1.31.1", "cni": "vcn-native",
                    "podsCidr": "172.16.0.0/16", "servicesCidr": "172.17.0.0/16"},
        "vcn": {"name": "big-vcn", "cidrs": [f"10.{n}.0.0/16" for n in (0, 1, 4, *range(16, 24))]},
        "subnets": subnets,
        "nodePools": pools,
    }


def timed(fn: Callable[[], T], repeat: int = 3) -> tuple[T, float]:
    """The result and the best wall time in ms over `repeat` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, (time.perf_counter() - start) * 1000)
    return result, best  # type: ignore[return-value]


def main() -> None:
    doc = plan_document()
    texts = {"JSON": json.dumps(doc), "YAML": yaml.safe_dump(doc, sort_keys=False)}
    baselines = {"JSON": lambda: json.loads(texts["JSON"]), "YAML": lambda: yaml.safe_load(texts["YAML"])}
    print(f"plan: {len(doc['subnets']):,} subnets, {len(doc['nodePools'])} node pools")
    for kind, text in texts.items():
        _, base_ms = timed(baselines[kind])
        source = f"plan.{kind.lower()}"
        plan, parse_ms = timed(functools.partial(load_plan_text, text, source=source))
        conversion, convert_ms = timed(functools.partial(plan_to_tenancy, plan))
        findings, validate_ms = timed(functools.partial(validate_cluster, conversion.tenancy, conversion.cluster))
        total = parse_ms + convert_ms + validate_ms
        print(f"{kind}: {len(text) / 1e6:.1f} MB; plain {kind} parse {base_ms:.0f} ms; okebot parse {parse_ms:.0f} ms, "
              f"convert {convert_ms:.0f} ms, validate {validate_ms:.0f} ms ({len(findings)} findings); "
              f"end to end {total:.0f} ms = {total / base_ms:.1f}x the plain parse")


if __name__ == "__main__":
    main()
