rule estimate_depth:
    input:
        faces=rules.crop_faces.output.faces,
    output:
        depth="results/depth/{compression}/{kind}/shard{shard}.h5",
    params:
        step=step_script("estimate_depth"),
        backend=config["depth"]["backend"],
        focal_scale=config["depth"]["focal_scale"],
    log:
        "logs/estimate_depth/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/estimate_depth/{compression}/{kind}/shard{shard}.tsv"
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --faces {input.faces}"
        " --backend {params.backend} --focal-scale {params.focal_scale}"
        " --out-depth {output.depth} --log {log}"
