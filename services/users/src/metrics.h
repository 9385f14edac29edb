/* Prometheus counters and histograms, lock-free (atomics), rendered on /metrics. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

/* Slots beyond the router's routes, for requests no route handled. */
enum metrics_extra_slot { METRICS_SLOT_STATIC = 0, METRICS_SLOT_UNMATCHED, METRICS_SLOT_PREFLIGHT };

/* slot: a router index, or router_count() + metrics_extra_slot. */
void metrics_observe(size_t slot, unsigned status, double seconds);
void metrics_db_error(void);
void metrics_queue_add(int delta);
void metrics_inflight_add(int delta);
/* One read-ahead query (preload.c) that answered `requests` requests. */
void metrics_preload_batch(size_t requests);

/* Returns malloc'd text in the Prometheus exposition format. */
char *metrics_render(size_t *len);

#endif
