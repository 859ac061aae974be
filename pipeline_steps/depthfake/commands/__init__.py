"""The `depthfake` console script: `depthfake detect` scores videos with a model bundle
(bundles are exported by the workflow's `export_bundle` rule); `depthfake serve` starts the
scoring service (depthfake.serve)."""
