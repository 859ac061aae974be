rule train:
    input:
        unpack(cell_inputs),
    output:
        weights="results/models/{compression}/{forgery}/{model}.safetensors",
        meta="results/models/{compression}/{forgery}/{model}.json",
    params:
        step=step_script("train"),
        shards=shard_options,
        backbone=config["train"]["backbone"],
        split_block=config["train"]["split_block"],
        input_size=config["faces"]["crop_size"],
        pretrained=(
            "--pretrained" if config["train"]["pretrained"] else ""
        ),
        pretrained_file=(
            f"--pretrained-file {config['train']['pretrained_file']}"
            if config["train"]["pretrained_file"]
            else ""
        ),
        optimizer=config["train"]["optimizer"],
        epochs=config["train"]["epochs"],
        batch_size=config["train"]["batch_size"],
        lr=config["train"]["lr"],
        weight_decay=config["train"]["weight_decay"],
        seed=config["train"]["seed"],
    log:
        "logs/train/{compression}/{forgery}/{model}.log",
    benchmark:
        "results/benchmarks/train/{compression}/{forgery}/{model}.tsv"
    threads: config["train"]["threads"]
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} {params.shards} --detector {wildcards.model}"
        " --backbone {params.backbone} --split-block {params.split_block}"
        " --input-size {params.input_size} {params.pretrained} {params.pretrained_file}"
        " --optimizer {params.optimizer} --epochs {params.epochs} --batch-size {params.batch_size} --lr {params.lr}"
        " --weight-decay {params.weight_decay} --seed {params.seed} --threads {threads}"
        " --forgery {wildcards.forgery} --compression {wildcards.compression}"
        " --out-weights {output.weights} --out-meta {output.meta} --log {log}"
