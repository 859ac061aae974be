rule evaluate:
    input:
        unpack(cell_inputs),
        weights=rules.train.output.weights,
        meta=rules.train.output.meta,
    output:
        predictions="results/predictions/{compression}/{forgery}/{model}.parquet",
    params:
        step=step_script("evaluate"),
        shards=shard_options,
        attacks=attack_options(),
        seed=config["evaluate"]["seed"],
        depth_mode=config["evaluate"]["depth_mode"],
    log:
        "logs/evaluate/{compression}/{forgery}/{model}.log",
    benchmark:
        "results/benchmarks/evaluate/{compression}/{forgery}/{model}.tsv"
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} {params.shards} --weights {input.weights}"
        " --meta {input.meta} {params.attacks} --seed {params.seed}"
        " --depth-mode {params.depth_mode} --threads {threads}"
        " --out {output.predictions} --log {log}"
