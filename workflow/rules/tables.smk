rule tables:
    input:
        predictions=PLAN.predictions(patterns()),
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
        seed=CONFIG.evaluate.seed,
    log:
        "logs/tables/{dataset}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --predictions {input.predictions} --rows {params.rows}"
        " --test-datasets {params.test_datasets} --compressions {params.compressions}"
        " --forgeries {params.forgeries} --depth-modes {params.depth_modes}"
        " --seed {params.seed} --out-dir {params.out_dir} --log-file {log}"


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
