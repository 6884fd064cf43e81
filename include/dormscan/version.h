/* version.h -- the library's version. */
#ifndef DORMSCAN_VERSION_H
#define DORMSCAN_VERSION_H

/* Version string, e.g. "0.1.0" (static; never freed). */
const char *dorm_version(void);

#endif
