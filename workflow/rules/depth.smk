rule estimate_depth:
    input:
        faces=rules.crop_faces.output.faces,
    output:
        depth="results/depth/{dataset}/{depth}/{compression}/{kind}/shard{shard}.h5",
    params:
        step=step_script("estimate_depth"),
        settings=depth_options,
    log:
        "logs/estimate_depth/{dataset}/{depth}/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/estimate_depth/{dataset}/{depth}/{compression}/{kind}/shard{shard}.tsv"
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --faces {input.faces} --backend {wildcards.depth}"
        " {params.settings} --out-depth {output.depth} --log {log}"
