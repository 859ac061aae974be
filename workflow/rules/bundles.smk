rule predict_validation:
    input:
        unpack(validation_inputs),
        weights=rules.train.output.weights,
        meta=rules.train.output.meta,
    output:
        predictions="results/validation/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.parquet",
    params:
        step=step_script("predict_validation"),
        shards=shard_options,
        device=CONFIG.evaluate.device,
    log:
        "logs/predict_validation/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.log",
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
        gpu=gpu_request(CONFIG.evaluate.device),
        loader_workers=CONFIG.evaluate.workers,
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} {params.shards} --weights {input.weights} --meta {input.meta}"
        " --device {params.device} --threads {threads} --workers {resources.loader_workers}"
        " --out {output.predictions} --log-file {log}"


rule export_bundle:
    input:
        unpack(bundle_inputs),
    output:
        bundle=directory(
            "results/bundles/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}"
        ),
    params:
        step=step_script("export_bundle"),
        settings=OPTIONS.bootstrap(),
        layout=lambda w: OPTIONS.data_layout(dataset=w.dataset),
        depth_file=lambda w, input: (
            f"--depth-file {input.depth_file}" if "depth_file" in input.keys() else ""
        ),
    log:
        "logs/export_bundle/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/seed{seed}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} --weights {input.weights} --meta {input.meta}"
        " --validation {input.validation} --predictions {input.predictions}"
        " --robustness {input.robustness} {params.depth_file} --data-layout {params.layout}"
        " {params.settings} --out {output.bundle} --log-file {log}"


rule detect:
    input:
        unpack(lambda w: OPTIONS.detect_files()),
    output:
        detections=directory("results/detections"),
    params:
        step=step_script("detect"),
        settings=OPTIONS.detect(),
        bundle=CONFIG.detect.bundle,
        videos=CONFIG.detect.videos,
    log:
        "logs/detect.log",
    threads: 2
    resources:
        mem_mb=8000,
        runtime=240,
        gpu=gpu_request(CONFIG.detect.device),
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} --bundle {params.bundle:q} --videos {params.videos:q}"
        " {params.settings} --threads {threads} --out {output.detections} --log-file {log}"
