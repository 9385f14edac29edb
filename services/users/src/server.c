#include "server.h"

#include "api/api.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "preload.h"
#include "router.h"
#include "static.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum {
    SERVER_MAX_PATH = 2048,
    SERVER_DRAIN_MS = 10000,
    SERVER_CONNECTION_TIMEOUT = 75, /* longer than the ALB's 60 s idle timeout */
    /* Per-connection buffer for the request line and headers (bodies are ours).
     * 16 KiB holds any sane request; idle keep-alive connections cost about this much. */
    SERVER_CONNECTION_MEMORY = 16 * 1024,
};

struct server {
    struct MHD_Daemon *daemon;
    struct pool *pool;
    struct preloader *preloader; /* NULL: handlers read their users themselves */
    const struct config *cfg;
    atomic_int inflight;
    atomic_int suspended;
    atomic_uint_fast64_t next_request;
    char id_prefix[9];
};

enum ctx_state { CTX_READING, CTX_WORKING, CTX_PRELOADED, CTX_DONE };

struct req_ctx {
    struct server *srv;
    struct MHD_Connection *conn;
    enum ctx_state state;
    bool was_suspended;
    char *body;
    size_t body_len;
    bool too_large;
    struct timespec start;
    const struct route *route;
    size_t slot;
    char *path;
    char method[16];
    char origin_ok[256]; /* the Origin to echo in CORS headers, "" for none */
    struct http_request req;
    struct http_response res;
    struct preload preload;
};

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void ctx_free(struct req_ctx *ctx)
{
    free(ctx->body);
    free(ctx->path);
    free(ctx->req.authorization);
    json_decref(ctx->req.body);
    for (size_t i = 0; i < ctx->req.query_count; i++) {
        free(ctx->req.query[i].key);
        free(ctx->req.query[i].value);
    }
    http_response_reset(&ctx->res);
    free(ctx);
}

/* ---- reading the request ---- */

static bool request_id_valid(const char *id)
{
    size_t len = strlen(id);
    return len > 0 && len <= HTTP_REQUEST_ID_MAX &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == len;
}

static void set_request_id(struct req_ctx *ctx)
{
    const char *given = MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND, "X-Request-Id");
    if (given != NULL && request_id_valid(given)) {
        snprintf(ctx->req.request_id, sizeof ctx->req.request_id, "%s", given);
        return;
    }
    uint_fast64_t n = atomic_fetch_add(&ctx->srv->next_request, 1);
    snprintf(ctx->req.request_id, sizeof ctx->req.request_id, "%s-%08llx", ctx->srv->id_prefix,
             (unsigned long long)n);
}

/* The peer, or with a trusted peer the right-most X-Forwarded-For address that
 * is not itself a trusted proxy (the left part of the header is client-chosen). */
static void set_client_ip(struct req_ctx *ctx)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(ctx->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char *ip = ctx->req.client_ip;
    snprintf(ip, HTTP_IP_MAX, "unknown");
    if (info == NULL || info->client_addr == NULL) {
        return;
    }
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip,
                  HTTP_IP_MAX);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip,
                  HTTP_IP_MAX);
    }
    const struct config *cfg = ctx->srv->cfg;
    if (cfg->trusted_count == 0 || !config_is_trusted_proxy(cfg, ip)) {
        return;
    }
    const char *xff = MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    char list[1024];
    if (xff == NULL || strlen(xff) >= sizeof list) {
        return;
    }
    snprintf(list, sizeof list, "%s", xff);
    char *items[32];
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(list, ", ", &save); t != NULL && n < 32;
         t = strtok_r(NULL, ", ", &save)) {
        items[n++] = t;
    }
    while (n > 0) {
        const char *item = items[--n];
        struct cidr probe;
        if (strchr(item, '/') != NULL || config_parse_cidr(item, &probe) != 0) {
            return; /* garbage: keep the last good address */
        }
        snprintf(ip, HTTP_IP_MAX, "%s", item);
        if (!config_is_trusted_proxy(cfg, item)) {
            return;
        }
    }
}

