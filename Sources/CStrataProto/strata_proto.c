#include "strata_proto.h"
