# The maps' version: a new one reruns estimate_depth and everything downstream.
from depthfake.depth.convention import MAPS_VERSION


rule estimate_depth:
    input:
        faces=rules.crop_faces.output.faces,
        model=lambda w: OPTIONS.depth_model_files(backend=w.depth),
    output:
        depth="results/depth/{dataset}/{depth}/{compression}/{kind}/shard{shard}.h5",
    params:
        step=step_script("estimate_depth"),
        settings=lambda w: OPTIONS.depth(backend=w.depth),
        maps_version=MAPS_VERSION,
    log:
        "logs/estimate_depth/{dataset}/{depth}/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/estimate_depth/{dataset}/{depth}/{compression}/{kind}/shard{shard}.tsv"
    threads: CONFIG.depth.threads
    resources:
        mem_mb=8000,
        runtime=120,
        gpu=lambda w: depth_gpus(CONFIG, w.depth),
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} --faces {input.faces} --backend {wildcards.depth}"
        " {params.settings} --threads {threads} --out-depth {output.depth} --log-file {log}"


rule depth_figure:
    input:
        unpack(lambda w: PLAN.depth_figure_files(patterns())),
    output:
        figure=report(
            "results/figures/depth_samples.png",
            caption="../report/depth_samples.rst",
            category="Data",
            labels={"item": "depth samples"},
        ),
        data="results/figures/depth_samples.csv",
    params:
        step=step_script("depth_figure"),
        backends=CONFIG.depth.backends,
        per_kind=CONFIG.figures.depth_samples,
    log:
        "logs/depth_figure/depth_figure.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --faces {input.faces} --index {input.index}"
        " --backends {params.backends} --depth {input.depth} --per-kind {params.per_kind}"
        " --out {output.figure} --out-data {output.data} --log-file {log}"
