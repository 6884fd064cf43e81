/* instream.c -- bytes from a file or URL, gzip inflated by ISA-L, optionally
 * ahead by blocks (in a read-ahead thread, or by whichever thread asks). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <isa-l/igzip_lib.h>

#include "core/simd.h"
#include "core/threads.h"
#include "dormscan/log.h"
#include "instream_internal.h"

#define IN_SIZE ((size_t)1 << 20)    /* compressed bytes per hread */
#define BLOCK_SIZE ((size_t)1 << 20) /* inflated bytes per block (a reader waiting for a
                                       helper filling one waits this long at most) */
#define N_BLOCKS 3                   /* one being read, two in flight */

typedef struct block_t {
    char *data;
    ssize_t len; /* bytes, 0 at end, <0 error (then err is set) */
    dorm_err_t err;
} block_t;

struct dorm_instream_t {
    hFILE *fp;
    char *path;
    int gzip;
    struct inflate_state z;
    uint8_t *in;
    int in_eof, done;
    /* inflated ahead, by blocks */
    int ahead;             /* blocks in use (then team's lock exists) */
    int has_thread;        /* a read-ahead thread fills them, else helpers */
    dorm_team_t team;      /* the read-ahead thread, if any; team.mu guards the
                              blocks and counts below, team.stop ends it */
    block_t blk[N_BLOCKS];
    int head, count;       /* head: block being consumed; count: filled blocks */
    int filling, ended;    /* a thread is filling a block; the last one is filled */
    size_t pos;            /* consumed bytes of blk[head] */
};

static int corrupt(const dorm_instream_t *s, dorm_err_t *err)
{
    return dorm_err_set(err, DORM_E_FORMAT, "%s: truncated or corrupt compressed data", s->path);
}

static int refill(dorm_instream_t *s, dorm_err_t *err)
{
    ssize_t n = hread(s->fp, s->in, IN_SIZE);
    if (n < 0)
        return dorm_err_set(err, DORM_E_IO, "%s: read error: %s", s->path,
                            errno ? strerror(errno) : "I/O error");
    s->in_eof = n == 0;
    s->z.next_in = s->in;
    s->z.avail_in = (uint32_t)n;
    return 0;
}

/* Inflate up to n bytes; members follow each other until the input ends. */
static ssize_t inflate_some(dorm_instream_t *s, char *buf, size_t n, dorm_err_t *err)
{
    size_t got = 0;
    while (got < n && !s->done) {
        if (s->z.avail_in == 0 && !s->in_eof && refill(s, err) < 0)
            return -1;
        if (s->z.block_state == ISAL_BLOCK_FINISH) { /* member complete */
            if (s->z.avail_in == 0 && s->in_eof) {
                s->done = 1;
                break;
            }
            uint8_t *next = s->z.next_in;
            uint32_t avail = s->z.avail_in;
            isal_inflate_reset(&s->z);
            s->z.crc_flag = ISAL_GZIP;
            s->z.next_in = next;
            s->z.avail_in = avail;
            if (avail == 0)
                continue;
        }
        size_t room = n - got > UINT32_MAX ? UINT32_MAX : n - got;
        s->z.next_out = (uint8_t *)buf + got;
        s->z.avail_out = (uint32_t)room;
        int rc = isal_inflate(&s->z);
        dorm_simd_clean();
        size_t made = room - s->z.avail_out;
        got += made;
        if (rc < 0)
            return corrupt(s, err);
        if (made == 0 && s->z.avail_in == 0 && s->in_eof && s->z.block_state != ISAL_BLOCK_FINISH)
            return corrupt(s, err); /* input ended inside a member */
    }
    return (ssize_t)got;
}

static ssize_t pull(dorm_instream_t *s, char *buf, size_t n, dorm_err_t *err)
{
    if (s->gzip)
        return inflate_some(s, buf, n, err);
    ssize_t got = hread(s->fp, buf, n);
    if (got < 0)
        return dorm_err_set(err, DORM_E_IO, "%s: read error: %s", s->path,
                            errno ? strerror(errno) : "I/O error");
    return got;
}

/* Inflate the next block into the free slot after the filled ones, unless
 * none is free, another thread is filling one or the stream has ended (lock
 * held; released while inflating; only one thread inflates at a time).
 * 1 if a block was filled. */
static int fill_one(dorm_instream_t *s)
{
    if (s->filling || s->ended || s->team.stop || s->count == N_BLOCKS)
        return 0;
    s->filling = 1;
    block_t *b = &s->blk[(s->head + s->count) % N_BLOCKS];
    pthread_mutex_unlock(&s->team.mu);
    dorm_err_clear(&b->err);
    b->len = 0;
    while ((size_t)b->len < BLOCK_SIZE) { /* fill whole blocks */
        ssize_t got = pull(s, b->data + b->len, BLOCK_SIZE - (size_t)b->len, &b->err);
        if (got < 0)
            b->len = got;
        if (got <= 0)
            break;
        b->len += got;
    }
    pthread_mutex_lock(&s->team.mu);
    s->filling = 0;
    s->ended = b->len <= 0; /* end or error: published, nothing more to do */
    s->count++;
    pthread_cond_broadcast(&s->team.cv);
    return 1;
}

static void *read_ahead(void *arg)
{
    dorm_instream_t *s = arg;
    pthread_mutex_lock(&s->team.mu);
    while (!s->team.stop && !s->ended)
        if (!fill_one(s))
            pthread_cond_wait(&s->team.cv, &s->team.mu);
    pthread_mutex_unlock(&s->team.mu);
    return NULL;
}

/* Blocks, a lock, and with thread a read-ahead thread; -1 (nothing left
 * allocated) if one cannot be had. */
