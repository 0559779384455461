#pragma once
// CStrataCrypto: the few things Strata takes from OpenSSL's libcrypto (the library gRPC core
// already links for TLS): SHA-256 for token hashes, and checks of PEM certificates and keys so
// that a node refuses a bad or half-rotated key pair with a clear error before gRPC sees it.
// No handles: every function copies what it returns.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// SHA-256 of `data` into `digest` (32 bytes).
void strata_sha256(const void *data, size_t length, uint8_t digest[32]);

/// The number of X.509 certificates in `pem` (NUL-terminated), or -1 when a PEM block is not
/// a certificate or does not parse. `error` receives a one-line reason (at most capacity-1 bytes).
int strata_pem_certificate_count(const char *pem, char *error, size_t capacity);

/// 0 when `private_key` (PEM) parses and is the key of the first certificate of
/// `certificate_chain` (PEM); -1 otherwise, with a one-line reason in `error`.
int strata_pem_check_key_pair(const char *certificate_chain, const char *private_key, char *error, size_t capacity);

/// The subject common name of the first certificate in `pem` into `name` (NUL-terminated,
/// at most capacity-1 bytes). Returns its full length, 0 when it has none, -1 on a parse error.
int strata_pem_common_name(const char *pem, char *name, size_t capacity);

#ifdef __cplusplus
}
#endif