static enum MHD_Result copy_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct http_request *req = cls;
    if (req->query_count >= HTTP_MAX_QUERY) {
        return MHD_NO;
    }
    struct http_query_arg *arg = &req->query[req->query_count];
    arg->key = strdup(key);
    arg->value = strdup(value != NULL ? value : "");
    if (arg->key == NULL || arg->value == NULL) {
        free(arg->key);
        free(arg->value);
        *arg = (struct http_query_arg){NULL, NULL};
        return MHD_NO;
    }
    req->query_count++;
    return MHD_YES;
}

static void set_cors_origin(struct req_ctx *ctx)
{
    const char *origin = MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND, "Origin");
    if (origin != NULL && strlen(origin) < sizeof ctx->origin_ok &&
        config_cors_allowed(ctx->srv->cfg, origin)) {
        snprintf(ctx->origin_ok, sizeof ctx->origin_ok, "%s", origin);
    }
}

/* ---- writing the response ---- */

static void add_common_headers(struct req_ctx *ctx, struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Request-Id", ctx->req.request_id);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (ctx->origin_ok[0] != '\0') {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", ctx->origin_ok);
        MHD_add_response_header(r, "Vary", "Origin");
        MHD_add_response_header(r, "Access-Control-Expose-Headers",
                                "X-Total-Count, Location, Retry-After, X-Request-Id");
    }
}

