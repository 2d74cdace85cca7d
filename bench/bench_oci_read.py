"""Benchmark: record a large generated tenancy through the real OCI SDK from the fake OCI server.

Run: .venv/bin/python -m bench.bench_oci_read [--clusters 100 --pools 5 --nodes 10 --latency 0.05]

The fake server runs in its own process (so its CPU does not share the recorder's GIL) and adds `latency`
seconds to every call. The report compares the wall time against the lower bound measured in the same run:
max(depth x latency, calls x latency / concurrency), where `calls` are the HTTP requests the SDK made and
`depth` the longest chain of requests that had to wait for one another.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.oci.clients import build_clients
from adapters.oci.executor import OciExecutor
from adapters.oci.recorder import Recording
from adapters.oci.settings import OciSettings


def _serve(pipe: Connection, sizes: dict[str, int], latency: float) -> None:
    async def main() -> None:
        doc = generate_tenancy(**sizes)
        async with FakeOciServer(doc, latency=latency) as server:
            pipe.send(server.url)
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # wait for "stop"
            pipe.send(server.total_calls)

    asyncio.run(main())


def _config_file(folder: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    config = folder / "config"
    config.write_text(
        "[DEFAULT]\nuser=ocid1.user.oc1..bench\nfingerprint=11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff\n"
        f"tenancy=ocid1.tenancy.oc1..bench\nregion=us-ashburn-1\nkey_file={folder / 'key.pem'}\n"
    )
    return config


async def _record(settings: OciSettings) -> tuple[dict[str, Any], OciExecutor, float]:
    clients = build_clients(settings)
    executor = OciExecutor(settings.concurrency)
    started = time.perf_counter()
    try:
        doc = await Recording(clients, executor, settings=settings).record()
    finally:
        executor.close()
    return doc, executor, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(prog="bench_oci_read")
    parser.add_argument("--clusters", type=int, default=100)
    parser.add_argument("--pools", type=int, default=5, help="node pools per cluster")
    parser.add_argument("--nodes", type=int, default=10, help="nodes per pool")
    parser.add_argument("--pod-ips", type=int, default=4, help="pod-subnet private IPs per node")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every call")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    sizes = {"clusters": args.clusters, "pools_per_cluster": args.pools, "nodes_per_pool": args.nodes,
             "pod_ips_per_node": args.pod_ips}
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(theirs, sizes, args.latency), daemon=True)
    server.start()
    url = ours.recv()
    with tempfile.TemporaryDirectory() as folder:
        settings = OciSettings(
            config_file=_config_file(Path(folder)), endpoint=url, compartment_ids=["ocid1.compartment.oc1..gen0"],
            concurrency=args.concurrency,
        )
        doc, executor, wall = asyncio.run(_record(settings))
    ours.send("stop")
    served = ours.recv()
    server.join(timeout=10)
    stats = executor.stats
    bound = max(stats.depth * args.latency, stats.calls * args.latency / args.concurrency)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nodes = sum(len(pool.get("nodes", [])) for pool in doc["nodePools"])
    print(f"tenancy     {len(doc['clusters'])} clusters, {len(doc['nodePools'])} node pools, "
          f"{nodes} nodes, {len(doc['subnets'])} subnets, {len(doc['errors'])} errors")
    print(f"calls       {stats.calls} by the SDK, {served} answered by the server")
    print(f"depth       {stats.depth} requests on the critical path")
    print(f"lower bound {bound:.2f} s = max({stats.depth} x {args.latency}, "
          f"{stats.calls} x {args.latency} / {args.concurrency})")
    print(f"wall        {wall:.2f} s")
    print(f"ratio       {wall / bound:.2f} (aim <= 1.5)")
    print(f"peak RSS    {peak_mib:.0f} MiB (recorder process)")
    for operation, count in sorted(stats.calls_by_operation.items(), key=lambda item: -item[1]):
        print(f"  {operation:45} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
