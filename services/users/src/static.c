#include "static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot != NULL && strchr(dot, '/') == NULL) {
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            if (strcasecmp(dot, types[i].ext) == 0) {
                return types[i].type;
            }
        }
    }
    return "application/octet-stream";
}

/* No "..", no backslashes, no empty or hidden segments: nothing outside dir. */
static bool path_is_safe(const char *path)
{
    if (path[0] != '/' || strchr(path, '\\') != NULL) {
        return false;
    }
    for (const char *seg = path + 1; *seg != '\0';) {
        size_t len = strcspn(seg, "/");
        if (len == 0 || seg[0] == '.') {
            return false;
        }
        seg += len;
        if (*seg == '/') {
            seg++;
        }
    }
    return true;
}

/* Opens dir/rel if it is a regular file whose real path stays inside dir. */
static int open_inside(const char *dir, const char *rel, size_t *size)
{
    char full[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
    if (snprintf(full, sizeof full, "%s/%s", dir, rel) >= (int)sizeof full ||
        realpath(dir, root) == NULL || realpath(full, real) == NULL) {
        return -1;
    }
    size_t rootlen = strlen(root);
    if (strncmp(real, root, rootlen) != 0 || real[rootlen] != '/') {
        return -1;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    return fd;
}

static void fill(struct http_response *res, int fd, size_t size, const char *name,
                 const char *cache)
{
    res->status = 200;
    res->has_fd = true;
    res->fd = fd;
    res->fd_size = size;
    res->content_type = content_type(name);
    http_set_header(res, "Cache-Control", cache);
    /* The same policy as the client's nginx image, for the one-process run. */
    http_set_header(res, "Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                    "base-uri 'self'; form-action 'self'");
    http_set_header(res, "X-Frame-Options", "DENY");
    http_set_header(res, "Referrer-Policy", "strict-origin-when-cross-origin");
}

int static_lookup(const char *dir, const char *path, struct http_response *res)
{
    size_t size = 0;
    int fd = -1;
    if (strcmp(path, "/") != 0 && strcmp(path, "/index.html") != 0 && path_is_safe(path)) {
        fd = open_inside(dir, path + 1, &size);
        if (fd >= 0) {
            /* Vite puts content-hashed names under assets/: they never change. */
            bool hashed = strncmp(path, "/assets/", 8) == 0;
            fill(res, fd, size, path, hashed ? "public, max-age=31536000, immutable" : "no-cache");
            return 0;
        }
        const char *last = strrchr(path, '/');
        if (strchr(last, '.') != NULL) {
            return -1; /* a missing file, not an app route */
        }
    } else if (strcmp(path, "/") != 0 && strcmp(path, "/index.html") != 0) {
        return -1;
    }
    fd = open_inside(dir, "index.html", &size);
    if (fd < 0) {
        return -1;
    }
    fill(res, fd, size, "index.html", "no-cache");
    return 0;
}
