/* version.c -- the version string from the build. */
#include "dorm_config.h"
#include "dormscan/version.h"

const char *dorm_version(void) { return DORM_VERSION; }
