#include "strata_rpc.h"
