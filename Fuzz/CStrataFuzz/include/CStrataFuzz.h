#pragma once
// CStrataFuzz: the one C call a fuzz target needs -- libFuzzer's driver, when the binary was
// linked with it (`-sanitize=fuzzer`). A normal build has no libFuzzer, and the target's
// executable replays files instead (see StrataFuzzSupport).
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int (*strata_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer with the process's arguments and `callback`; returns its exit code, or -1
/// when libFuzzer is not linked into this binary.
int strata_fuzz_run_driver(int *argc, char ***argv, strata_fuzz_callback callback);

#ifdef __cplusplus
}
#endif
