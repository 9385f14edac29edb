/* A fixed set of worker threads for slow work (bcrypt), so the HTTP polling
 * threads never block on it. */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

struct pool;

struct pool *pool_new(unsigned threads);
/* Queues fn(arg). Returns 0, or -1 when the pool is stopping or out of memory. */
int pool_submit(struct pool *p, void (*fn)(void *), void *arg);
/* Refuses new jobs (pool_submit returns -1), runs every queued one, joins
 * the threads. The pool stays valid, so late submissions are refused rather
 * than touching freed memory. */
void pool_stop(struct pool *p);
/* pool_stop() if not done yet, then frees the pool. */
void pool_free(struct pool *p);

#endif
