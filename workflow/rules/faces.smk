rule crop_faces:
    input:
        frames=rules.extract_frames.output.frames,
        index=rules.extract_frames.output.index,
    output:
        faces="results/faces/{compression}/{kind}/shard{shard}.h5",
        index="results/faces/{compression}/{kind}/shard{shard}.parquet",
        skips="results/skips/crop_faces/{compression}/{kind}/shard{shard}.csv",
    params:
        step=step_script("crop_faces"),
        backend=config["faces"]["backend"],
        upsample=config["faces"]["upsample"],
        landmark_model=(
            f"--landmark-model {config['faces']['landmark_model']}"
            if config["faces"]["landmark_model"]
            else ""
        ),
        crop_size=config["faces"]["crop_size"],
        scale=config["faces"]["scale"],
    log:
        "logs/crop_faces/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/crop_faces/{compression}/{kind}/shard{shard}.tsv"
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --frames {input.frames} --frame-index {input.index}"
        " --backend {params.backend} --upsample {params.upsample} {params.landmark_model}"
        " --crop-size {params.crop_size} --scale {params.scale}"
        " --out-faces {output.faces} --out-index {output.index}"
        " --out-skips {output.skips} --log {log}"
