// CStrataRPC: a small C face over the gRPC core surface API (grpc/grpc.h).
//
// Everything gRPC-specific -- slices, byte buffers, op arrays, metadata arrays, timespecs --
// stays behind these functions. Swift sees only opaque handles (one Swift owner each, whose
// deinit calls the matching *_destroy) and plain bytes it copies in and out.
//
// Model: every operation on a call is started as its own batch with a caller-chosen integer
// tag; its completion arrives on a completion queue, either polled by a thread
// (strata_cq_next) or waited for by the one caller that started it (strata_cq_pluck).
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct strata_cq strata_cq;
typedef struct strata_server strata_server;
typedef struct strata_channel strata_channel;
typedef struct strata_call strata_call;

/// Which client certificates a TLS server asks for (mutual TLS).
typedef enum strata_client_certificates {
  /// Not requested: any client may connect (server-only TLS).
  STRATA_CLIENT_CERTIFICATES_NONE = 0,
  /// Requested, and verified against pem_root_certs when presented; clients without one connect.
  STRATA_CLIENT_CERTIFICATES_OPTIONAL = 1,
  /// Required and verified against pem_root_certs: a client without one fails the handshake.
  STRATA_CLIENT_CERTIFICATES_REQUIRED = 2,
} strata_client_certificates;

/// Transport security; NULL (or enabled == 0) means insecure (plaintext HTTP/2), the default.
/// Strings are PEM (copied by the functions that take them).
/// - server: pem_private_key + pem_cert_chain (required); pem_root_certs verifies client
///   certificates as client_certificates says.
/// - client: pem_root_certs verifies the server (NULL: gRPC's default roots); pem_private_key +
///   pem_cert_chain, when set, are the client certificate (mutual TLS); target_name_override
///   replaces the host name checked against the server certificate (NULL: the target's host).
typedef struct strata_tls {
  const char *pem_root_certs;
  const char *pem_private_key;
  const char *pem_cert_chain;
  const char *target_name_override;
  int client_certificates;
  int enabled;
} strata_tls;

/// Message size limits in bytes; 0 keeps gRPC's default (4 MiB receive, unlimited send).
typedef struct strata_limits {
  int32_t max_receive_bytes;
  int32_t max_send_bytes;
} strata_limits;

// MARK: completion queues

typedef enum strata_event_type {
  STRATA_EVENT_TIMEOUT = 0,
  STRATA_EVENT_COMPLETE = 1,
  STRATA_EVENT_SHUTDOWN = 2,
} strata_event_type;

typedef struct strata_event {
  strata_event_type type;
  uintptr_t tag;
  int success;
} strata_event;

/// A queue polled by one thread with strata_cq_next.
strata_cq *strata_cq_create_next(void);
/// A queue whose completions are waited for by tag with strata_cq_pluck.
strata_cq *strata_cq_create_pluck(void);
/// Waits up to timeout_us (negative: forever) for the next completion.
strata_event strata_cq_next(strata_cq *cq, int64_t timeout_us);
/// Waits up to timeout_us (negative: forever) for the completion with this tag.
strata_event strata_cq_pluck(strata_cq *cq, uintptr_t tag, int64_t timeout_us);
/// Starts shutting the queue down; strata_cq_next returns SHUTDOWN once it is drained.
void strata_cq_shutdown(strata_cq *cq);
/// Drains (if not yet drained) and frees the queue. Call after strata_cq_shutdown.
void strata_cq_destroy(strata_cq *cq);

// MARK: server

strata_server *strata_server_create(strata_limits limits);
/// Registers a queue that will receive new calls. Before strata_server_start.
void strata_server_register_cq(strata_server *server, strata_cq *cq);
/// Binds host:port ("127.0.0.1:0" picks a free port). Returns the bound port, 0 on failure.
/// With TLS, the server takes its certificates from a store it owns, which
/// strata_server_update_tls replaces while the server runs.
int strata_server_add_port(strata_server *server, const char *address, const strata_tls *tls);
/// Replaces the TLS key, certificate chain and client roots served to connections accepted
/// from now on (established connections keep theirs): certificate rotation without a
/// restart. Returns 0, or -1 when the server has no TLS port. Check the key pair first
/// (CStrataCrypto): gRPC keeps serving the old one, silently, if the new one is unusable.
int strata_server_update_tls(strata_server *server, const strata_tls *tls);
void strata_server_start(strata_server *server);
/// Asks for the next incoming call on cq. The returned call handle becomes usable when the
/// tag completes successfully; destroy it in any case. Returns NULL if the request failed.
strata_call *strata_server_request_call(strata_server *server, strata_cq *cq, uintptr_t tag);
/// Stops accepting calls; tag completes on cq when every call has finished.
void strata_server_shutdown(strata_server *server, strata_cq *cq, uintptr_t tag);
/// Cancels every call still running (the end of a graceful shutdown's grace period).
void strata_server_cancel_all_calls(strata_server *server);
void strata_server_destroy(strata_server *server);

// MARK: channels

/// A client channel to target ("host:port"). Connects lazily.
strata_channel *strata_channel_create(const char *target, strata_limits limits, const strata_tls *tls);
void strata_channel_destroy(strata_channel *channel);
/// The connectivity state (grpc_connectivity_state as an int); try_to_connect starts a connection.
int strata_channel_state(strata_channel *channel, int try_to_connect);

