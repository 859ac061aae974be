rule tables:
    input:
        predictions=grid(rules.evaluate.output.predictions),
    output:
        detection_md="results/tables/detection.md",
        detection_csv="results/tables/detection.csv",
        robustness_md="results/tables/robustness.md",
        robustness_csv="results/tables/robustness.csv",
    params:
        step=step_script("tables"),
        out_dir=subpath(output.detection_md, parent=True),
        compressions=DATASET["compressions"],
        forgeries=config["train"]["forgeries"],
        models=config["train"]["models"],
    log:
        "logs/tables/tables.log",
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --predictions {input.predictions}"
        " --compressions {params.compressions} --forgeries {params.forgeries}"
        " --models {params.models} --out-dir {params.out_dir} --log {log}"


rule collect_skips:
    input:
        skip_records(),
    output:
        table="results/skipped.csv",
    params:
        step=step_script("collect_skips"),
    log:
        "logs/collect_skips/collect_skips.log",
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --skips {input} --out {output.table} --log {log}"
