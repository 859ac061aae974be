rule crop_faces:
    input:
        frames=rules.extract_frames.output.frames,
        index=rules.extract_frames.output.index,
        models=lambda w: OPTIONS.face_model_files(dataset=w.dataset),
    output:
        faces="results/faces/{dataset}/{compression}/{kind}/shard{shard}.h5",
        index="results/faces/{dataset}/{compression}/{kind}/shard{shard}.parquet",
        skips="results/skips/crop_faces/{dataset}/{compression}/{kind}/shard{shard}.csv",
    params:
        step=step_script("crop_faces"),
        settings=lambda w: OPTIONS.faces(dataset=w.dataset),
    log:
        "logs/crop_faces/{dataset}/{compression}/{kind}/shard{shard}.log",
    benchmark:
        "results/benchmarks/crop_faces/{dataset}/{compression}/{kind}/shard{shard}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
        gpu=lambda w: face_gpus(CONFIG, w.dataset),
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} --frames {input.frames} --frame-index {input.index}"
        " {params.settings} --out-faces {output.faces} --out-index {output.index}"
        " --out-skips {output.skips} --log-file {log}"


rule face_report:
    input:
        indices=PLAN.per_shard(rules.crop_faces.output.index),
    output:
        report="results/faces/report.md",
        page=report(
            "results/faces/report.html",
            caption="../report/faces.rst",
            category="Data",
            labels={"item": "faces found"},
        ),
        videos="results/faces/videos.csv",
    log:
        "logs/face_report/face_report.log",
    params:
        step=step_script("face_report"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --indices {input.indices} --out-md {output.report}"
        " --out-html {output.page} --out-videos {output.videos} --log-file {log}"


# One check per slice, reading that slice's frame indices only (a change to another slice
# reruns none); its output is an input of the slice's training and evaluation jobs.
rule check_faces:
    input:
        indices=lambda w: PLAN.slice_indices(
            patterns(), dataset=w.dataset, compression=w.compression, kind=w.kind
        ),
    output:
        lost="results/faces/checks/{dataset}/{compression}/{kind}.csv",
    log:
        "logs/check_faces/{dataset}/{compression}/{kind}.log",
    params:
        step=step_script("check_faces"),
        settings=lambda w: OPTIONS.face_loss(dataset=w.dataset),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/report.yaml"
    shell:
        "python {params.step} --indices {input.indices} {params.settings}"
        " --out {output.lost} --log-file {log}"
