/* sha256.h -- SHA-256 (FIPS 180-4) for provenance checksums, private. */
#ifndef DORM_CORE_SHA256_H
#define DORM_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct dorm_sha256_t {
    uint32_t h[8];
    uint64_t n_bytes;
    unsigned char block[64];
    size_t fill;
} dorm_sha256_t;

void dorm_sha256_init(dorm_sha256_t *s);
void dorm_sha256_update(dorm_sha256_t *s, const void *data, size_t len);
/* Write the 64-character lowercase hex digest and a NUL to hex. */
void dorm_sha256_final_hex(dorm_sha256_t *s, char hex[65]);
/* The digest of a file's bytes into hex; 0, or -1 (errno set) when it
 * cannot be read to the end. */
int dorm_sha256_file(const char *path, char hex[65]);

#endif
