"""The scoring service (`depthfake serve`): where it listens, its workers, queue, uploads and
retention. Not a workflow section: the service is started by hand."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from depthfake.settings.base import Settings

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ServeSettings(Settings):
    """How `depthfake serve` runs (what it scores with comes from the detect options)."""

    host: str = Field("127.0.0.1", examples=["0.0.0.0"],
                      description="address to listen on; any but loopback needs a token")
    port: int = Field(8000, ge=0, le=65535, examples=[8080], description="port (0: any free)")
    state: Path = Field(Path("serve-state"), examples=["/srv/depthfake"],
                        description="the service's folder: its job store, uploads and results")
    videos: Path | None = Field(None, examples=["my_videos/"],
                                description="a folder whose videos the page offers to score "
                                "in place (never deleted by the service)")
    workers: int = Field(1, ge=1, le=64, examples=[2],
                         description="worker processes scoring jobs side by side")
    threads: int = Field(2, ge=1, examples=[4], description="CPU threads per worker")
    max_queue: int = Field(64, ge=1, examples=[200],
                           description="jobs waiting at most; another upload is refused "
                           "with 503 until one starts")
    max_upload_mb: float = Field(512, gt=0, examples=[2048],
                                 description="largest upload in MiB; refused with 413 as "
                                 "soon as it passes this")
    keep_days: float = Field(7, ge=0, examples=[30],
                             description="finished jobs older than this are removed with "
                             "their files (0: never)")
    rerun_interrupted: bool = Field(False, description="queue again, at start, the jobs a "
                                    "stopped service interrupted")
    token: str | None = Field(None, examples=["a-long-random-string"],
                              description="the access token (else $DEPTHFAKE_TOKEN; off "
                              "loopback one is generated and printed when neither is set)")

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
