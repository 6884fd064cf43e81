process DORMSCAN_SCORE {
    tag "$meta.id"
    label 'process_medium'

    conda "${moduleDir}/environment.yml"
    container "${ workflow.containerEngine == 'singularity' && !task.ext.singularity_pull_docker_container ?
        'https://depot.galaxyproject.org/singularity/dormscan:0.1.0--0' :
        'biocontainers/dormscan:0.1.0--0' }"

    input:
    tuple val(meta), path(input)
    tuple val(meta2), path(reference)  // optional: [ [:], [] ] for the sample's own cells

    output:
    tuple val(meta), path("${prefix}/cells.{tsv,tsv.gz}")             , emit: cells
    tuple val(meta), path("${prefix}/summary.tsv")                    , emit: summary
    tuple val(meta), path("${prefix}/run.json")                       , emit: json
    tuple val(meta), path("${prefix}/report.html")                    , emit: html
    tuple val(meta), path("${prefix}/dormscan_mqc.tsv")               , emit: mqc
    tuple val(meta), path("${prefix}/dormscan_general_stats_mqc.tsv") , emit: general_stats
    tuple val("${task.process}"), val('dormscan'), eval('dormscan --version'), emit: versions_dormscan, topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def reference_arg = reference ? "--reference ${reference}" : ''
    if ("${input}" == "${prefix}" || (reference && "${reference}" == "${prefix}")) {
        error("Input and output names are the same, use \"task.ext.prefix\" to disambiguate!")
    }
    """
    dormscan \\
        score \\
        ${args} \\
        ${reference_arg} \\
        --threads ${task.cpus} \\
        --sample ${meta.id} \\
        -o ${prefix} \\
        ${input}
    """

    stub:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def cells = args.contains('--gzip') ? 'cells.tsv.gz' : 'cells.tsv'
    """
    echo "${args}"
    mkdir -p ${prefix}
    touch ${prefix}/${cells}
    touch ${prefix}/summary.tsv
    touch ${prefix}/run.json
    touch ${prefix}/report.html
    touch ${prefix}/dormscan_mqc.tsv
    touch ${prefix}/dormscan_general_stats_mqc.tsv
    """
}
