/* JSON-line logs on stdout (CloudWatch reads stdout). Never pass a token or
 * password in a field: nothing here can tell them apart from other strings. */
#ifndef LOG_H
#define LOG_H

#include <jansson.h>
#include <stdbool.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
int log_parse_level(const char *text); /* -1 if unknown */
/* Whether a line at level would be written: check before building costly fields. */
bool log_enabled(enum log_level level);

/* Writes {"ts":...,"level":...,"msg":msg, ...fields} as one line. Steals `fields` (may be NULL). */
void log_emit(enum log_level level, const char *msg, json_t *fields);

#define log_info(msg, fields) log_emit(LOG_INFO, (msg), (fields))
#define log_warn(msg, fields) log_emit(LOG_WARN, (msg), (fields))
#define log_error(msg, fields) log_emit(LOG_ERROR, (msg), (fields))

#endif
