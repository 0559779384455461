// CStrataRPC implementation. See include/CStrataRPC.h for the model.
#include "CStrataRPC.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// The certificates a TLS server serves, replaceable while it runs. gRPC asks for them
// through a certificate-config fetcher at every new connection's handshake; the fetcher
// hands over a new config only when the generation moved since the last one it handed over.
typedef struct tls_store {
  pthread_mutex_t lock;
  char *pem_root_certs;
  char *pem_private_key;
  char *pem_cert_chain;
  uint64_t generation;
  uint64_t served_generation;
} tls_store;

struct strata_cq {
  grpc_completion_queue *cq;
  int is_pluck;
  int shut_down;
  int drained;
};

struct strata_server {
  grpc_server *server;
  // Owned here, freed after grpc_server_destroy: gRPC's credentials keep a bare pointer to it
  // and take no destructor for it.
  tls_store *tls;
  grpc_ssl_client_certificate_request_type client_request;
};

struct strata_channel {
  grpc_channel *channel;
};

// Metadata pairs to send, with owned slices.
typedef struct {
  grpc_metadata *items;
  size_t count;
  size_t capacity;
} metadata_list;

static int metadata_list_add(metadata_list *list, const char *key, const char *value, size_t value_length) {
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? list->capacity * 2 : 4;
    grpc_metadata *grown = realloc(list->items, capacity * sizeof(grpc_metadata));
    if (!grown) return -1;
    list->items = grown;
    list->capacity = capacity;
  }
  grpc_metadata *m = &list->items[list->count++];
  memset(m, 0, sizeof(*m));
  m->key = grpc_slice_from_copied_string(key);
  m->value = grpc_slice_from_copied_buffer(value, value_length);
  return 0;
}

static void metadata_list_destroy(metadata_list *list) {
  for (size_t i = 0; i < list->count; i++) {
    grpc_slice_unref(list->items[i].key);
    grpc_slice_unref(list->items[i].value);
  }
  free(list->items);
}

struct strata_call {
  grpc_call *call;
  int is_server;
  int initial_metadata_sent;
  int initial_metadata_requested;

  // Server: what request_call filled in.
  grpc_call_details details;
  char *method;

  // Received metadata (server: request; client: initial) and client trailing metadata.
  grpc_metadata_array received_metadata;
  grpc_metadata_array trailing_metadata;

  // Outgoing initial metadata, and (server) the trailing metadata sent with the status.
  metadata_list send_initial;
  metadata_list send_trailing;
  int status_sent;

  // Op storage that must outlive each batch.
  grpc_byte_buffer *send_buffer;
  grpc_byte_buffer *recv_buffer;
  grpc_status_code status;
  grpc_slice status_details;
  grpc_slice send_status_details;
  int cancelled;

  // Server: the peer's auth context, copied on first use.
  int auth_loaded;
  size_t auth_count;
  char **auth_names;
  char **auth_values;
  size_t *auth_lengths;
  int peer_authenticated;
  char *peer_identity_property;
  char *peer_address;
};

// MARK: helpers

static gpr_timespec deadline_after_us(int64_t timeout_us) {
  if (timeout_us < 0) return gpr_inf_future(GPR_CLOCK_REALTIME);
  return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_micros(timeout_us, GPR_TIMESPAN));
}

static grpc_channel_args *make_args(strata_limits limits, grpc_arg *storage, grpc_channel_args *args) {
  size_t n = 0;  // storage holds at least 3 (two limits and one caller's extra)
  if (limits.max_receive_bytes != 0) {
    storage[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
                              .key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                              .value.integer = limits.max_receive_bytes};
  }
  if (limits.max_send_bytes != 0) {
    storage[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
                              .key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
                              .value.integer = limits.max_send_bytes};
  }
  args->num_args = n;
  args->args = storage;
  return n ? args : NULL;
}

static strata_call *call_alloc(void) {
  strata_call *c = calloc(1, sizeof(strata_call));
  if (!c) return NULL;
  grpc_metadata_array_init(&c->received_metadata);
  grpc_metadata_array_init(&c->trailing_metadata);
  grpc_call_details_init(&c->details);
  c->status_details = grpc_empty_slice();
  c->send_status_details = grpc_empty_slice();
  return c;
}

