/* version.h -- the library's version. */
#ifndef DORMSCAN_VERSION_H
#define DORMSCAN_VERSION_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

/* Version string, e.g. "0.1.0" (static; never freed). */
const char *dorm_version(void);

#pragma GCC visibility pop
#endif
