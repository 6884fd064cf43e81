process DORMSCAN_COMPARE {
    tag "$meta.id"
    label 'process_single'

    conda "${moduleDir}/environment.yml"
    container "${ workflow.containerEngine == 'singularity' && !task.ext.singularity_pull_docker_container ?
        'https://depot.galaxyproject.org/singularity/dormscan:0.1.0--0' :
        'biocontainers/dormscan:0.1.0--0' }"

    input:
    tuple val(meta), path(runs, stageAs: 'runs/*'), path(design)  // DORMSCAN_SCORE output folders, the sample sheet

    output:
    tuple val(meta), path("${prefix}/compare.tsv")                , emit: table
    tuple val(meta), path("${prefix}/compare_evidence.tsv")       , emit: evidence
    tuple val(meta), path("${prefix}/compare_groups.tsv")         , emit: groups, optional: true
    tuple val(meta), path("${prefix}/compare.html")               , emit: html
    tuple val(meta), path("${prefix}/dormscan_compare_mqc.tsv")   , emit: mqc
    tuple val("${task.process}"), val('dormscan'), eval('dormscan --version'), emit: versions_dormscan, topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    if ("${design}" == "${prefix}") {
        error("Input and output names are the same, use \"task.ext.prefix\" to disambiguate!")
    }
    """
    dormscan \\
        compare \\
        ${args} \\
        --design ${design} \\
        -o ${prefix} \\
        ${runs}
    """

    stub:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo "${args}"
    mkdir -p ${prefix}
    touch ${prefix}/compare.tsv
    touch ${prefix}/compare_evidence.tsv
    touch ${prefix}/compare.html
    touch ${prefix}/dormscan_compare_mqc.tsv
    ${args.contains('--groupby') ? "touch ${prefix}/compare_groups.tsv" : ''}
    """
}