static int start_batch(strata_call *c, grpc_op *ops, size_t n, uintptr_t tag) {
  return (int)grpc_call_start_batch(c->call, ops, n, (void *)tag, NULL);
}

// Adds SEND_INITIAL_METADATA to ops if it has not been sent; returns the ops used.
static size_t add_initial_metadata_if_needed(strata_call *c, grpc_op *op) {
  if (c->initial_metadata_sent) return 0;
  memset(op, 0, sizeof(*op));
  op->op = GRPC_OP_SEND_INITIAL_METADATA;
  op->data.send_initial_metadata.count = c->send_initial.count;
  op->data.send_initial_metadata.metadata = c->send_initial.items;
  c->initial_metadata_sent = 1;
  return 1;
}

static void release_send_buffer(strata_call *c) {
  if (c->send_buffer) {
    grpc_byte_buffer_destroy(c->send_buffer);
    c->send_buffer = NULL;
  }
}

static void release_recv_buffer(strata_call *c) {
  if (c->recv_buffer) {
    grpc_byte_buffer_destroy(c->recv_buffer);
    c->recv_buffer = NULL;
  }
}

static grpc_byte_buffer *buffer_from_bytes(const void *bytes, size_t length) {
  grpc_slice slice = length ? grpc_slice_from_copied_buffer((const char *)bytes, length) : grpc_empty_slice();
  grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
  grpc_slice_unref(slice);  // the buffer holds its own reference
  return buffer;
}

// MARK: completion queues

static strata_cq *cq_wrap(grpc_completion_queue *cq) {
  strata_cq *q = calloc(1, sizeof(strata_cq));
  q->cq = cq;
  return q;
}

strata_cq *strata_cq_create_next(void) {
  grpc_init();
  return cq_wrap(grpc_completion_queue_create_for_next(NULL));
}

strata_cq *strata_cq_create_pluck(void) {
  grpc_init();
  strata_cq *q = cq_wrap(grpc_completion_queue_create_for_pluck(NULL));
  q->is_pluck = 1;
  return q;
}

static strata_event event_from(grpc_event e) {
  strata_event out = {STRATA_EVENT_TIMEOUT, 0, 0};
  switch (e.type) {
    case GRPC_OP_COMPLETE:
      out.type = STRATA_EVENT_COMPLETE;
      out.tag = (uintptr_t)e.tag;
      out.success = e.success;
      break;
    case GRPC_QUEUE_SHUTDOWN:
      out.type = STRATA_EVENT_SHUTDOWN;
      break;
    case GRPC_QUEUE_TIMEOUT:
      break;
  }
  return out;
}

strata_event strata_cq_next(strata_cq *q, int64_t timeout_us) {
  strata_event e = event_from(grpc_completion_queue_next(q->cq, deadline_after_us(timeout_us), NULL));
  if (e.type == STRATA_EVENT_SHUTDOWN) q->drained = 1;
  return e;
}

strata_event strata_cq_pluck(strata_cq *q, uintptr_t tag, int64_t timeout_us) {
  return event_from(grpc_completion_queue_pluck(q->cq, (void *)tag, deadline_after_us(timeout_us), NULL));
}

void strata_cq_shutdown(strata_cq *q) {
  if (q->shut_down) return;
  q->shut_down = 1;
  grpc_completion_queue_shutdown(q->cq);
}

