#include "metrics.h"

#include "router.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SLOTS = 40, EXTRA_SLOTS = 3 };

static const unsigned statuses[] = {200, 201, 204, 304, 400, 401, 403, 404,
                                    405, 409, 413, 415, 429, 500, 503};
enum { STATUS_COUNT = sizeof statuses / sizeof statuses[0] + 1 }; /* + "other" */

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
enum { BUCKET_COUNT = sizeof buckets / sizeof buckets[0] };

struct slot_metrics {
    atomic_uint_fast64_t by_status[STATUS_COUNT];
    atomic_uint_fast64_t by_bucket[BUCKET_COUNT]; /* non-cumulative; summed when rendered */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_us;
};

static struct slot_metrics slots[MAX_SLOTS];
static atomic_uint_fast64_t db_errors;
static atomic_int queue_depth;
static atomic_uint_fast64_t preload_queries, preload_requests;
static atomic_int inflight;

static size_t status_index(unsigned status)
{
    for (size_t i = 0; i < STATUS_COUNT - 1; i++) {
        if (statuses[i] == status) {
            return i;
        }
    }
    return STATUS_COUNT - 1;
}

void metrics_observe(size_t slot, unsigned status, double seconds)
{
    if (slot >= MAX_SLOTS) {
        return;
    }
    struct slot_metrics *m = &slots[slot];
    atomic_fetch_add_explicit(&m->by_status[status_index(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < BUCKET_COUNT && seconds > buckets[b]) {
        b++;
    }
    if (b < BUCKET_COUNT) {
        atomic_fetch_add_explicit(&m->by_bucket[b], 1, memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_db_error(void)
{
    atomic_fetch_add_explicit(&db_errors, 1, memory_order_relaxed);
}

void metrics_queue_add(int delta)
{
    atomic_fetch_add(&queue_depth, delta);
}

void metrics_inflight_add(int delta)
{
    atomic_fetch_add(&inflight, delta);
}

void metrics_preload_batch(size_t requests)
{
    atomic_fetch_add_explicit(&preload_queries, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&preload_requests, requests, memory_order_relaxed);
}

static void slot_labels(size_t slot, const char **route, const char **method)
{
    size_t nroutes = router_count();
    if (slot < nroutes) {
        *route = router_at(slot)->pattern;
        *method = router_at(slot)->method;
        return;
    }
    static const char *const names[] = {"static", "unmatched", "preflight"};
    static const char *const methods[] = {"GET", "ANY", "OPTIONS"};
    *route = names[slot - nroutes];
    *method = methods[slot - nroutes];
}

struct buf {
    char *data;
    size_t len, cap;
    int failed;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b, const char *fmt, ...)
{
    if (b->failed) {
        return;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
}

static void render_requests(struct buf *b, size_t nslots)
{
    put(b, "# HELP users_api_http_requests_total HTTP requests by route, method and status.\n"
           "# TYPE users_api_http_requests_total counter\n");
    for (size_t s = 0; s < nslots; s++) {
        const char *route, *method;
        slot_labels(s, &route, &method);
        for (size_t i = 0; i < STATUS_COUNT; i++) {
            uint_fast64_t n = atomic_load_explicit(&slots[s].by_status[i], memory_order_relaxed);
            if (n == 0) {
                continue;
            }
            char status[8];
            snprintf(status, sizeof status, "%u", i < STATUS_COUNT - 1 ? statuses[i] : 0);
            put(b, "users_api_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %llu\n",
                route, method, i < STATUS_COUNT - 1 ? status : "other", (unsigned long long)n);
        }
    }
}

static void render_latency(struct buf *b, size_t nslots)
{
    put(b, "# HELP users_api_http_request_duration_seconds Time from request to response.\n"
           "# TYPE users_api_http_request_duration_seconds histogram\n");
    for (size_t s = 0; s < nslots; s++) {
        uint_fast64_t count = atomic_load_explicit(&slots[s].count, memory_order_relaxed);
        if (count == 0) {
            continue;
        }
        const char *route, *method;
        slot_labels(s, &route, &method);
        uint_fast64_t cumulative = 0;
        for (size_t i = 0; i < BUCKET_COUNT; i++) {
            cumulative += atomic_load_explicit(&slots[s].by_bucket[i], memory_order_relaxed);
            put(b,
                "users_api_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
                "le=\"%g\"} %llu\n",
                route, method, buckets[i], (unsigned long long)cumulative);
        }
        put(b,
            "users_api_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
            "le=\"+Inf\"} %llu\n",
            route, method, (unsigned long long)count);
        put(b, "users_api_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
            route, method,
            (double)atomic_load_explicit(&slots[s].sum_us, memory_order_relaxed) / 1e6);
        put(b, "users_api_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
            route, method, (unsigned long long)count);
    }
}

char *metrics_render(size_t *len)
{
    struct buf b = {malloc(16384), 0, 16384, 0};
    if (b.data == NULL) {
        return NULL;
    }
    size_t nslots = router_count() + EXTRA_SLOTS;
    if (nslots > MAX_SLOTS) {
        nslots = MAX_SLOTS;
    }
    render_requests(&b, nslots);
    render_latency(&b, nslots);
    put(&b,
        "# HELP users_api_bcrypt_queue_depth Password hashing jobs waiting for a worker.\n"
        "# TYPE users_api_bcrypt_queue_depth gauge\n"
        "users_api_bcrypt_queue_depth %d\n"
        "# HELP users_api_http_requests_in_flight Requests being handled now.\n"
        "# TYPE users_api_http_requests_in_flight gauge\n"
        "users_api_http_requests_in_flight %d\n"
        "# HELP users_api_db_errors_total Failed database calls.\n"
        "# TYPE users_api_db_errors_total counter\n"
        "users_api_db_errors_total %llu\n"
        "# HELP users_api_preload_queries_total Queries that read requests' users ahead.\n"
        "# TYPE users_api_preload_queries_total counter\n"
        "users_api_preload_queries_total %llu\n"
        "# HELP users_api_preload_requests_total Requests whose users were read ahead.\n"
        "# TYPE users_api_preload_requests_total counter\n"
        "users_api_preload_requests_total %llu\n",
        atomic_load(&queue_depth), atomic_load(&inflight),
        (unsigned long long)atomic_load(&db_errors),
        (unsigned long long)atomic_load(&preload_queries),
        (unsigned long long)atomic_load(&preload_requests));
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    *len = b.len;
    return b.data;
}