static struct MHD_Response *build_body(struct http_response *res, bool *json)
{
    *json = false;
    if (res->has_fd) {
        res->has_fd = false; /* MHD owns the fd now */
        return MHD_create_response_from_fd(res->fd_size, res->fd);
    }
    if (res->text != NULL) {
        char *text = res->text;
        res->text = NULL;
        return MHD_create_response_from_buffer(res->text_len, text, MHD_RESPMEM_MUST_FREE);
    }
    if (res->bytes != NULL) {
        return MHD_create_response_from_buffer(res->bytes_len, (void *)res->bytes,
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (res->json == NULL) {
        return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    *json = true;
    char *text = json_dumps(res->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL) {
        return NULL;
    }
    return MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result send_response(struct req_ctx *ctx)
{
    struct http_response *res = &ctx->res;
    if (res->status == 0) {
        http_reply_error(res, 500, "Internal server error.");
    }
    bool json = false;
    struct MHD_Response *r = build_body(res, &json);
    if (r == NULL) {
        return MHD_NO;
    }
    bool has_cache_control = false;
    for (size_t i = 0; i < res->header_count; i++) {
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
        has_cache_control |= strcmp(res->headers[i].name, "Cache-Control") == 0;
    }
    if (json) {
        MHD_add_response_header(r, "Content-Type", "application/json");
    } else if (res->content_type != NULL) {
        MHD_add_response_header(r, "Content-Type", res->content_type);
    }
    if (!has_cache_control) {
        MHD_add_response_header(r, "Cache-Control", "no-store");
    }
    add_common_headers(ctx, r);
    enum MHD_Result ok = MHD_queue_response(ctx->conn, res->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_error_now(struct req_ctx *ctx, unsigned status, const char *message)
{
    http_reply_error(&ctx->res, status, message);
    return send_response(ctx);
}

/* ---- dispatch ---- */

static void run_slow(void *arg)
{
    struct req_ctx *ctx = arg;
    ctx->route->handler(&ctx->req, &ctx->res);
    ctx->state = CTX_DONE;
    MHD_resume_connection(ctx->conn);
}

static void on_preloaded(struct preload *p)
{
    struct req_ctx *ctx = p->arg;
    ctx->state = CTX_PRELOADED;
    MHD_resume_connection(ctx->conn);
}

static void suspend(struct req_ctx *ctx)
{
    ctx->state = CTX_WORKING;
    ctx->was_suspended = true;
    atomic_fetch_add(&ctx->srv->suspended, 1);
    MHD_suspend_connection(ctx->conn);
}

static void resume_refused(struct req_ctx *ctx)
{
    http_reply_error(&ctx->res, 503, "The server is shutting down.");
    ctx->state = CTX_DONE;
    MHD_resume_connection(ctx->conn);
}

static enum MHD_Result dispatch(struct req_ctx *ctx)
{
    struct server *srv = ctx->srv;
    if (ctx->route->flags & ROUTE_SLOW) {
        suspend(ctx);
        if (pool_submit(srv->pool, run_slow, ctx) != 0) {
            resume_refused(ctx);
        }
        return MHD_YES;
    }
    if ((ctx->route->flags & ROUTE_PRELOAD) && srv->preloader != NULL &&
        api_preload_plan(&ctx->req, &ctx->preload)) {
        ctx->preload.done = on_preloaded;
        ctx->preload.arg = ctx;
        suspend(ctx);
        if (preloader_submit(srv->preloader, &ctx->preload) != 0) {
            resume_refused(ctx);
        }
        return MHD_YES;
    }
    ctx->route->handler(&ctx->req, &ctx->res);
    return send_response(ctx);
}

static bool content_type_is_json(struct MHD_Connection *conn)
{
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    if (ct == NULL) {
        return false;
    }
    size_t len = strcspn(ct, ";");
    while (len > 0 && ct[len - 1] == ' ') {
        len--;
    }
    return len == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

/* 415 / 400 before any handler runs, so handlers get an object or nothing. */
static bool parse_body(struct req_ctx *ctx)
{
    if (!content_type_is_json(ctx->conn)) {
        http_reply_error(&ctx->res, 415, "Content-Type must be application/json.");
        return false;
    }
    json_error_t err;
    json_t *body = json_loadb(ctx->body != NULL ? ctx->body : "", ctx->body_len, 0, &err);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        json_t *errors =
            json_pack("{s:s}", "body", body == NULL ? err.text : "must be a JSON object");
        http_reply_validation(&ctx->res, errors);
        return false;
    }
    ctx->req.body = body;
    return true;
}

static enum MHD_Result handle_unrouted(struct req_ctx *ctx, enum router_result rr,
                                       const char *allow)
{
    size_t nroutes = router_count();
    const char *static_dir = ctx->srv->cfg->static_dir;
    bool get = strcmp(ctx->method, "GET") == 0 || strcmp(ctx->method, "HEAD") == 0;
    if (strcmp(ctx->method, "OPTIONS") == 0) {
        ctx->slot = nroutes + METRICS_SLOT_PREFLIGHT;
        http_reply_empty(&ctx->res, 204);
        if (rr == ROUTER_BAD_METHOD) {
            http_set_header(&ctx->res, "Allow", allow);
        }
        if (ctx->origin_ok[0] != '\0') {
            http_set_header(&ctx->res, "Access-Control-Allow-Methods",
                            "GET, POST, PUT, DELETE, OPTIONS");
            http_set_header(&ctx->res, "Access-Control-Allow-Headers",
                            "Authorization, Content-Type, X-Request-Id");
            http_set_header(&ctx->res, "Access-Control-Max-Age", "600");
        }
        return send_response(ctx);
    }
    if (rr == ROUTER_BAD_METHOD) {
        http_reply_error(&ctx->res, 405, "The method is not allowed for the requested URL.");
        http_set_header(&ctx->res, "Allow", allow);
        return send_response(ctx);
    }
    if (static_dir != NULL && get && !router_is_api_path(ctx->path) &&
        static_lookup(static_dir, ctx->path, &ctx->res) == 0) {
        ctx->slot = nroutes + METRICS_SLOT_STATIC;
        return send_response(ctx);
    }
    return reply_error_now(ctx, 404, "Not found");
}

static enum MHD_Result handle(struct req_ctx *ctx, const char *url)
{
    set_request_id(ctx);
    set_client_ip(ctx);
    set_cors_origin(ctx);
    ctx->slot = router_count() + METRICS_SLOT_UNMATCHED;
    if (strlen(url) > SERVER_MAX_PATH) {
        return reply_error_now(ctx, 414, "The request path is too long.");
    }
    ctx->path = strdup(url);
    if (ctx->path == NULL) {
        return MHD_NO;
    }
    ctx->req.method = ctx->method;
    ctx->req.path = ctx->path;

    char allow[128];
    enum router_result rr =
        router_match(ctx->method, ctx->path, &ctx->route, &ctx->req.id, allow, sizeof allow);
    if (rr != ROUTER_FOUND) {
        return handle_unrouted(ctx, rr, allow);
    }
    ctx->slot = router_index(ctx->route);
    if (ctx->too_large) {
        return reply_error_now(ctx, 413, "The request body is larger than 64 KiB.");
    }
    if ((ctx->route->flags & ROUTE_BODY) && !parse_body(ctx)) {
        return send_response(ctx);
    }
    MHD_get_connection_values(ctx->conn, MHD_GET_ARGUMENT_KIND, copy_query_arg, &ctx->req);
    const char *auth = MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND, "Authorization");
    if (auth != NULL && (ctx->req.authorization = strdup(auth)) == NULL) {
        return MHD_NO;
    }
    return dispatch(ctx);
}

static void append_body(struct req_ctx *ctx, const char *data, size_t size)
{
    if (ctx->too_large || ctx->body_len + size > HTTP_MAX_BODY) {
        ctx->too_large = true; /* keep reading (and dropping) so we can answer 413 */
        return;
    }
    if (ctx->body == NULL) {
        ctx->body = malloc(HTTP_MAX_BODY);
        if (ctx->body == NULL) {
            ctx->too_large = true;
            return;
        }
    }
    memcpy(ctx->body + ctx->body_len, data, size);
    ctx->body_len += size;
}

/* A declared body over the limit is refused before a byte of it is read:
 * answered from the first call, libmicrohttpd discards the upload and closes
 * the connection, rather than taking in (say) a gigabyte to throw away. */
static bool declared_too_large(struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl == NULL) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    return end != cl && (errno == ERANGE || n > HTTP_MAX_BODY);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct server *srv = cls;
    struct req_ctx *ctx = *con_cls;
    if (ctx == NULL) {
        ctx = calloc(1, sizeof *ctx);
        if (ctx == NULL) {
            return MHD_NO;
        }
        ctx->srv = srv;
        ctx->conn = conn;
        clock_gettime(CLOCK_MONOTONIC, &ctx->start);
        snprintf(ctx->method, sizeof ctx->method, "%s", method);
        *con_cls = ctx;
        atomic_fetch_add(&srv->inflight, 1);
        metrics_inflight_add(1);
        if (declared_too_large(conn)) {
            ctx->too_large = true;
            return handle(ctx, url);
        }
        return MHD_YES;
    }
    if (ctx->state == CTX_DONE) {
        return send_response(ctx);
    }
    if (ctx->state == CTX_PRELOADED) {
        ctx->req.preload = &ctx->preload;
        ctx->route->handler(&ctx->req, &ctx->res);
        ctx->state = CTX_DONE;
        return send_response(ctx);
    }
    if (ctx->state == CTX_WORKING) {
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        append_body(ctx, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return handle(ctx, url);
}

static void log_request(const struct req_ctx *ctx, double secs)
{
    bool probe =
        ctx->path != NULL && (strcmp(ctx->path, "/ping") == 0 || strcmp(ctx->path, "/health") == 0);
    /* Load-balancer health checks every few seconds would drown the rest. */
    enum log_level level = probe && ctx->res.status < 400 ? LOG_DEBUG : LOG_INFO;
    if (!log_enabled(level)) {
        return;
    }
    json_t *fields =
        json_pack("{s:s, s:s, s:s, s:i, s:f, s:s}", "request_id", ctx->req.request_id, "method",
                  ctx->method, "path", ctx->path != NULL ? ctx->path : "", "status",
                  (int)ctx->res.status, "latency_ms", secs * 1000.0, "ip", ctx->req.client_ip);
    log_emit(level, "request", fields);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)conn;
    (void)code;
    struct server *srv = cls;
    struct req_ctx *ctx = *con_cls;
    if (ctx == NULL) {
        return;
    }
    double secs = seconds_since(&ctx->start);
    if (ctx->res.status != 0) {
        metrics_observe(ctx->slot, ctx->res.status, secs);
        log_request(ctx, secs);
    }
    if (ctx->was_suspended) {
        atomic_fetch_sub(&srv->suspended, 1);
    }
    ctx_free(ctx);
    *con_cls = NULL;
    metrics_inflight_add(-1);
    atomic_fetch_sub(&srv->inflight, 1);
}

/* libmicrohttpd's own messages, as JSON lines like every other log line. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    text[strcspn(text, "\r\n")] = '\0';
    log_warn("libmicrohttpd", json_pack("{s:s}", "detail", text));
}

static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) {
        return 10000;
    }
    /* Leave room for database connections, files and the workers. */
    return rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) : 64;
}

struct server *server_start(const struct config *cfg, unsigned *port)
{
    struct server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        return NULL;
    }
    srv->cfg = cfg;
    unsigned char raw[4] = {0};
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        memset(raw, 0, sizeof raw);
    }
    snprintf(srv->id_prefix, sizeof srv->id_prefix, "%02x%02x%02x%02x", raw[0], raw[1], raw[2],
             raw[3]);
    srv->pool = pool_new(cfg->workers);
    if (srv->pool == NULL) {
        free(srv);
        return NULL;
    }
    if (cfg->preload_threads > 0 &&
        (srv->preloader = preloader_new(cfg->preload_threads)) == NULL) {
        pool_free(srv->pool);
        free(srv);
        return NULL;
    }
    /* No MHD_OPTION_LISTENING_ADDRESS_REUSE: on Linux it sets SO_REUSEPORT, with
     * which a second process (or a PORT=0 bind) can silently share our port and
     * take some of our connections. MHD's default SO_REUSEADDR covers restarts. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)SERVER_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONNECTION_MEMORY, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        preloader_free(srv->preloader);
        pool_free(srv->pool);
        free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info != NULL ? info->port : cfg->port;
    return srv;
}

/* True once the counter was seen at zero within max_ms. */
static bool wait_for_zero(atomic_int *counter, int max_ms)
{
    for (int waited = 0; atomic_load(counter) > 0; waited += 10) {
        if (waited >= max_ms) {
            return false;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return true;
}

void server_stop(struct server *srv)
{
    if (srv == NULL) {
        return;
    }
    MHD_socket sock = MHD_quiesce_daemon(srv->daemon);
    if (sock != MHD_INVALID_SOCKET) {
        close(sock);
    }
    wait_for_zero(&srv->inflight, SERVER_DRAIN_MS);
    /* Finish queued work; each job resumes its connection, which then
     * completes. Both stay allocated until the daemon is gone: an idle
     * keep-alive connection may still send a request, which they refuse
     * (503, resumed at once) instead of being queued to freed memory. */
    pool_stop(srv->pool);
    preloader_stop(srv->preloader);
    /* From here on a suspension is resumed within the same call (refused), so
     * one moment at zero means nothing is left waiting on us; the count can
     * rise again only for such a request, which MHD_stop_daemon() resumes. */
    if (!wait_for_zero(&srv->suspended, SERVER_DRAIN_MS)) {
        /* MHD_stop_daemon() aborts the process with suspended connections. */
        log_error("connections still suspended at shutdown; exiting without a clean stop", NULL);
        return;
    }
    MHD_stop_daemon(srv->daemon);
    preloader_free(srv->preloader);
    pool_free(srv->pool);
    free(srv);
}
