/* shard.c -- writing and reading shard.bin. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/version.h"
#include "shard.h"

#define MAGIC "dormscan-shard 4" /* 2: records of the fixed-reference classifier; 3: groups;
                                    4: records with the phase and the reference-cell flag */

int dorm_shard_write_header(dorm_outfile_t *o, const shard_header_t *h)
{
    dorm_outfile_printf(o, "%s\nversion %s\nshard %d %d\nmethod %s\nfdr %.17g\nreference %s\n"
                           "sample_column %d\ngzip %d\nsets %d\n",
                        MAGIC, dorm_version(), h->k, h->n, h->method, h->fdr,
                        h->reference, h->sample_column, h->gzip, h->n_out);
    for (int i = 0; i < h->n_out; i++)
        dorm_outfile_printf(o, "%s\n", h->set_names[i]);
    if (h->groups_path)
        dorm_outfile_printf(o, "groups %s %s\n", h->groups_sha256, h->groups_path);
    else
        dorm_outfile_printf(o, "groups none\n");
    return 0;
}

int dorm_shard_write_sample(dorm_outfile_t *o, const char *name, spill_t *sp, int rec_len,
                       dorm_err_t *err)
{
    dorm_outfile_printf(o, "sample %s %lld\n", name, (long long)sp->n);
    int rc = dorm_spill_rewind(sp, err);
    double *rec = malloc((size_t)rec_len * sizeof *rec);
    char **bc = calloc((size_t)(sp->n ? sp->n : 1), sizeof *bc);
    char *barcode;
    if (rc == 0 && (!rec || !bc))
        rc = dorm_err_nomem(err);
    /* Records first, then the barcodes (kept meanwhile: one sample's worth). */
    for (int64_t i = 0; rc == 0 && i < sp->n; i++) {
        rc = dorm_spill_next(sp, i, rec, &barcode, NULL, err);
        if (rc > 0) {
            rc = 0;
            dorm_outfile_write(o, (const char *)rec, (size_t)rec_len * sizeof *rec);
            if (!(bc[i] = strdup(barcode)))
                rc = dorm_err_nomem(err);
        }
    }
    for (int64_t i = 0; rc == 0 && i < sp->n; i++)
        dorm_outfile_printf(o, "%s\n", bc[i]);
    for (int64_t i = 0; bc && i < sp->n; i++)
        free(bc[i]);
    free(bc);
    free(rec);
    return rc;
}

void dorm_shard_write_end(dorm_outfile_t *o) { dorm_outfile_printf(o, "end\n"); }

static int bad(shard_file_t *s, dorm_err_t *err, const char *what)
{
    return dorm_err_set(err, DORM_E_FORMAT, "%s: %s (not a dormscan shard file, or truncated)",
                        s->path, what);
}