static int start_ahead(dorm_instream_t *s, int thread)
{
    for (int i = 0; i < N_BLOCKS; i++)
        if (!(s->blk[i].data = malloc(BLOCK_SIZE)))
            goto fail;
    if (dorm_team_init(&s->team) < 0)
        goto fail;
    if (thread && dorm_team_start(&s->team, 1, read_ahead, s, 0) < 1) {
        dorm_team_destroy(&s->team);
        goto fail;
    }
    s->ahead = 1;
    s->has_thread = thread;
    return 0;
fail:
    for (int i = 0; i < N_BLOCKS; i++) {
        free(s->blk[i].data);
        s->blk[i].data = NULL;
    }
    return -1;
}

/* mode: 0 inflate when read, 1 in a read-ahead thread, 2 by blocks that
 * the reader or a helper (dorm_instream_help) fills. */
void dorm_hts_follow_log_level(void)
{
    hts_set_log_level(dorm_log_get_level() >= DORM_LOG_DEBUG ? HTS_LOG_WARNING : HTS_LOG_OFF);
}

static int open_stream(dorm_instream_t **out, const char *path, int mode, dorm_err_t *err)
{
    *out = NULL;
    dorm_hts_follow_log_level();
    dorm_instream_t *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return dorm_err_nomem(err);
    }
    errno = 0;
    s->fp = strcmp(path, "-") == 0 ? hdopen(0, "r") : hopen(path, "r");
    if (!s->fp) {
        int e = errno;
        dorm_instream_close(s);
        return dorm_err_set(err, DORM_E_IO, "%s: cannot open: %s", path,
                            e ? strerror(e) : "unknown error");
    }
    unsigned char magic[2];
    ssize_t m = hpeek(s->fp, magic, sizeof magic);
    if (m < 0) {
        int e = errno;
        dorm_instream_close(s);
        return dorm_err_set(err, DORM_E_IO, "%s: read error: %s", path,
                            e ? strerror(e) : "I/O error");
    }
    s->gzip = m == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (s->gzip) {
        if (!(s->in = malloc(IN_SIZE))) {
            dorm_instream_close(s);
            return dorm_err_nomem(err);
        }
        isal_inflate_init(&s->z);
        s->z.crc_flag = ISAL_GZIP;
    }
    if (mode) /* failing is not fatal: inflate inline */
        start_ahead(s, mode == 1);
    *out = s;
    return 0;
}

int dorm_instream_open(dorm_instream_t **out, const char *path, dorm_err_t *err)
{
    return open_stream(out, path, 0, err);
}

int dorm_instream_open_ahead(dorm_instream_t **out, const char *path, dorm_err_t *err)
{
    return open_stream(out, path, 1, err);
}

int dorm_instream_open_shared(dorm_instream_t **out, const char *path, dorm_err_t *err)
{
    return open_stream(out, path, 2, err);
}

int dorm_instream_help(dorm_instream_t *s)
{
    if (!s->ahead || s->has_thread)
        return 0;
    pthread_mutex_lock(&s->team.mu);
    int did = fill_one(s);
    pthread_mutex_unlock(&s->team.mu);
    return did;
}

int dorm_instream_is_gzip(const dorm_instream_t *s) { return s->gzip; }

ssize_t dorm_instream_read(dorm_instream_t *s, void *buf, size_t n, dorm_err_t *err)
{
    if (!s->ahead)
        return pull(s, buf, n, err);
    pthread_mutex_lock(&s->team.mu);
    if (s->count == 0 && !s->has_thread && !s->filling && !s->ended) {
        /* Nothing ahead and nobody inflating: straight into buf, no block
         * in between (an end or error is published as a block, for later
         * reads). */
        s->filling = 1;
        pthread_mutex_unlock(&s->team.mu);
        ssize_t got = pull(s, buf, n, err);
        pthread_mutex_lock(&s->team.mu);
        s->filling = 0;
        if (got <= 0) {
            block_t *b = &s->blk[s->head];
            b->len = got;
            if (got < 0)
                b->err = *err;
            s->count = 1;
            s->ended = 1;
        }
        pthread_cond_broadcast(&s->team.cv);
        pthread_mutex_unlock(&s->team.mu);
        return got;
    }
    while (s->count == 0) /* fill the block ourselves rather than wait, if we can */
        if (!fill_one(s))
            pthread_cond_wait(&s->team.cv, &s->team.mu);
    pthread_mutex_unlock(&s->team.mu);
    block_t *b = &s->blk[s->head];
    if (b->len < 0) {
        *err = b->err;
        return b->len;
    }
    if (b->len == 0)
        return 0; /* end; stays published so later reads also end */
    size_t take = (size_t)b->len - s->pos < n ? (size_t)b->len - s->pos : n;
    memcpy(buf, b->data + s->pos, take);
    s->pos += take;
    if (s->pos == (size_t)b->len) { /* hand the block back */
        pthread_mutex_lock(&s->team.mu);
        s->head = (s->head + 1) % N_BLOCKS;
        s->count--;
        s->pos = 0;
        pthread_cond_broadcast(&s->team.cv);
        pthread_mutex_unlock(&s->team.mu);
    }
    return (ssize_t)take;
}

void dorm_instream_close(dorm_instream_t *s)
{
    if (!s)
        return;
    if (s->ahead) {
        dorm_team_destroy(&s->team);
    }
    for (int i = 0; i < N_BLOCKS; i++)
        free(s->blk[i].data);
    if (s->fp) {
        int closed = hclose(s->fp); /* read-only: a close error loses nothing */
        (void)closed;
    }
    free(s->in);
    free(s->path);
    free(s);
}
