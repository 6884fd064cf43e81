/* json.c -- a small streaming JSON writer for run.json. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dormscan/json.h"
#include "dormscan/outfile.h"

void dorm_json_init(dorm_json_t *j, dorm_outfile_t *o)
{
    memset(j, 0, sizeof *j);
    j->o = o;
}

static void put_string(dorm_outfile_t *o, const char *s)
{
    dorm_outfile_write(o, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            dorm_outfile_write(o, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            dorm_outfile_write(o, esc, 6);
        } else {
            dorm_outfile_write(o, (const char *)p, 1);
        }
    }
    dorm_outfile_write(o, "\"", 1);
}

/* Separator, indentation and key of the next item. */
static void item(dorm_json_t *j, const char *key)
{
    if (j->count[j->depth]++ > 0)
        dorm_outfile_write(j->o, ",", 1);
    if (j->depth > 0) {
        dorm_outfile_write(j->o, "\n", 1);
        for (int i = 0; i < j->depth; i++)
            dorm_outfile_write(j->o, "  ", 2);
    }
    if (key) {
        put_string(j->o, key);
        dorm_outfile_write(j->o, ": ", 2);
    }
}

void dorm_json_open(dorm_json_t *j, const char *key, char bracket)
{
    item(j, key);
    dorm_outfile_write(j->o, &bracket, 1);
    if (j->depth < 31)
        j->count[++j->depth] = 0;
}

void dorm_json_close(dorm_json_t *j, char bracket)
{
    int had_items = j->count[j->depth] > 0;
    if (j->depth > 0)
        j->depth--;
    if (had_items) {
        dorm_outfile_write(j->o, "\n", 1);
        for (int i = 0; i < j->depth; i++)
            dorm_outfile_write(j->o, "  ", 2);
    }
    dorm_outfile_write(j->o, &bracket, 1);
    if (j->depth == 0)
        dorm_outfile_write(j->o, "\n", 1);
}

void dorm_json_str(dorm_json_t *j, const char *key, const char *value)
{
    item(j, key);
    if (value)
        put_string(j->o, value);
    else
        dorm_outfile_write(j->o, "null", 4);
}

void dorm_json_num(dorm_json_t *j, const char *key, double value)
{
    item(j, key);
    if (!isfinite(value)) {
        dorm_outfile_write(j->o, "null", 4);
        return;
    }
    dorm_outfile_printf(j->o, "%.10g", value);
}

void dorm_json_int(dorm_json_t *j, const char *key, int64_t value)
{
    item(j, key);
    dorm_outfile_printf(j->o, "%lld", (long long)value);
}

void dorm_json_raw(dorm_json_t *j, const char *key, const char *json)
{
    item(j, key);
    size_t n = strlen(json);
    while (n > 0 && (json[n - 1] == '\n' || json[n - 1] == ' ' || json[n - 1] == '\r'))
        n--;
    dorm_outfile_write(j->o, json, n);
}

void dorm_json_bool(dorm_json_t *j, const char *key, int value)
{
    item(j, key);
    dorm_outfile_printf(j->o, "%s", value ? "true" : "false");
}
