rule train:
    input:
        unpack(train_inputs),
    output:
        weights="results/models/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.safetensors",
        meta="results/models/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.json",
    params:
        step=step_script("train"),
        shards=shard_options,
        settings=lambda w: OPTIONS.train(model=w.model, backbone=w.backbone),
        launcher=OPTIONS.train_launcher(),
        state="results/train_state/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.pt",
    log:
        "logs/train/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.log",
    benchmark:
        "results/benchmarks/train/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.tsv"
    threads: TRAIN.threads
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=gpu_request(TRAIN.device, TRAIN.processes),
        loader_workers=TRAIN.workers,
    conda:
        "../../envs/torch.yaml"
    shell:
        "{params.launcher} {params.step} {params.shards} --detector {wildcards.model}"
        " --backbone {wildcards.backbone} --seed {wildcards.seed} {params.settings}"
        " --threads {threads} --workers {resources.loader_workers} --state {params.state} --dataset {wildcards.dataset} --forgery {wildcards.forgery}"
        " --compression {wildcards.compression} --depth-backend {wildcards.depth}"
        " --out-weights {output.weights} --out-meta {output.meta} --log-file {log}"
