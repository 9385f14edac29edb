/* A fixed set of worker threads for slow work (bcrypt), so the HTTP polling
 * threads never block on it. */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

struct pool;

struct pool *pool_new(unsigned threads);
/* Queues fn(arg). Returns 0, or -1 when the pool is stopping or out of memory. */
int pool_submit(struct pool *p, void (*fn)(void *), void *arg);
/* Runs every queued job, then joins and frees the threads. */
void pool_free(struct pool *p);

#endif
