"""The processes of one training job: one, or several started by torchrun (one per GPU;
gloo on the CPU)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Processes:
    """This process's rank among `count` processes (from torchrun's environment)."""

    rank: int = 0
    count: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def start(cls, device_type: str) -> Processes:
        """Join torchrun's process group when started by torchrun, else a single process."""
        count = int(os.environ.get("WORLD_SIZE", "1"))
        if count == 1:
            return cls()
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if device_type == "cuda":
            torch.cuda.set_device(local_rank)  # NCCL's collectives use the current device
        if not dist.is_initialized():
            dist.init_process_group("nccl" if device_type == "cuda" else "gloo")
        return cls(dist.get_rank(), count, local_rank)

    def device(self, device: torch.device) -> torch.device:
        """This process's GPU (torchrun's LOCAL_RANK), or the CPU."""
        return torch.device("cuda", self.local_rank) if device.type == "cuda" else device

    def gather(self, value: object) -> list:
        """`value` from every process, in rank order (a one-element list alone)."""
        if self.count == 1:
            return [value]
        values: list = [None] * self.count
        dist.all_gather_object(values, value)
        return values

    def broadcast_buffers(self, module: torch.nn.Module) -> None:
        """Give every process rank 0's buffers (BatchNorm running statistics)."""
        if self.count > 1:
            for buffer in module.buffers():
                dist.broadcast(buffer, src=0)

    def stop(self) -> None:
        if self.count > 1 and dist.is_initialized():
            dist.destroy_process_group()


def launch_rank() -> int:
    """This process's rank as torchrun set it (0 when not started by torchrun), readable
    before the process group is joined."""
    return int(os.environ.get("RANK", "0"))
