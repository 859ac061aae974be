rule extract_frames:
    input:
        dataset_inputs(),
    output:
        frames="results/frames/{compression}/{kind}/shard{shard}.h5",
        index="results/frames/{compression}/{kind}/shard{shard}.parquet",
        skips="results/skips/extract_frames/{compression}/{kind}/shard{shard}.csv",
    params:
        step=step_script("extract_frames"),
        root=dataset_root,
        splits_dir=DATASET["splits_dir"],
        real_source=DATASET["real_source"],
        num_shards=DATASET["shards_per_kind"],
        frames_per_video=config["frames"]["per_video"],
    log:
        "logs/extract_frames/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/extract_frames/{compression}/{kind}/shard{shard}.tsv"
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --dataset-root {params.root}"
        " --splits-dir {params.splits_dir} --real-source {params.real_source}"
        " --kind {wildcards.kind} --compression {wildcards.compression}"
        " --shard {wildcards.shard} --num-shards {params.num_shards}"
        " --frames-per-video {params.frames_per_video}"
        " --out-frames {output.frames} --out-index {output.index}"
        " --out-skips {output.skips} --log {log}"
