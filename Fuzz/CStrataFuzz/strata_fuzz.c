#include "CStrataFuzz.h"

// Weak: resolved only when libFuzzer is linked (-sanitize=fuzzer); NULL in a normal build.
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t)) __attribute__((weak));

static strata_fuzz_callback current_target;

// libFuzzer's archive brings its own `main`, which refers to this symbol, so a fuzz build must
// define it. Defined once here (not in each Swift target) because a test build links every
// executable target into one bundle, where five definitions would collide.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return current_target ? current_target(data, size) : 0;
}

int strata_fuzz_run_driver(int *argc, char ***argv, strata_fuzz_callback callback) {
  current_target = callback;
  if (!LLVMFuzzerRunDriver) return -1;
  return LLVMFuzzerRunDriver(argc, argv, callback);
}
