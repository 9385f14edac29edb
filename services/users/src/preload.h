/* Reading a request's users ahead of its handler, off the polling threads.
 *
 * A token-checked read (GET /users/<id>, /auth/status) needs the
 * caller's row, and for /users/<id> the target's, before its handler can
 * answer. Waiting for PostgreSQL on a polling thread puts that thread to
 * sleep and wakes it again for every request, and on two cores those context
 * switches cost more than the rest of the request; one query per request
 * also costs PostgreSQL a whole round trip each. Instead server.c suspends
 * the connection and queues the lookup here. A loader thread takes everything
 * queued, reads it with one query (store_user_get_many) on its own
 * connection, and hands each request its rows (the done callback resumes the
 * connection); the handler then runs on the polling thread with the rows in
 * hand. Nothing waits for a batch to fill: an idle server reads one request's
 * rows at once, a busy one gathers what arrived while the last query ran.
 *
 * The query starts after the request arrived, so the rows are as fresh as
 * if the handler had read them itself. */
#ifndef PRELOAD_H
#define PRELOAD_H

#include "store/store.h"

enum { PRELOAD_IDS_MAX = 2 };

struct preload {
    /* in */
    int64_t ids[PRELOAD_IDS_MAX]; /* ids[0]: the verified token's subject */
    size_t nids;
    void (*done)(struct preload *p); /* called on a loader thread */
    void *arg;                       /* for done */
    /* out */
    store_status status;
    struct store_user users[PRELOAD_IDS_MAX];
    bool found[PRELOAD_IDS_MAX];
    struct preload *next; /* private: the queue */
};

struct preloader;

/* threads >= 1 loader threads, each with its own database connection. */
struct preloader *preloader_new(unsigned threads);
/* Queues p; p->done(p) runs once its rows (or a failure status) are in.
 * Returns -1 when the preloader is stopping. */
int preloader_submit(struct preloader *l, struct preload *p);
/* Refuses new lookups, answers everything queued, joins the threads; the
 * preloader stays valid (late submissions are refused). */
void preloader_stop(struct preloader *l);
/* preloader_stop() if not done yet, then frees it. */
void preloader_free(struct preloader *l);

#endif
