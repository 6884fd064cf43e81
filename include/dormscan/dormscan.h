/* dormscan.h -- umbrella header of libdormscan: every public header.  For
 * programs; the library's own files include what they use. */
#ifndef DORMSCAN_DORMSCAN_H
#define DORMSCAN_DORMSCAN_H

#include "dormscan/error.h"
#include "dormscan/log.h"
#include "dormscan/version.h"
#include "dormscan/matrix.h"
#include "dormscan/outfile.h"
#include "dormscan/geneset.h"
#include "dormscan/geneset_file.h"
#include "dormscan/reader.h"
#include "dormscan/h5ad.h"
#include "dormscan/count.h"
#include "dormscan/score.h"
#include "dormscan/classify.h"
#include "dormscan/reference.h"
#include "dormscan/reference_file.h"
#include "dormscan/tables.h"
#include "dormscan/summary.h"
#include "dormscan/json.h"
#include "dormscan/html.h"
#include "dormscan/pipeline.h"
#include "dormscan/compare.h"

#endif
