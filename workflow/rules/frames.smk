rule extract_frames:
    input:
        dataset_inputs,
    output:
        frames="results/frames/{dataset}/{compression}/{kind}/shard{shard}.h5",
        index="results/frames/{dataset}/{compression}/{kind}/shard{shard}.parquet",
        skips="results/skips/extract_frames/{dataset}/{compression}/{kind}/shard{shard}.csv",
    params:
        step=step_script("extract_frames"),
        settings=extract_options,
        num_shards=num_shards,
        videos=video_listing,
    log:
        "logs/extract_frames/{dataset}/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/extract_frames/{dataset}/{compression}/{kind}/shard{shard}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    conda:
        "../../envs/video.yaml"
    shell:
        "python {params.step} --dataset {wildcards.dataset} {params.settings}"
        " --kind {wildcards.kind} --compression {wildcards.compression}"
        " --shard {wildcards.shard} --num-shards {params.num_shards}"
        " --out-frames {output.frames} --out-index {output.index}"
        " --out-skips {output.skips} --log-file {log}"