/* Next header line without its newline into buf; 0, or <0. */
static int line(shard_file_t *s, char *buf, size_t n, dorm_err_t *err)
{
    if (!fgets(buf, (int)n, s->fp))
        return bad(s, err, "unexpected end of file");
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

int dorm_shard_open(shard_file_t *s, const char *path, int (*record_len)(int n_out), dorm_err_t *err)
{
    memset(s, 0, sizeof *s);
    if (!(s->path = strdup(path)))
        return dorm_err_nomem(err);
    errno = 0;
    if (!(s->fp = fopen(path, "rb")))
        return dorm_err_set(err, DORM_E_IO, "%s: cannot open: %s", path, strerror(errno));
    char buf[8192];
    shard_header_t *h = &s->h;
    int rc = line(s, buf, sizeof buf, err);
    if (rc == 0 && strcmp(buf, MAGIC) != 0)
        return bad(s, err, "bad first line");
    if (rc == 0)
        rc = line(s, buf, sizeof buf, err); /* version */
    if (rc == 0 && ((rc = line(s, buf, sizeof buf, err)) < 0 || sscanf(buf, "shard %d %d", &h->k, &h->n) != 2))
        return rc < 0 ? rc : bad(s, err, "bad shard line");
    if ((rc = line(s, buf, sizeof buf, err)) < 0 || sscanf(buf, "method %15s", h->method) != 1)
        return rc < 0 ? rc : bad(s, err, "bad method line");
    if ((rc = line(s, buf, sizeof buf, err)) < 0 || sscanf(buf, "fdr %lf", &h->fdr) != 1)
        return rc < 0 ? rc : bad(s, err, "bad fdr line");
    if ((rc = line(s, buf, sizeof buf, err)) < 0 || sscanf(buf, "reference %64s", h->reference) != 1 ||
        strlen(h->reference) != 64)
        return rc < 0 ? rc : bad(s, err, "bad reference line");
    if ((rc = line(s, buf, sizeof buf, err)) < 0 || sscanf(buf, "sample_column %d", &h->sample_column) != 1)
        return rc < 0 ? rc : bad(s, err, "bad sample_column line");
    if ((rc = line(s, buf, sizeof buf, err)) < 0 || sscanf(buf, "gzip %d", &h->gzip) != 1)
        return rc < 0 ? rc : bad(s, err, "bad gzip line");
    if ((rc = line(s, buf, sizeof buf, err)) < 0 || sscanf(buf, "sets %d", &h->n_out) != 1 ||
        h->n_out < 0 || h->n_out > 100000)
        return rc < 0 ? rc : bad(s, err, "bad sets line");
    if (!(h->set_names = calloc((size_t)(h->n_out ? h->n_out : 1), sizeof *h->set_names)))
        return dorm_err_nomem(err);
    for (int i = 0; i < h->n_out; i++) {
        if ((rc = line(s, buf, sizeof buf, err)) < 0)
            return rc;
        if (!(h->set_names[i] = strdup(buf)))
            return dorm_err_nomem(err);
    }
    if ((rc = line(s, buf, sizeof buf, err)) < 0)
        return rc;
    if (strncmp(buf, "groups ", 7) != 0)
        return bad(s, err, "bad groups line");
    if (strcmp(buf, "groups none") != 0) { /* groups SHA256 PATH */
        char *path = strchr(buf + 7, ' ');
        if (!path || path - (buf + 7) > 64 || !path[1])
            return bad(s, err, "bad groups line");
        memcpy(h->groups_sha256, buf + 7, (size_t)(path - (buf + 7)));
        if (!(s->groups_path = strdup(path + 1)))
            return dorm_err_nomem(err);
        h->groups_path = s->groups_path;
    }
    int64_t rec_bytes = (int64_t)record_len(h->n_out) * (int64_t)sizeof(double);
    for (;;) {
        if ((rc = line(s, buf, sizeof buf, err)) < 0)
            return rc;
        if (strcmp(buf, "end") == 0)
            return 0;
        char *sp = strrchr(buf, ' ');
        long long n;
        if (strncmp(buf, "sample ", 7) != 0 || !sp || sscanf(sp + 1, "%lld", &n) != 1 || n < 0)
            return bad(s, err, "bad sample line");
        *sp = '\0';
        shard_sample_t *ns = realloc(s->samples, (size_t)(s->n_samples + 1) * sizeof *ns);
        if (!ns)
            return dorm_err_nomem(err);
        s->samples = ns;
        shard_sample_t *x = &s->samples[s->n_samples++];
        x->name = strdup(buf + 7);
        x->n = n;
        x->records = ftello(s->fp);
        if (!x->name)
            return dorm_err_nomem(err);
        if (fseeko(s->fp, (off_t)(n * rec_bytes), SEEK_CUR) != 0)
            return bad(s, err, "records cut short");
        x->barcodes = ftello(s->fp);
        for (long long i = 0; i < n; i++) {
            int c;
            while ((c = fgetc(s->fp)) != '\n' && c != EOF)
                ;
            if (c == EOF)
                return bad(s, err, "barcodes cut short");
        }
    }
}

int dorm_shard_copy_sample(shard_file_t *s, int i, spill_t *sp, dorm_err_t *err)
{
    const shard_sample_t *x = &s->samples[i];
    int rec_len = sp->rec_len;
    double *rec = malloc((size_t)rec_len * sizeof *rec);
    char *line_buf = NULL;
    size_t cap = 0;
    int rc = rec ? 0 : dorm_err_nomem(err);
    off_t rpos = x->records, bpos = x->barcodes;
    for (int64_t k = 0; rc == 0 && k < x->n; k++) {
        if (fseeko(s->fp, rpos, SEEK_SET) != 0 ||
            fread(rec, sizeof *rec, (size_t)rec_len, s->fp) != (size_t)rec_len) {
            rc = bad(s, err, "records cut short");
            break;
        }
        rpos = ftello(s->fp);
        ssize_t len;
        if (fseeko(s->fp, bpos, SEEK_SET) != 0 || (len = getline(&line_buf, &cap, s->fp)) <= 0) {
            rc = bad(s, err, "barcodes cut short");
            break;
        }
        bpos = ftello(s->fp);
        line_buf[len - 1] = '\0';
        rc = dorm_spill_append(sp, rec, line_buf, err);
    }
    free(rec);
    free(line_buf);
    return rc;
}

void dorm_shard_close(shard_file_t *s)
{
    if (s->fp)
        fclose(s->fp);
    for (int i = 0; i < s->n_samples; i++)
        free(s->samples[i].name);
    free(s->samples);
    for (int i = 0; s->h.set_names && i < s->h.n_out; i++)
        free(s->h.set_names[i]);
    free(s->h.set_names);
    free(s->groups_path);
    free(s->path);
    memset(s, 0, sizeof *s);
}