void strata_cq_destroy(strata_cq *q) {
  strata_cq_shutdown(q);
  if (!q->drained && !q->is_pluck) {
    // A next queue nobody drained: drain it so destroy is legal. (A pluck queue has no
    // pending events once every op started on it was plucked.)
    for (;;) {
      grpc_event e = grpc_completion_queue_next(q->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
      if (e.type == GRPC_QUEUE_SHUTDOWN) break;
    }
  }
  grpc_completion_queue_destroy(q->cq);
  free(q);
  grpc_shutdown();
}

// MARK: server

strata_server *strata_server_create(strata_limits limits) {
  grpc_init();
  grpc_arg storage[3];
  grpc_channel_args args;
  make_args(limits, storage, &args);
  // gRPC sets SO_REUSEPORT by default, so a second server would silently share a port that is
  // already in use. A node must fail to start instead.
  storage[args.num_args++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = (char *)GRPC_ARG_ALLOW_REUSEPORT, .value.integer = 0};
  strata_server *s = calloc(1, sizeof(strata_server));
  s->server = grpc_server_create(&args, NULL);
  return s;
}

void strata_server_register_cq(strata_server *s, strata_cq *q) {
  grpc_server_register_completion_queue(s->server, q->cq, NULL);
}

// MARK: TLS store

static char *dup_or_null(const char *text) { return text ? strdup(text) : NULL; }

static void tls_store_set(tls_store *store, const strata_tls *tls) {
  pthread_mutex_lock(&store->lock);
  free(store->pem_root_certs);
  free(store->pem_private_key);
  free(store->pem_cert_chain);
  store->pem_root_certs = dup_or_null(tls->pem_root_certs);
  store->pem_private_key = dup_or_null(tls->pem_private_key);
  store->pem_cert_chain = dup_or_null(tls->pem_cert_chain);
  store->generation++;
  pthread_mutex_unlock(&store->lock);
}

static tls_store *tls_store_create(const strata_tls *tls) {
  tls_store *store = calloc(1, sizeof(tls_store));
  pthread_mutex_init(&store->lock, NULL);
  tls_store_set(store, tls);
  return store;
}

static void tls_store_destroy(tls_store *store) {
  if (!store) return;
  free(store->pem_root_certs);
  free(store->pem_private_key);
  free(store->pem_cert_chain);
  pthread_mutex_destroy(&store->lock);
  free(store);
}

// Called by gRPC (any of its threads) at server start and at every new handshake.
static grpc_ssl_certificate_config_reload_status tls_store_fetch(void *user_data,
                                                                 grpc_ssl_server_certificate_config **config) {
  tls_store *store = user_data;
  grpc_ssl_certificate_config_reload_status status = GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
  pthread_mutex_lock(&store->lock);
  if (store->served_generation != store->generation) {
    grpc_ssl_pem_key_cert_pair pair = {store->pem_private_key, store->pem_cert_chain};
    // gRPC 1.51 asserts that a fetched config has root certificates, even when it asks for no
    // client certificate (and so never uses them): hand it the server's own chain then.
    const char *roots = store->pem_root_certs ? store->pem_root_certs : store->pem_cert_chain;
    *config = grpc_ssl_server_certificate_config_create(roots, &pair, 1);
    status = *config ? GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW : GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_FAIL;
    store->served_generation = store->generation;
  }
  pthread_mutex_unlock(&store->lock);
  return status;
}

static grpc_ssl_client_certificate_request_type client_request_type(const strata_tls *tls) {
  if (!tls->pem_root_certs) return GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  switch (tls->client_certificates) {
    case STRATA_CLIENT_CERTIFICATES_OPTIONAL:
      return GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    case STRATA_CLIENT_CERTIFICATES_REQUIRED:
      return GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    default:
      return GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  }
}

int strata_server_add_port(strata_server *s, const char *address, const strata_tls *tls) {
  grpc_server_credentials *creds;
  if (tls && tls->enabled) {
    if (!s->tls) {
      s->tls = tls_store_create(tls);
      s->client_request = client_request_type(tls);
    }
    grpc_ssl_server_credentials_options *options =
        grpc_ssl_server_credentials_create_options_using_config_fetcher(s->client_request, tls_store_fetch, s->tls);
    creds = grpc_ssl_server_credentials_create_with_options(options);
  } else {
    creds = grpc_insecure_server_credentials_create();
  }
  int port = creds ? grpc_server_add_http2_port(s->server, address, creds) : 0;
  if (creds) grpc_server_credentials_release(creds);
  return port;
}

int strata_server_update_tls(strata_server *s, const strata_tls *tls) {
  if (!s->tls || !tls || !tls->enabled) return -1;
  tls_store_set(s->tls, tls);
  return 0;
}

void strata_server_start(strata_server *s) { grpc_server_start(s->server); }

strata_call *strata_server_request_call(strata_server *s, strata_cq *q, uintptr_t tag) {
  strata_call *c = call_alloc();
  if (!c) return NULL;
  c->is_server = 1;
  grpc_call_error err = grpc_server_request_call(s->server, &c->call, &c->details, &c->received_metadata,
                                                 q->cq, q->cq, (void *)tag);
  if (err != GRPC_CALL_OK) {
    strata_call_destroy(c);
    return NULL;
  }
  return c;
}

void strata_server_shutdown(strata_server *s, strata_cq *q, uintptr_t tag) {
  grpc_server_shutdown_and_notify(s->server, q->cq, (void *)tag);
}

void strata_server_cancel_all_calls(strata_server *s) { grpc_server_cancel_all_calls(s->server); }

void strata_server_destroy(strata_server *s) {
  grpc_server_destroy(s->server);
  tls_store_destroy(s->tls);
  free(s);
  grpc_shutdown();
}

// MARK: channels

strata_channel *strata_channel_create(const char *target, strata_limits limits, const strata_tls *tls) {
  grpc_init();
  grpc_arg storage[3];
  grpc_channel_args args;
  make_args(limits, storage, &args);
  grpc_channel_credentials *creds;
  if (tls && tls->enabled) {
    grpc_ssl_pem_key_cert_pair pair = {tls->pem_private_key, tls->pem_cert_chain};
    int has_pair = tls->pem_private_key && tls->pem_cert_chain;
    creds = grpc_ssl_credentials_create_ex(tls->pem_root_certs, has_pair ? &pair : NULL, NULL, NULL);
    if (tls->target_name_override) {
      storage[args.num_args++] = (grpc_arg){.type = GRPC_ARG_STRING,
                                            .key = (char *)GRPC_SSL_TARGET_NAME_OVERRIDE_ARG,
                                            .value.string = (char *)tls->target_name_override};
    }
  } else {
    creds = grpc_insecure_credentials_create();
  }
  strata_channel *ch = calloc(1, sizeof(strata_channel));
  ch->channel = grpc_channel_create(target, creds, args.num_args ? &args : NULL);
  grpc_channel_credentials_release(creds);
  return ch;
}

void strata_channel_destroy(strata_channel *ch) {
  grpc_channel_destroy(ch->channel);
  free(ch);
  grpc_shutdown();
}

int strata_channel_state(strata_channel *ch, int try_to_connect) {
  return (int)grpc_channel_check_connectivity_state(ch->channel, try_to_connect);
}

strata_call *strata_channel_create_call(strata_channel *ch, strata_cq *q, const char *method, int64_t timeout_us) {
  strata_call *c = call_alloc();
  if (!c) return NULL;
  grpc_slice method_slice = grpc_slice_from_copied_string(method);
  c->call = grpc_channel_create_call(ch->channel, NULL, GRPC_PROPAGATE_DEFAULTS, q->cq, method_slice, NULL,
                                     deadline_after_us(timeout_us), NULL);
  grpc_slice_unref(method_slice);
  if (!c->call) {
    strata_call_destroy(c);
    return NULL;
  }
  return c;
}

// MARK: calls

int strata_call_add_metadata(strata_call *c, const char *key, const char *value, size_t value_length) {
  if (c->initial_metadata_sent) return -1;
  return metadata_list_add(&c->send_initial, key, value, value_length);
}

int strata_call_add_trailing_metadata(strata_call *c, const char *key, const char *value, size_t value_length) {
  if (c->status_sent) return -1;
  return metadata_list_add(&c->send_trailing, key, value, value_length);
}

int strata_call_send_initial_metadata(strata_call *c, uintptr_t tag) {
  grpc_op op;
  size_t n = add_initial_metadata_if_needed(c, &op);
  if (n == 0) return GRPC_CALL_ERROR_TOO_MANY_OPERATIONS;
  return start_batch(c, &op, 1, tag);
}

int strata_call_recv_initial_metadata(strata_call *c, uintptr_t tag) {
  c->initial_metadata_requested = 1;
  grpc_op op;
  memset(&op, 0, sizeof(op));
  op.op = GRPC_OP_RECV_INITIAL_METADATA;
  op.data.recv_initial_metadata.recv_initial_metadata = &c->received_metadata;
  return start_batch(c, &op, 1, tag);
}

int strata_call_send_message(strata_call *c, const void *bytes, size_t length, uintptr_t tag) {
  grpc_op ops[2];
  size_t n = add_initial_metadata_if_needed(c, &ops[0]);
  release_send_buffer(c);  // the previous send has completed: one send is outstanding at a time
  c->send_buffer = buffer_from_bytes(bytes, length);
  memset(&ops[n], 0, sizeof(grpc_op));
  ops[n].op = GRPC_OP_SEND_MESSAGE;
  ops[n].data.send_message.send_message = c->send_buffer;
  return start_batch(c, ops, n + 1, tag);
}

int strata_call_send_close_from_client(strata_call *c, uintptr_t tag) {
  grpc_op ops[2];
  size_t n = add_initial_metadata_if_needed(c, &ops[0]);
  memset(&ops[n], 0, sizeof(grpc_op));
  ops[n].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  return start_batch(c, ops, n + 1, tag);
}

int strata_call_recv_message(strata_call *c, uintptr_t tag) {
  release_recv_buffer(c);
  grpc_op op;
  memset(&op, 0, sizeof(op));
  op.op = GRPC_OP_RECV_MESSAGE;
  op.data.recv_message.recv_message = &c->recv_buffer;
  return start_batch(c, &op, 1, tag);
}

int strata_call_recv_status_on_client(strata_call *c, uintptr_t tag) {
  // gRPC core holds received messages back until the call has asked for the initial
  // metadata. A streaming caller rarely cares about it, so ask for it here, in the batch that
  // completes last anyway.
  grpc_op ops[2];
  size_t n = 0;
  memset(ops, 0, sizeof(ops));
  if (!c->initial_metadata_requested) {
    c->initial_metadata_requested = 1;
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n++].data.recv_initial_metadata.recv_initial_metadata = &c->received_metadata;
  }
  ops[n].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[n].data.recv_status_on_client.trailing_metadata = &c->trailing_metadata;
  ops[n].data.recv_status_on_client.status = &c->status;
  ops[n++].data.recv_status_on_client.status_details = &c->status_details;
  return start_batch(c, ops, n, tag);
}

