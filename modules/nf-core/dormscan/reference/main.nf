process DORMSCAN_REFERENCE {
    tag "$meta.id"
    label 'process_medium'

    conda "${moduleDir}/environment.yml"
    container "${ workflow.containerEngine == 'singularity' && !task.ext.singularity_pull_docker_container ?
        'https://depot.galaxyproject.org/singularity/dormscan:0.1.0--0' :
        'biocontainers/dormscan:0.1.0--0' }"

    input:
    // One tuple for the whole reference: the sample names and their count
    // matrices, in the same order (each staged into its own directory, so
    // inputs that are all called e.g. 'outs' do not collide).
    tuple val(meta), val(samples), path(inputs, stageAs: 'input??/*')

    output:
    tuple val(meta), path("${prefix}.tsv"), emit: reference
    tuple val("${task.process}"), val('dormscan'), eval('dormscan --version'), emit: versions_dormscan, topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def names = samples instanceof List ? samples : [samples]
    def files = inputs instanceof List ? inputs : [inputs]
    if (names.size() != files.size()) {
        error("DORMSCAN_REFERENCE: ${names.size()} sample names for ${files.size()} inputs")
    }
    // The inputs as a sample sheet, so that the reference names the samples.
    def pairs = [names, files].transpose().collect { name, file -> "'${name}' '${file}'" }.join(' ')
    """
    printf 'sample\\tpath\\n' > ${prefix}.samples.tsv
    printf '%s\\t%s\\n' ${pairs} >> ${prefix}.samples.tsv
    dormscan \\
        reference \\
        ${args} \\
        --threads ${task.cpus} \\
        --samples ${prefix}.samples.tsv \\
        -o ${prefix}.tsv
    """

    stub:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo "${args}"
    touch ${prefix}.tsv
    """
}
