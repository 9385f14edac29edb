#include "pool.h"

#include "metrics.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { POOL_NICE = 10 };

struct job {
    void (*fn)(void *);
    void *arg;
    struct job *next;
};

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct job *head, *tail;
    bool stopping;
    bool joined;
    unsigned nthreads;
    pthread_t *threads;
};

static struct job *next_job(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->head == NULL && !p->stopping) {
        pthread_cond_wait(&p->ready, &p->lock);
    }
    struct job *j = p->head;
    if (j != NULL) {
        p->head = j->next;
        if (p->head == NULL) {
            p->tail = NULL;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return j;
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    /* bcrypt saturates every core during a login storm. A lower priority lets
     * the polling threads (pings, token-checked reads) take the CPU first. */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), POOL_NICE);
    struct job *j;
    while ((j = next_job(p)) != NULL) {
        metrics_queue_add(-1);
        j->fn(j->arg);
        free(j);
    }
    return NULL;
}

struct pool *pool_new(unsigned threads)
{
    struct pool *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    p->threads = calloc(threads, sizeof *p->threads);
    if (p->threads == NULL) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            break;
        }
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        pool_free(p);
        return NULL;
    }
    return p;
}

int pool_submit(struct pool *p, void (*fn)(void *), void *arg)
{
    struct job *j = malloc(sizeof *j);
    if (j == NULL) {
        return -1;
    }
    *j = (struct job){fn, arg, NULL};
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        pthread_mutex_unlock(&p->lock);
        free(j);
        return -1;
    }
    if (p->tail != NULL) {
        p->tail->next = j;
    } else {
        p->head = j;
    }
    p->tail = j;
    metrics_queue_add(1);
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void pool_stop(struct pool *p)
{
    if (p == NULL || p->joined) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    p->joined = true;
}

void pool_free(struct pool *p)
{
    if (p == NULL) {
        return;
    }
    pool_stop(p);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->ready);
    free(p->threads);
    free(p);
}