int strata_call_send_status_from_server(strata_call *c, int has_message, const void *bytes, size_t length, int code,
                                        const char *details, uintptr_t tag) {
  grpc_op ops[3];
  size_t n = add_initial_metadata_if_needed(c, &ops[0]);
  if (has_message) {
    release_send_buffer(c);
    c->send_buffer = buffer_from_bytes(bytes, length);
    memset(&ops[n], 0, sizeof(grpc_op));
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n].data.send_message.send_message = c->send_buffer;
    n++;
  }
  grpc_slice_unref(c->send_status_details);
  c->send_status_details = grpc_slice_from_copied_string(details ? details : "");
  memset(&ops[n], 0, sizeof(grpc_op));
  ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n].data.send_status_from_server.status = (grpc_status_code)code;
  ops[n].data.send_status_from_server.status_details = &c->send_status_details;
  ops[n].data.send_status_from_server.trailing_metadata_count = c->send_trailing.count;
  ops[n].data.send_status_from_server.trailing_metadata = c->send_trailing.items;
  c->status_sent = 1;
  return start_batch(c, ops, n + 1, tag);
}

int strata_call_recv_close_on_server(strata_call *c, uintptr_t tag) {
  grpc_op op;
  memset(&op, 0, sizeof(op));
  op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  op.data.recv_close_on_server.cancelled = &c->cancelled;
  return start_batch(c, &op, 1, tag);
}

