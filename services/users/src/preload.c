#include "preload.h"

#include "app.h"
#include "metrics.h"

#include <pthread.h>
#include <stdlib.h>

/* A loader thread's buffers for a query's worth of ids (~60 KiB: not for the stack). */
struct batch {
    size_t nids; /* ids in use */
    struct preload *req[STORE_GET_MANY_MAX];
    int64_t ids[STORE_GET_MANY_MAX];
    struct store_user users[STORE_GET_MANY_MAX];
    bool found[STORE_GET_MANY_MAX];
};

struct loader {
    struct preloader *owner;
    pthread_t thread;
    struct batch batch;
};

struct preloader {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct preload *head, *tail;
    bool stopping;
    bool joined;
    unsigned nthreads;
    struct loader *threads;
};

/* Waits for work, then takes as much of the queue as one query holds.
 * Returns 0 once stopping with nothing left. */
static size_t take_queued(struct preloader *l, struct batch *b)
{
    size_t n = 0, ids = 0;
    pthread_mutex_lock(&l->lock);
    while (l->head == NULL && !l->stopping) {
        pthread_cond_wait(&l->ready, &l->lock);
    }
    while (l->head != NULL && ids + l->head->nids <= STORE_GET_MANY_MAX) {
        struct preload *p = l->head;
        l->head = p->next;
        for (size_t i = 0; i < p->nids; i++) {
            b->ids[ids++] = p->ids[i];
        }
        b->req[n++] = p;
    }
    if (l->head == NULL) {
        l->tail = NULL;
    }
    pthread_mutex_unlock(&l->lock);
    b->nids = ids;
    return n;
}

static void answer(struct batch *b, size_t n)
{
    struct store *s = app_store();
    store_status st =
        s != NULL ? store_user_get_many(s, b->ids, b->nids, b->users, b->found) : STORE_UNAVAILABLE;
    metrics_preload_batch(n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct preload *p = b->req[i];
        p->status = st;
        for (size_t j = 0; j < p->nids; j++, k++) {
            p->found[j] = st == STORE_OK && b->found[k];
            if (p->found[j]) {
                p->users[j] = b->users[k];
            }
        }
        p->done(p); /* p may be gone after this */
    }
}

static void *loader_run(void *arg)
{
    struct loader *t = arg;
    size_t n;
    while ((n = take_queued(t->owner, &t->batch)) > 0) {
        answer(&t->batch, n);
    }
    return NULL;
}

struct preloader *preloader_new(unsigned threads)
{
    struct preloader *l = calloc(1, sizeof *l);
    if (l == NULL) {
        return NULL;
    }
    l->threads = calloc(threads, sizeof *l->threads);
    if (l->threads == NULL) {
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->ready, NULL);
    for (unsigned i = 0; i < threads; i++) {
        l->threads[i].owner = l;
        if (pthread_create(&l->threads[i].thread, NULL, loader_run, &l->threads[i]) != 0) {
            break;
        }
        l->nthreads++;
    }
    if (l->nthreads == 0) {
        preloader_free(l);
        return NULL;
    }
    return l;
}

int preloader_submit(struct preloader *l, struct preload *p)
{
    pthread_mutex_lock(&l->lock);
    if (l->stopping) {
        pthread_mutex_unlock(&l->lock);
        return -1;
    }
    p->next = NULL;
    if (l->tail != NULL) {
        l->tail->next = p;
    } else {
        l->head = p;
    }
    l->tail = p;
    pthread_cond_signal(&l->ready);
    pthread_mutex_unlock(&l->lock);
    return 0;
}

void preloader_stop(struct preloader *l)
{
    if (l == NULL || l->joined) {
        return;
    }
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    pthread_cond_broadcast(&l->ready);
    pthread_mutex_unlock(&l->lock);
    for (unsigned i = 0; i < l->nthreads; i++) {
        pthread_join(l->threads[i].thread, NULL);
    }
    l->joined = true;
}

void preloader_free(struct preloader *l)
{
    if (l == NULL) {
        return;
    }
    preloader_stop(l);
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->ready);
    free(l->threads);
    free(l);
}
