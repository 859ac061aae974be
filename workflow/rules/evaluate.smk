rule evaluate:
    input:
        unpack(test_inputs),
        weights=rules.train.output.weights,
        meta=rules.train.output.meta,
    output:
        predictions="results/predictions/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}/{test_dataset}/{depth_inputs}.parquet",
    params:
        step=step_script("evaluate"),
        shards=shard_options,
        settings=OPTIONS.evaluate(),
        depth_inputs=lambda wildcards: wildcards.depth_inputs.split("+"),
    log:
        "logs/evaluate/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}/{test_dataset}/{depth_inputs}.log",
    benchmark:
        "results/benchmarks/evaluate/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}/{test_dataset}/{depth_inputs}.tsv"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=240,
        gpu=gpu_request(CONFIG.evaluate.device),
        loader_workers=CONFIG.evaluate.workers,
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} {params.shards} --weights {input.weights}"
        " --meta {input.meta} {params.settings} --depth-inputs {params.depth_inputs}"
        " --test-dataset {wildcards.test_dataset}"
        " --threads {threads} --workers {resources.loader_workers} --out {output.predictions} --log-file {log}"
