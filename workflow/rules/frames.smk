rule extract_frames:
    input:
        lambda w: OPTIONS.dataset_files(dataset=w.dataset),
    output:
        frames="results/frames/{dataset}/{compression}/{kind}/shard{shard}.h5",
        index="results/frames/{dataset}/{compression}/{kind}/shard{shard}.parquet",
        skips="results/skips/extract_frames/{dataset}/{compression}/{kind}/shard{shard}.csv",
    params:
        step=step_script("extract_frames"),
        settings=lambda w: OPTIONS.extract(dataset=w.dataset, kind=w.kind),
        num_shards=lambda w: PLAN.dataset(w.dataset).shards_per_kind,
        videos=lambda w: OPTIONS.video_listing(
            dataset=w.dataset, kind=w.kind, compression=w.compression, number=int(w.shard)
        ),
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
