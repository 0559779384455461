#include "strata_support.h"