int strata_call_start_unary(strata_call *c, const void *bytes, size_t length, uintptr_t tag) {
  grpc_op ops[6];
  size_t n = add_initial_metadata_if_needed(c, &ops[0]);
  release_send_buffer(c);
  release_recv_buffer(c);
  c->send_buffer = buffer_from_bytes(bytes, length);
  memset(&ops[n], 0, sizeof(grpc_op) * 5);
  ops[n].op = GRPC_OP_SEND_MESSAGE;
  ops[n++].data.send_message.send_message = c->send_buffer;
  ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  c->initial_metadata_requested = 1;
  ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[n++].data.recv_initial_metadata.recv_initial_metadata = &c->received_metadata;
  ops[n].op = GRPC_OP_RECV_MESSAGE;
  ops[n++].data.recv_message.recv_message = &c->recv_buffer;
  ops[n].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[n].data.recv_status_on_client.trailing_metadata = &c->trailing_metadata;
  ops[n].data.recv_status_on_client.status = &c->status;
  ops[n++].data.recv_status_on_client.status_details = &c->status_details;
  return start_batch(c, ops, n, tag);
}

int strata_call_start_server_streaming(strata_call *c, const void *bytes, size_t length, uintptr_t tag) {
  grpc_op ops[3];
  size_t n = add_initial_metadata_if_needed(c, &ops[0]);
  release_send_buffer(c);
  c->send_buffer = buffer_from_bytes(bytes, length);
  memset(&ops[n], 0, sizeof(grpc_op) * 2);
  ops[n].op = GRPC_OP_SEND_MESSAGE;
  ops[n++].data.send_message.send_message = c->send_buffer;
  ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  return start_batch(c, ops, n, tag);
}

