"""What every benchmark shares: its device, thread and output options, and the JSON record
it writes for readme_results.py (with the machine and the provenance)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import torch

from depthfake.jobs._runtime import limit_threads
from depthfake.jobs.devices import device_name, resolve_device, synchronise
from depthfake.plan.provenance import provenance

from readme_results import machine


def benchmark_parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with --device, --threads and --out-dir."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    parser.add_argument("--threads", type=int, default=4, help="CPU threads")
    parser.add_argument("--out-dir", type=Path, default=Path("results/throughput"))
    return parser


def benchmark_device(args: argparse.Namespace) -> torch.device:
    """Cap the CPU threads, then the device --device asks for."""
    limit_threads(args.threads)
    return resolve_device(args.device, "--device")


def write_record(args: argparse.Namespace, kind: str, device: torch.device, fields: dict
                 ) -> None:
    """results/throughput/<kind>_<device>.json: `fields`, the device, the default training
    precision there, the threads, the machine and the provenance."""
    record = {"device": device_name(device),
              "precision": "bf16 autocast" if device.type == "cuda" else "fp32",
              "threads": args.threads, **fields, "machine": machine(),
              "provenance": provenance()}
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / f"{kind}_{device.type}.json").write_text(json.dumps(record, indent=1))


def calls_per_second(work: Callable[[], object], device: torch.device, calls: int,
                     warmup: int = 1) -> float:
    """Calls of `work` per second on `device`, timed after `warmup` calls, synchronised."""
    for _ in range(warmup):
        work()
    synchronise(device)
    start = time.perf_counter()
    for _ in range(calls):
        work()
    synchronise(device)
    return calls / (time.perf_counter() - start)
