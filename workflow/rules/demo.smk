rule demo_dataset:
    output:
        manifest=f"{DATASET['root']}/manifest.csv",
    params:
        step=step_script("demo_dataset"),
        root=subpath(output.manifest, parent=True),
        reals_per_person=config["demo"]["reals_per_person"],
        frames_per_clip=config["demo"]["frames_per_clip"],
        seed=config["demo"]["seed"],
    log:
        "logs/demo_dataset/demo_dataset.log",
    benchmark:
        "results/benchmarks/demo_dataset/demo_dataset.tsv"
    threads: 2
    conda:
        "../../envs/depthfake.yaml"
    shell:
        "python {params.step} --out {params.root}"
        " --reals-per-person {params.reals_per_person}"
        " --frames-per-clip {params.frames_per_clip} --seed {params.seed}"
        " --workers {threads} --log {log}"
