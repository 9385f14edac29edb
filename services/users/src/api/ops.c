/* Operations endpoints: liveness, readiness, metrics and the API docs. */
#include "api/api.h"

#include "app.h"
#include "embed.h"
#include "metrics.h"

#include <string.h>

static const char DOC_PAGE[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "  <meta charset=\"utf-8\">\n"
    "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "  <title>Users API</title>\n"
    "  <link rel=\"stylesheet\" href=\"/doc/swagger-ui.css\">\n"
    "</head>\n"
    "<body>\n"
    "  <div id=\"swagger-ui\"></div>\n"
    "  <script src=\"/doc/swagger-ui-bundle.js\"></script>\n"
    "  <script src=\"/doc/swagger-ui-init.js\"></script>\n"
    "</body>\n"
    "</html>\n";

static const char DOC_INIT[] =
    "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui',\n"
    "  deepLinking: true, persistAuthorization: false});\n";

void ops_ping(const struct http_request *req, struct http_response *res)
{
    (void)req;
    static const char pong[] = "{\"status\":\"success\",\"message\":\"pong!\"}";
    http_reply_static(res, "application/json", pong, sizeof pong - 1);
}

void ops_health(const struct http_request *req, struct http_response *res)
{
    (void)req;
    struct store *s = app_store();
    store_status st = s != NULL ? store_ping(s) : STORE_UNAVAILABLE;
    if (st != STORE_OK) {
        metrics_db_error();
        http_reply_json(res, 503,
                        json_pack("{s:s, s:s}", "status", "error", "database", "unavailable"));
        return;
    }
    http_reply_json(res, 200, json_pack("{s:s, s:s}", "status", "ok", "database", "ok"));
}

void ops_metrics(const struct http_request *req, struct http_response *res)
{
    (void)req;
    size_t len = 0;
    char *text = metrics_render(&len);
    if (text == NULL) {
        http_reply_error(res, 500, "Internal server error.");
        return;
    }
    res->status = 200;
    res->text = text;
    res->text_len = len;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void ops_doc(const struct http_request *req, struct http_response *res)
{
    (void)req;
    http_reply_static(res, "text/html; charset=utf-8", DOC_PAGE, sizeof DOC_PAGE - 1);
}

void ops_doc_asset(const struct http_request *req, struct http_response *res)
{
    if (strcmp(req->path, "/doc/swagger-ui-init.js") == 0) {
        http_reply_static(res, "text/javascript; charset=utf-8", DOC_INIT, sizeof DOC_INIT - 1);
        return;
    }
    const struct embed_file *f = embed_find(req->path + 1); /* "doc/..." */
    if (f == NULL) {
        http_reply_error(res, 404, "Not found");
        return;
    }
    const char *type = strstr(f->name, ".css") != NULL ? "text/css; charset=utf-8"
                                                       : "text/javascript; charset=utf-8";
    http_reply_static(res, type, f->data, f->size);
    http_set_header(res, "Cache-Control", "public, max-age=86400");
}

void ops_openapi(const struct http_request *req, struct http_response *res)
{
    (void)req;
    const struct embed_file *f = embed_find("openapi.json");
    if (f == NULL) {
        http_reply_error(res, 404, "Not found");
        return;
    }
    http_reply_static(res, "application/json", f->data, f->size);
}
