/* Files compiled into the binary (see tools/embed.sh): SQL migrations,
 * openapi.json and the API-docs page assets. Each is NUL-terminated after
 * `size` bytes, so text assets can be used as C strings. */
#ifndef EMBED_H
#define EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name; /* e.g. "migrations/sqlite/0001_init.sql", "openapi.json" */
    const unsigned char *data;
    size_t size;
};

/* Sorted by name within each directory (the generator sorts its inputs). */
extern const struct embed_file embed_files[];
extern const size_t embed_count;

const struct embed_file *embed_find(const char *name);

#endif