int64_t strata_call_received_length(strata_call *c) {
  if (!c->recv_buffer) return -1;
  return (int64_t)grpc_byte_buffer_length(c->recv_buffer);
}

void strata_call_take_received(strata_call *c, void *dst) {
  if (!c->recv_buffer) return;
  grpc_byte_buffer_reader reader;
  if (grpc_byte_buffer_reader_init(&reader, c->recv_buffer)) {
    char *out = dst;
    grpc_slice slice;
    while (grpc_byte_buffer_reader_next(&reader, &slice)) {
      size_t len = GRPC_SLICE_LENGTH(slice);
      memcpy(out, GRPC_SLICE_START_PTR(slice), len);
      out += len;
      grpc_slice_unref(slice);
    }
    grpc_byte_buffer_reader_destroy(&reader);
  }
  release_recv_buffer(c);
}

int strata_call_status_code(strata_call *c) { return (int)c->status; }

size_t strata_call_status_details(strata_call *c, char *dst, size_t capacity) {
  size_t len = GRPC_SLICE_LENGTH(c->status_details);
  if (capacity > 0) {
    size_t n = len < capacity - 1 ? len : capacity - 1;
    memcpy(dst, GRPC_SLICE_START_PTR(c->status_details), n);
    dst[n] = 0;
  }
  return len;
}

int strata_call_was_cancelled(strata_call *c) { return c->cancelled; }

const char *strata_call_method(strata_call *c) {
  if (!c->method) {
    size_t len = GRPC_SLICE_LENGTH(c->details.method);
    c->method = malloc(len + 1);
    memcpy(c->method, GRPC_SLICE_START_PTR(c->details.method), len);
    c->method[len] = 0;
  }
  return c->method;
}

int64_t strata_call_deadline_remaining_us(strata_call *c) {
  gpr_timespec deadline = c->details.deadline;
  if (gpr_time_cmp(deadline, gpr_inf_future(deadline.clock_type)) == 0) return INT64_MAX;
  gpr_timespec left = gpr_time_sub(deadline, gpr_now(deadline.clock_type));
  return (int64_t)left.tv_sec * 1000000 + left.tv_nsec / 1000;
}

size_t strata_call_metadata_count(strata_call *c) { return c->received_metadata.count; }

const char *strata_call_metadata_key(strata_call *c, size_t i, size_t *length) {
  grpc_slice *s = &c->received_metadata.metadata[i].key;
  *length = GRPC_SLICE_LENGTH(*s);
  return (const char *)GRPC_SLICE_START_PTR(*s);
}

const char *strata_call_metadata_value(strata_call *c, size_t i, size_t *length) {
  grpc_slice *s = &c->received_metadata.metadata[i].value;
  *length = GRPC_SLICE_LENGTH(*s);
  return (const char *)GRPC_SLICE_START_PTR(*s);
}

size_t strata_call_trailing_metadata_count(strata_call *c) { return c->trailing_metadata.count; }

