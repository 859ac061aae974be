rule crop_faces:
    input:
        frames=rules.extract_frames.output.frames,
        index=rules.extract_frames.output.index,
        models=landmark_model(),
    output:
        faces="results/faces/{dataset}/{compression}/{kind}/shard{shard}.h5",
        index="results/faces/{dataset}/{compression}/{kind}/shard{shard}.parquet",
        skips="results/skips/crop_faces/{dataset}/{compression}/{kind}/shard{shard}.csv",
    params:
        step=step_script("crop_faces"),
        settings=face_options(),
    log:
        "logs/crop_faces/{dataset}/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/crop_faces/{dataset}/{compression}/{kind}/shard{shard}.tsv"
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --frames {input.frames} --frame-index {input.index}"
        " {params.settings} --out-faces {output.faces} --out-index {output.index}"
        " --out-skips {output.skips} --log-file {log}"
