rule figures:
    input:
        predictions=PLAN.predictions(patterns()),
        robustness=expand(
            "results/tables/{{dataset}}/robustness_{mode}.csv", mode=CONFIG.evaluate.depth_modes
        ),
    output:
        severity=[
            report(
                f"results/figures/{{dataset}}/severity_{mode}.png",
                caption="../report/severity.rst",
                category="Figures",
                labels={"figure": f"severity, depth mode {mode}"},
            )
            for mode in CONFIG.evaluate.depth_modes
        ],
        severity_data=expand(
            "results/figures/{{dataset}}/severity_{mode}.csv", mode=CONFIG.evaluate.depth_modes
        ),
        roc=report(
            "results/figures/{dataset}/roc.png",
            caption="../report/roc.rst",
            category="Figures",
            labels={"figure": "ROC curves"},
        ),
        roc_data="results/figures/{dataset}/roc.csv",
        scores=report(
            "results/figures/{dataset}/scores.png",
            caption="../report/scores.rst",
            category="Figures",
            labels={"figure": "video scores"},
        ),
        scores_data="results/figures/{dataset}/scores.csv",
    params:
        step=step_script("figures"),
        out_dir=lambda wildcards, output: os.path.dirname(output.roc),
        depth_modes=CONFIG.evaluate.depth_modes,
    log:
        "logs/figures/{dataset}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --predictions {input.predictions}"
        " --robustness {input.robustness} --depth-modes {params.depth_modes}"
        " --out-dir {params.out_dir} --log-file {log}"


rule gradcam:
    input:
        unpack(lambda w: PLAN.gradcam_files(patterns(), w.dataset)),
    output:
        figure=report(
            "results/figures/{dataset}/gradcam.png",
            caption="../report/gradcam.rst",
            category="Figures",
            labels={"figure": "Grad-CAM"},
        ),
        data="results/figures/{dataset}/gradcam.csv",
    params:
        step=step_script("gradcam"),
        shards=shard_options,
        faces=CONFIG.figures.gradcam.faces,
        cell=lambda w: "/".join(PLAN.gradcam_cell(w.dataset).values()),  # for the caption
    log:
        "logs/gradcam/{dataset}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} {params.shards} --weights {input.weights} --meta {input.meta}"
        " --faces-shown {params.faces} --threads {threads} --out {output.figure}"
        " --out-data {output.data} --log-file {log}"
