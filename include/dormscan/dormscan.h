/* dormscan.h -- umbrella header of libdormscan. */
#ifndef DORMSCAN_DORMSCAN_H
#define DORMSCAN_DORMSCAN_H

#include "dormscan/error.h"
#include "dormscan/log.h"
#include "dormscan/reader.h"
#include "dormscan/geneset.h"
#include "dormscan/score.h"
#include "dormscan/pipeline.h"
#include "dormscan/version.h"


#endif
