// CStrataCrypto implementation over OpenSSL 3 (libcrypto). See include/CStrataCrypto.h.
#include "CStrataCrypto.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

void strata_sha256(const void *data, size_t length, uint8_t digest[32]) {
  SHA256((const unsigned char *)data, length, digest);
}

// Copies OpenSSL's first queued error (or `fallback`) into `error` and clears the queue, so a
// failure here never leaks into gRPC's own error reporting on this thread.
static void set_error(char *error, size_t capacity, const char *what, const char *fallback) {
  unsigned long code = ERR_peek_error();
  if (error && capacity > 0) {
    if (code) {
      char reason[256];
      ERR_error_string_n(code, reason, sizeof(reason));
      snprintf(error, capacity, "%s (%s)", what, reason);
    } else {
      snprintf(error, capacity, "%s%s%s", what, fallback ? ": " : "", fallback ? fallback : "");
    }
  }
  ERR_clear_error();
}

static BIO *bio_from(const char *pem) { return BIO_new_mem_buf(pem, -1); }

int strata_pem_certificate_count(const char *pem, char *error, size_t capacity) {
  BIO *bio = bio_from(pem);
  if (!bio) {
    set_error(error, capacity, "cannot read PEM", NULL);
    return -1;
  }
  int count = 0;
  for (;;) {
    X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (!cert) break;
    X509_free(cert);
    count++;
  }
  // The loop ends at the end of the input (PEM_R_NO_START_LINE) or at a block that is not a
  // certificate or does not parse: only the first is fine.
  unsigned long last = ERR_peek_last_error();
  int clean_end = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  BIO_free(bio);
  if (!clean_end) {
    set_error(error, capacity, "a PEM block is not a valid certificate", NULL);
    return -1;
  }
  ERR_clear_error();
  return count;
}

int strata_pem_check_key_pair(const char *certificate_chain, const char *private_key, char *error, size_t capacity) {
  int result = -1;
  BIO *cert_bio = bio_from(certificate_chain);
  BIO *key_bio = bio_from(private_key);
  X509 *cert = cert_bio ? PEM_read_bio_X509(cert_bio, NULL, NULL, NULL) : NULL;
  EVP_PKEY *key = key_bio ? PEM_read_bio_PrivateKey(key_bio, NULL, NULL, NULL) : NULL;
  if (!cert) {
    set_error(error, capacity, "the certificate chain holds no valid PEM certificate", NULL);
  } else if (!key) {
    set_error(error, capacity, "the private key is not a valid unencrypted PEM key", NULL);
  } else if (X509_check_private_key(cert, key) != 1) {
    set_error(error, capacity, "the private key does not belong to the first certificate of the chain", NULL);
  } else {
    ERR_clear_error();
    result = 0;
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  BIO_free(key_bio);
  BIO_free(cert_bio);
  return result;
}

int strata_pem_common_name(const char *pem, char *name, size_t capacity) {
  BIO *bio = bio_from(pem);
  X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  if (!cert) {
    ERR_clear_error();
    return -1;
  }
  int length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, NULL, 0);
  int result = 0;
  if (length > 0) {
    char buffer[1024];
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof(buffer));
    if (name && capacity > 0) snprintf(name, capacity, "%s", buffer);
    result = length;
  }
  X509_free(cert);
  ERR_clear_error();
  return result;
}
