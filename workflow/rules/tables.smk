rule column_statistics:
    input:
        predictions=column_predictions,
    output:
        statistics="results/statistics/{dataset}/{test_dataset}/{compression}/{forgery}.parquet",
    params:
        step=step_script("column_statistics"),
        settings=OPTIONS.bootstrap(),
    log:
        "logs/column_statistics/{dataset}/{test_dataset}/{compression}/{forgery}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --predictions {input.predictions} {params.settings}"
        " --out {output.statistics} --log-file {log}"


rule tables:
    input:
        statistics=PLAN.column_files(rules.column_statistics.output.statistics),
    output:
        detection=multiext("results/tables/{dataset}/detection", ".md", ".csv", ".tex"),
        detection_page=report(
            "results/tables/{dataset}/detection.html",
            caption="../report/detection.rst",
            category="Tables",
            labels={"table": "detection"},
        ),
        robustness=expand(
            "results/tables/{{dataset}}/robustness_{mode}{ext}",
            mode=CONFIG.evaluate.depth_modes,
            ext=[".md", ".csv", ".tex"],
        ),
        robustness_pages=[
            report(
                f"results/tables/{{dataset}}/robustness_{mode}.html",
                caption="../report/robustness.rst",
                category="Tables",
                labels={"table": f"robustness, depth mode {mode}"},
            )
            for mode in CONFIG.evaluate.depth_modes
        ],
    params:
        step=step_script("tables"),
        out_dir=lambda wildcards, output: os.path.dirname(output.detection[0]),
        rows=PLAN.table_rows(),
        test_datasets=CONFIG.test_datasets(),
        compressions=PLAN.training_levels,
        forgeries=TRAIN.forgeries,
        depth_modes=CONFIG.evaluate.depth_modes,
        layouts=PLAN.test_layouts(),
        marks=OPTIONS.marks(),
    log:
        "logs/tables/{dataset}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --statistics {input.statistics} --rows {params.rows}"
        " --test-datasets {params.test_datasets} --compressions {params.compressions}"
        " --forgeries {params.forgeries} --depth-modes {params.depth_modes}"
        " --layouts {params.layouts} {params.marks} --out-dir {params.out_dir} --log-file {log}"


rule collect_skips:
    input:
        skip_records(),
    output:
        table="results/skipped.csv",
        page=report(
            "results/skipped.html",
            caption="../report/skipped.rst",
            category="Data",
            labels={"item": "skipped videos"},
        ),
    params:
        step=step_script("collect_skips"),
    log:
        "logs/collect_skips/collect_skips.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --skips {input} --out {output.table} --out-html {output.page}"
        " --log-file {log}"
