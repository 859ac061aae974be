"""What every benchmark shares: its device, thread and output options, and the record it
appends to docs/records/<kind>.jsonl (with the machine and the provenance), from which
docs/generate.py renders docs/benchmarks.md."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import torch

from depthfake.jobs._runtime import limit_threads
from depthfake.jobs.devices import device_name, resolve_device, synchronise
from depthfake.plan.provenance import provenance

from record_files import RECORDS, append_record, machine


def benchmark_parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with --device, --threads and --records."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    parser.add_argument("--threads", type=int, default=4, help="CPU threads")
    parser.add_argument("--records", type=Path, default=RECORDS,
                        help="folder of the <kind>.jsonl records the record is appended to")
    return parser


def add_video_options(parser: argparse.ArgumentParser, *, seconds: float, size: str) -> None:
    """--seconds, --size and --bundle, for the benchmarks that score generated videos."""
    parser.add_argument("--seconds", type=float, default=seconds, help="video length")
    parser.add_argument("--size", default=size, help="frame size, WIDTHxHEIGHT")
    parser.add_argument("--bundle", type=Path, help="an exported bundle (default: the demo's "
                        "preprocessing with random weights)")


def frame_size(size: str) -> tuple[int, int]:
    """WIDTHxHEIGHT as (width, height)."""
    width, height = map(int, size.split("x"))
    return width, height


def benchmark_device(args: argparse.Namespace) -> torch.device:
    """Cap the CPU threads, then the device --device asks for."""
    limit_threads(args.threads)
    return resolve_device(args.device, "--device")


def write_record(args: argparse.Namespace, kind: str, device: torch.device, fields: dict
                 ) -> None:
    """Append to <records>/<kind>.jsonl one line: `fields`, the device, the default training
    precision there, the threads, the machine and the provenance."""
    record = {"device": device_name(device),
              "precision": "bf16 autocast" if device.type == "cuda" else "fp32",
              "threads": args.threads, **fields, "machine": machine(),
              "provenance": provenance()}
    append_record(args.records / f"{kind}.jsonl", record)


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