const char *strata_call_trailing_metadata_key(strata_call *c, size_t i, size_t *length) {
  grpc_slice *s = &c->trailing_metadata.metadata[i].key;
  *length = GRPC_SLICE_LENGTH(*s);
  return (const char *)GRPC_SLICE_START_PTR(*s);
}

const char *strata_call_trailing_metadata_value(strata_call *c, size_t i, size_t *length) {
  grpc_slice *s = &c->trailing_metadata.metadata[i].value;
  *length = GRPC_SLICE_LENGTH(*s);
  return (const char *)GRPC_SLICE_START_PTR(*s);
}

static void load_auth(strata_call *c) {
  if (c->auth_loaded) return;
  c->auth_loaded = 1;
  char *peer = c->call ? grpc_call_get_peer(c->call) : NULL;
  c->peer_address = strdup(peer ? peer : "");
  if (peer) gpr_free(peer);
  grpc_auth_context *context = c->call ? grpc_call_auth_context(c->call) : NULL;
  if (!context) return;
  c->peer_authenticated = grpc_auth_context_peer_is_authenticated(context);
  const char *identity = grpc_auth_context_peer_identity_property_name(context);
  c->peer_identity_property = identity ? strdup(identity) : NULL;
  size_t capacity = 0;
  grpc_auth_property_iterator it = grpc_auth_context_property_iterator(context);
  while (grpc_auth_property_iterator_next(&it)) capacity++;
  c->auth_names = calloc(capacity ? capacity : 1, sizeof(char *));
  c->auth_values = calloc(capacity ? capacity : 1, sizeof(char *));
  c->auth_lengths = calloc(capacity ? capacity : 1, sizeof(size_t));
  it = grpc_auth_context_property_iterator(context);
  const grpc_auth_property *property;
  while (c->auth_count < capacity && (property = grpc_auth_property_iterator_next(&it))) {
    size_t i = c->auth_count++;
    c->auth_names[i] = strdup(property->name ? property->name : "");
    c->auth_values[i] = malloc(property->value_length + 1);
    if (property->value_length) memcpy(c->auth_values[i], property->value, property->value_length);
    c->auth_values[i][property->value_length] = 0;
    c->auth_lengths[i] = property->value_length;
  }
  grpc_auth_context_release(context);
}

size_t strata_call_auth_property_count(strata_call *c) {
  load_auth(c);
  return c->auth_count;
}

const char *strata_call_auth_property_name(strata_call *c, size_t i) {
  load_auth(c);
  return i < c->auth_count ? c->auth_names[i] : NULL;
}

const char *strata_call_auth_property_value(strata_call *c, size_t i, size_t *length) {
  load_auth(c);
  if (i >= c->auth_count) {
    *length = 0;
    return NULL;
  }
  *length = c->auth_lengths[i];
  return c->auth_values[i];
}

int strata_call_peer_is_authenticated(strata_call *c) {
  load_auth(c);
  return c->peer_authenticated;
}

const char *strata_call_peer_identity_property(strata_call *c) {
  load_auth(c);
  return c->peer_identity_property;
}

const char *strata_call_peer_address(strata_call *c) {
  load_auth(c);
  return c->peer_address;
}

void strata_call_cancel(strata_call *c) {
  if (c->call) grpc_call_cancel(c->call, NULL);
}

void strata_call_destroy(strata_call *c) {
  if (!c) return;
  if (c->call) grpc_call_unref(c->call);
  release_send_buffer(c);
  release_recv_buffer(c);
  grpc_slice_unref(c->status_details);
  grpc_slice_unref(c->send_status_details);
  metadata_list_destroy(&c->send_initial);
  metadata_list_destroy(&c->send_trailing);
  grpc_metadata_array_destroy(&c->received_metadata);
  grpc_metadata_array_destroy(&c->trailing_metadata);
  grpc_call_details_destroy(&c->details);
  free(c->method);
  for (size_t i = 0; i < c->auth_count; i++) {
    free(c->auth_names[i]);
    free(c->auth_values[i]);
  }
  free(c->auth_names);
  free(c->auth_values);
  free(c->auth_lengths);
  free(c->peer_identity_property);
  free(c->peer_address);
  free(c);
}

const char *strata_grpc_version(void) { return grpc_version_string(); }
