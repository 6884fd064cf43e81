"""Command-line contract: version, help, usage errors, exit codes."""
import re

from common import EXAMPLE, run, expect, finish

code, out, err = run('--version', check=0)
expect(re.fullmatch(r'\d+\.\d+\.\d+\n', out), '--version prints only the version: %r' % out)
expect(err == '', '--version writes nothing on stderr')
code, out, _ = run('--help', check=0)
expect('score' in out and 'inspect' in out and 'signatures' in out, 'usage lists the commands')
for cmd in ('score', 'inspect', 'signatures', 'compare'):
    code, out, _ = run(cmd, '--help', check=0)
    expect(out.startswith('Usage: dormscan ' + cmd), '%s --help starts with its usage' % cmd)
    code, out2, _ = run('help', cmd, check=0)
    expect(out2 == out, 'help %s equals %s --help' % (cmd, cmd))
code, out, err = run(check=2)
code, _, err = run('frobnicate', check=2)
expect('unknown command' in err, 'unknown command is named')
code, _, err = run('score', 'x', check=2)
expect('-o/--outdir is required' in err, 'missing -o is a usage error')
code, _, err = run('score', '-o', '/tmp/x', check=2)
expect('no INPUT' in err, 'missing input is a usage error')
code, _, err = run('score', 'x', '-o', '/tmp/x', '--method', 'aucell', check=2)
expect('--method' in err, 'bad method is a usage error')
code, _, err = run('score', 'x', '-o', '/tmp/x', '--max-rank', 'many', check=2)
expect('--max-rank' in err and len(err.splitlines()) == 1, 'bad number: one line')
code, _, err = run('score', 'x', '-o', '/tmp/x', '--bogus', check=2)
code, _, err = run('inspect', check=2)
code, out, _ = run('signatures', 'list', check=0)
rows = [l.split('\t') for l in out.splitlines()]
expect(rows[0] == ['file', 'name', 'n_genes', 'description'], 'signatures list header')
names = [r[1] for r in rows[1:]]
for want in ('cc_s', 'cc_g2m', 'quiescence_up', 'quiescence_down', 'myc_targets', 'mtorc1_signaling',
             'autophagy', 'senmayo', 'senescence_fridman_up', 'senescence_fridman_down',
             'senescence_cellage_up', 'senescence_cellage_down', 'sasp_reactome', 'qc_mito', 'qc_ribo'):
    expect(want in names, 'panel has %s' % want)
code, out, _ = run('signatures', 'show', 'cc_s', check=0)
fields = out.rstrip('\n').split('\t')
expect(fields[0] == 'cc_s' and len(fields) == 2 + 43 and fields[2] == 'MCM5', 'show cc_s: 43 genes')
code, _, err = run('signatures', 'show', 'nope', check=1)
expect("'nope'" in err, 'unknown set is named')
# Messages a person can read: no 9223372036854775807, and a folder with a
# --format that reads files only is a usage error that says so.
code, _, err = run('score', EXAMPLE, '-o', '/tmp/dormscan-usage-unused', '--min-genes', '-5')
expect(code == 2 and 'of 0 or more' in err and '922337' not in err, 'a readable range: %s' % err)
code, _, err = run('score', EXAMPLE, '-o', '/tmp/dormscan-usage-unused', '--format', 'dense')
expect(code == 2 and 'a directory' in err and '--format dense' in err, '--format on a folder: %s' % err)
finish()
