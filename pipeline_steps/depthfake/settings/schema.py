"""The config file's JSON schema, for editors (workflow/schemas/config.schema.yaml).

Regenerate it from the repository root with `PYTHONPATH=pipeline_steps python -m
depthfake.settings.schema`.
"""

from __future__ import annotations

from depthfake.settings.config_file import WorkflowConfig

SCHEMA_FILE = "workflow/schemas/config.schema.yaml"
SCHEMA_COMMAND = "PYTHONPATH=pipeline_steps python -m depthfake.settings.schema"


def config_schema_yaml() -> str:
    """The JSON schema of the config file, as YAML (kept in workflow/schemas/ for editors)."""
    import yaml

    header = ("# Generated from depthfake.settings.WorkflowConfig; do not edit. Regenerate with\n"
              f"# {SCHEMA_COMMAND}\n")
    return header + yaml.safe_dump(WorkflowConfig.model_json_schema(), sort_keys=False,
                                   width=100)


if __name__ == "__main__":
    from pathlib import Path

    Path(SCHEMA_FILE).write_text(config_schema_yaml())
