rule demo_dataset:
    output:
        manifest="{demo_root}/manifest.csv",
    params:
        step=step_script("demo_dataset"),
        root=subpath(output.manifest, parent=True),
        settings=lambda w: OPTIONS.demo(root=w.demo_root),
    wildcard_constraints:
        demo_root=OPTIONS.demo_roots(),
    log:
        "logs/demo_dataset/{demo_root}.log",
    benchmark:
        "results/benchmarks/demo_dataset/{demo_root}.tsv"
    threads: 2
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/torch.yaml"
    shell:
        "python {params.step} --out {params.root:q} {params.settings}"
        " --workers {threads} --log-file {log:q}"