/// Creates a client call of method ("/package.Service/Method") whose ops complete on cq.
/// timeout_us < 0 means no deadline. Returns NULL if the call could not be created.
strata_call *strata_channel_create_call(strata_channel *channel, strata_cq *cq, const char *method, int64_t timeout_us);

// MARK: calls (client and server)

/// Adds a metadata pair sent with the initial metadata (client) before it is sent.
/// Keys must be lowercase ASCII; returns 0 on success, -1 if initial metadata is already sent.
int strata_call_add_metadata(strata_call *call, const char *key, const char *value, size_t value_length);
/// Server: adds a metadata pair sent with the status (gRPC trailing metadata), before
/// send_status_from_server. Keys must be lowercase ASCII; returns 0, or -1 once the status is sent.
int strata_call_add_trailing_metadata(strata_call *call, const char *key, const char *value, size_t value_length);

/// Each op below starts one batch and returns 0 (GRPC_CALL_OK) or a grpc_call_error.
/// Only one op of each kind may be outstanding per call.
int strata_call_send_initial_metadata(strata_call *call, uintptr_t tag);
int strata_call_recv_initial_metadata(strata_call *call, uintptr_t tag);
/// Copies the bytes; sends the initial metadata first if it has not been sent.
int strata_call_send_message(strata_call *call, const void *bytes, size_t length, uintptr_t tag);
int strata_call_send_close_from_client(strata_call *call, uintptr_t tag);
int strata_call_recv_message(strata_call *call, uintptr_t tag);
int strata_call_recv_status_on_client(strata_call *call, uintptr_t tag);
/// Server: a last message when has_message is non-zero (it may be empty), then the status,
/// in one batch.
int strata_call_send_status_from_server(strata_call *call, int has_message, const void *bytes, size_t length, int code,
                                        const char *details, uintptr_t tag);
int strata_call_recv_close_on_server(strata_call *call, uintptr_t tag);
/// Client: the whole unary exchange as one batch (send metadata, message, close; receive
/// metadata, message, status).
int strata_call_start_unary(strata_call *call, const void *bytes, size_t length, uintptr_t tag);
/// Client: the request of a server-streaming call as one batch (send metadata, message,
/// close); the responses and the status are received by their own ops.
int strata_call_start_server_streaming(strata_call *call, const void *bytes, size_t length, uintptr_t tag);

/// After recv_message completed: the received message's length, or -1 at end of stream.
int64_t strata_call_received_length(strata_call *call);
/// Copies the received message (strata_call_received_length bytes) into dst and releases it.
void strata_call_take_received(strata_call *call, void *dst);

/// After recv_status_on_client completed.
int strata_call_status_code(strata_call *call);
/// Copies at most capacity-1 bytes of the status details and a NUL into dst; returns the full length.
size_t strata_call_status_details(strata_call *call, char *dst, size_t capacity);

/// After recv_close_on_server completed: 1 if the call was cancelled (client gone, deadline).
int strata_call_was_cancelled(strata_call *call);

/// Server calls: the method path and host, NUL-terminated copies owned by the call.
const char *strata_call_method(strata_call *call);
/// Microseconds left until the call's deadline; INT64_MAX when it has none.
int64_t strata_call_deadline_remaining_us(strata_call *call);
/// Received metadata (server: request metadata; client: initial metadata once received).
size_t strata_call_metadata_count(strata_call *call);
/// Copies key i and value i; returns their lengths (key is ASCII, value may be binary).
const char *strata_call_metadata_key(strata_call *call, size_t index, size_t *length);
const char *strata_call_metadata_value(strata_call *call, size_t index, size_t *length);
/// Client: trailing metadata received with the status (after recv_status_on_client or the
/// unary batch completed); pointers stay valid until the call is destroyed.
size_t strata_call_trailing_metadata_count(strata_call *call);
const char *strata_call_trailing_metadata_key(strata_call *call, size_t index, size_t *length);
const char *strata_call_trailing_metadata_value(strata_call *call, size_t index, size_t *length);

/// Server calls: the peer as the transport authenticated it (gRPC's auth context), copied into
/// the call on first use. Properties come in gRPC's names: "transport_security_type" ("ssl"
/// or "insecure"), "security_level", "x509_common_name", "x509_subject_alternative_name"
/// (one per SAN), "x509_subject", "peer_dns", "x509_pem_cert", ...
size_t strata_call_auth_property_count(strata_call *call);
const char *strata_call_auth_property_name(strata_call *call, size_t index);
/// The value (NUL-terminated copy; length excludes the NUL).
const char *strata_call_auth_property_value(strata_call *call, size_t index, size_t *length);
/// 1 when the peer presented a certificate the server verified (gRPC's
/// grpc_auth_context_peer_is_authenticated), else 0.
int strata_call_peer_is_authenticated(strata_call *call);
/// The name of the property that holds the peer's identity ("x509_subject_alternative_name"
/// when the certificate has SANs, else "x509_common_name"); NULL when unauthenticated.
const char *strata_call_peer_identity_property(strata_call *call);
/// The peer's address as gRPC names it ("ipv4:127.0.0.1:50312"); a copy owned by the call.
const char *strata_call_peer_address(strata_call *call);

/// Cancels the call (both sides observe CANCELLED).
void strata_call_cancel(strata_call *call);
/// Frees the call. Only once no op is outstanding.
void strata_call_destroy(strata_call *call);

/// gRPC core's version string.
const char *strata_grpc_version(void);

#ifdef __cplusplus
}
#endif
