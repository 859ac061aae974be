"""Every GPU target of the project measured by one command, in priority order, offline.

Each measurement times a stage beside its ceiling in the same run and appends one JSON line to
--out as soon as it ends (device, library versions, --commit, machine), so a run cut short
keeps what it measured and a rerun with the same --out skips what that file already holds for
the same device, commit and size. A measurement whose planned time no longer fits in
--minutes is not started (a rerun takes it up). Models have random weights, saved where the
real loaders read them (Depth Anything under its hub id in a Hugging Face cache, S3FD and FAN
under face-alignment's file names in torch.hub's cache), inside a temporary folder.

--smoke runs every measurement on the CPU at tiny sizes (under 2 minutes; the tests run it).
docs/gpu-suite.md says how to run it on a GPU machine and how its records become the page.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from record_files import RECORDS, append_record, machine, read_records

LIBRARIES = ("torch", "timm", "transformers", "face-alignment", "numpy", "opencv-python-headless",
             "opencv-python", "h5py", "pydantic")


def versions() -> dict[str, str]:
    """Python's, the libraries', CUDA's and cuDNN's versions, as installed."""
    import torch

    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    found["cuda"] = torch.version.cuda or "none"
    found["cudnn"] = str(torch.backends.cudnn.version()) if torch.cuda.is_available() else "none"
    return found


def plan_text() -> str:
    """The parts at the GPU sizes, with their planned sizes and seconds, for --help."""
    from gpu_measurements import GPU, Suite, plan

    steps = plan(Suite(GPU, device=None, threads=16, folder=Path()))
    lines = ["measurements, most important first (planned GPU seconds; a plan, not a "
             "measurement):"]
    for step in steps:
        lines.append(f"  {step.part:<11} {step.name:<44} {step.size:<44} {step.planned_s:>3g} s")
    lines.append(f"  planned in all: {sum(step.planned_s for step in steps):g} s")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=plan_text(),
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parse.add_argument("--smoke", action="store_true",
                       help="every measurement on the CPU at tiny sizes")
    parse.add_argument("--out", type=Path, default=RECORDS / "gpu.jsonl",
                       help="the JSON-lines file appended to (and read to skip what is done)")
    parse.add_argument("--commit", help="the code's commit (default: git's, where there is a "
                       ".git; else 'unknown')")
    parse.add_argument("--minutes", type=float, default=5.0,
                       help="start no measurement that would end past this (0: no limit)")
    parse.add_argument("--parts", nargs="+", help="only these parts")
    parse.add_argument("--threads", type=int, default=os.cpu_count(), help="CPU threads")
    return parse


def key(record: dict) -> tuple:
    return record["measurement"], record["smoke"], record["device"], record["commit"]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gpu-suite-") as folder:
        # before anything imports huggingface_hub, which reads them once
        os.environ.update(HF_HUB_OFFLINE="1", HF_HUB_CACHE=str(Path(folder) / "hub"),
                          TORCH_HOME=str(Path(folder) / "torch"))
        run(parser().parse_args(), Path(folder))


def run(args: argparse.Namespace, folder: Path) -> None:
    from gpu_measurements import GPU, SMOKE, Suite, plan

    from depthfake.jobs._runtime import limit_threads
    from depthfake.jobs.devices import device_name, resolve_device
    from depthfake.plan.provenance import code_version

    limit_threads(args.threads)
    device = resolve_device("cpu" if args.smoke else "cuda", "the GPU suite (without --smoke)")
    suite = Suite(SMOKE if args.smoke else GPU, device=device, threads=args.threads,
                  folder=folder)
    common = {"suite": "gpu", "smoke": args.smoke, "device": device_name(device),
              "commit": args.commit or code_version()}
    described = {"versions": versions(), "machine": machine()}
    done = {key(record) for record in read_records(args.out) if record.get("suite") == "gpu"}
    steps = [step for step in plan(suite) if not args.parts or step.part in args.parts]
    limit = args.minutes * 60 if args.minutes and not args.smoke else float("inf")
    start, measured, skipped, left = time.perf_counter(), 0, 0, []
    print(f"{common['device']}, commit {common['commit']}, {len(steps)} measurements -> "
          f"{args.out}", flush=True)
    for step in steps:
        if key({"measurement": step.name, **common}) in done:
            skipped += 1
            continue
        elapsed = time.perf_counter() - start
        if elapsed + step.planned_s > limit:
            left.append(step.name)
            continue
        began = time.perf_counter()
        fields = step.run()
        record = {**common, "part": step.part, "measurement": step.name, "size": step.size,
                  **fields, "seconds": round(time.perf_counter() - began, 2),
                  **described}
        append_record(args.out, record)
        measured += 1
        print(f"[{time.perf_counter() - start:6.1f} s] {step.name}: {fields['rate']:,} "
              f"{fields['unit']} vs {fields['ceiling']:,} ({fields['ratio']:.3f}x)", flush=True)
    print(f"measured {measured}, already in {args.out.name} {skipped}, not started for time "
          f"{len(left)}" + (f" ({', '.join(left)}): rerun to take them up" if left else ""))
    if left:
        sys.exit(3)


if __name__ == "__main__":
    main()
