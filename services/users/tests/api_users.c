/* /users and /users/<id>. */
#include "harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VALIDATION_MSG "Input payload validation failed"

static char *user_path(long long id)
{
    static char p[64];
    snprintf(p, sizeof p, "/users/%lld", id);
    return p;
}

static struct resp *put_user(const char *access, long long id, json_t *body)
{
    return http_json("PUT", user_path(id), access, body);
}

static json_t *get_user(const char *access, long long id)
{
    struct resp *r = http("GET", user_path(id), access);
    expect_status(r, 200, "GET /users/<id>");
    json_t *u = json_incref(r->json);
    resp_free(r);
    return u;
}

static long long total_of(const struct resp *r)
{
    const char *h = resp_header(r, "X-Total-Count");
    cr_assert(h, "GET /users needs X-Total-Count");
    char *end;
    long long n = strtoll(h, &end, 10);
    cr_assert(end != h && n >= 0, "X-Total-Count \"%s\" is not a count", h);
    return n;
}

/* ---- list ---- */

Test(list, requires_token)
{
    struct resp *r = http("GET", "/users");
    expect_401(r, "GET /users without a token");
    resp_free(r);
}

Test(list, ordered_by_id_with_total)
{
    struct user a, b;
    struct tokens t;
    user_new_session(&a, &t);
    user_new(&b);
    struct resp *r = http("GET", "/users?limit=1000", t.access);
    expect_status(r, 200, "GET /users as a regular user");
    cr_assert(json_is_array(r->json), "array body");
    long long total = total_of(r);
    size_t n = json_array_size(r->json);
    cr_assert_geq(total, (long long)n, "X-Total-Count %lld < %zu rows", total, n);
    long long prev = 0;
    bool seen_a = false, seen_b = false;
    for (size_t i = 0; i < n; i++) {
        json_t *u = json_array_get(r->json, i);
        expect_user_object(u, "list item");
        long long id = jint(u, "id");
        cr_assert_gt(id, prev, "not ordered by id: %lld after %lld", id, prev);
        prev = id;
        seen_a |= id == a.id;
        seen_b |= id == b.id;
    }
    cr_assert(seen_a && seen_b, "new users are listed");
    cr_assert(!strstr(r->body, "$2b$") && !strcasestr(r->body, "password"), "no hashes");
    resp_free(r);
}

Test(list, default_limit_is_100, .timeout = 120)
{
    struct tokens t;
    login_admin(&t);
    long long total = user_count(t.access);
    cr_assert_geq(total, 1);
    for (long long i = total; i <= 101; i++) {
        struct user u;
        user_new(&u);
    }
    struct resp *r = http("GET", "/users", t.access);
    expect_status(r, 200, "GET /users");
    cr_assert_eq(json_array_size(r->json), 100, "default limit 100, got %zu rows (total %lld)",
                 json_array_size(r->json), total_of(r));
    cr_assert_gt(total_of(r), 100);
    resp_free(r);
    r = http("GET", "/users?limit=1000", t.access);
    expect_status(r, 200, "limit=1000");
    cr_assert_gt(json_array_size(r->json), 100, "limit=1000 returns more than 100");
    resp_free(r);
}

Test(list, paging)
{
    struct tokens t;
    login_admin(&t);
    struct user a, b, c;
    user_new(&a);
    user_new(&b);
    user_new(&c);
    struct resp *all = http("GET", "/users?limit=1000", t.access);
    expect_status(all, 200, "all");
    struct resp *page = http("GET", "/users?limit=2&offset=1", t.access);
    expect_status(page, 200, "limit=2&offset=1");
    cr_assert_eq(json_array_size(page->json), 2);
    for (size_t i = 0; i < 2; i++)
        cr_assert_eq(jint(json_array_get(page->json, i), "id"),
                     jint(json_array_get(all->json, i + 1), "id"), "row %zu of the page", i);
    cr_assert_geq(total_of(page), total_of(all), "X-Total-Count counts all users, not the page");
    resp_free(page);
    page = http("GET", "/users?offset=0&limit=1", t.access);
    expect_status(page, 200, "offset=0&limit=1");
    cr_assert_eq(json_array_size(page->json), 1);
    resp_free(page);
    page = http("GET", "/users?offset=100000000", t.access);
    expect_status(page, 200, "offset past the end");
    cr_assert(json_is_array(page->json) && json_array_size(page->json) == 0, "empty array");
    resp_free(page);
    resp_free(all);
}

Test(list, bad_paging_values)
{
    static const char *const q[] = {"limit=0",
                                    "limit=1001",
                                    "limit=-1",
                                    "limit=abc",
                                    "limit=1.5",
                                    "limit=",
                                    "limit=10abc",
                                    "offset=-1",
                                    "offset=abc",
                                    "offset=1e3",
                                    "offset=",
                                    "limit=99999999999999999999",
                                    "offset=99999999999999999999999",
                                    "limit=0x10"};
    struct tokens t;
    login_admin(&t);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/users?%s", q[i]);
        struct resp *r = http("GET", path, t.access);
        expect_error(r, 400, NULL, path);
        resp_free(r);
    }
}

/* ---- create (admin) ---- */

static json_t *new_user_body(const struct user *u, int admin)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "username", u->username, "email", u->email, "password",
                          u->password);
    if (admin >= 0)
        json_object_set_new(o, "admin", json_boolean(admin));
    return o;
}

Test(create, admin_creates_user_with_location)
{
    struct tokens t;
    login_admin(&t);
    struct user u;
    user_make(&u);
    struct resp *r = http_json("POST", "/users", t.access, new_user_body(&u, -1));
    expect_status(r, 201, "POST /users as admin");
    expect_user_object(r->json, "created user");
    long long id = jint(r->json, "id");
    char want[64];
    snprintf(want, sizeof want, "/users/%lld", id);
    const char *loc = resp_header(r, "Location");
    cr_assert(loc, "201 needs a Location header");
    size_t ll = strlen(loc), wl = strlen(want);
    cr_assert(ll >= wl && strcmp(loc + ll - wl, want) == 0, "Location \"%s\", expected %s", loc,
              want);
    cr_assert(json_is_false(json_object_get(r->json, "admin")), "admin defaults to false");
    resp_free(r);
    struct tokens ut;
    login(u.email, u.password, &ut);
}

Test(create, admin_flag_honoured)
{
    struct tokens t, nt;
    login_admin(&t);
    struct user u;
    user_make(&u);
    struct resp *r = http_json("POST", "/users", t.access, new_user_body(&u, 1));
    expect_status(r, 201, "POST /users admin:true");
    cr_assert(json_is_true(json_object_get(r->json, "admin")), "admin:true honoured");
    resp_free(r);
    /* the new admin can create users */
    login(u.email, u.password, &nt);
    struct user v;
    user_make(&v);
    r = http_json("POST", "/users", nt.access, new_user_body(&v, 0));
    expect_status(r, 201, "a created admin creates a user");
    resp_free(r);
}

Test(create, email_normalised)
{
    struct tokens t;
    login_admin(&t);
    struct user u;
    user_make(&u);
    char sent[400];
    snprintf(sent, sizeof sent, " UPPER.%s ", u.email);
    for (char *p = sent; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    struct resp *r = http_json("POST", "/users", t.access,
                               json_pack("{s:s, s:s, s:s}", "username", u.username, "email", sent,
                                         "password", u.password));
    expect_status(r, 201, "POST /users with a padded upper-case email");
    char want[400];
    snprintf(want, sizeof want, "upper.%s", u.email);
    cr_assert_str_eq(jstr(r->json, "email"), want);
    resp_free(r);
}

Test(create, forbidden_for_users)
{
    struct user u, v;
    struct tokens t;
    user_new_session(&u, &t);
    user_make(&v);
    struct resp *r = http_json("POST", "/users", t.access, new_user_body(&v, 1));
    expect_error(r, 403, NULL, "POST /users as a regular user");
    resp_free(r);
    r = http_json("POST", "/users", NULL, new_user_body(&v, 0));
    expect_401(r, "POST /users without a token");
    resp_free(r);
    /* nothing was created */
    user_register(&v);
}

Test(create, validation_and_conflicts)
{
    struct tokens t;
    login_admin(&t);
    struct user u, dup;
    user_new(&dup);
    user_make(&u);
    struct resp *r = http_json(
        "POST", "/users", t.access,
        json_pack("{s:s, s:s, s:s}", "username", "x", "email", u.email, "password", u.password));
    expect_error(r, 400, VALIDATION_MSG, "bad username");
    cr_assert(has_field_error(r, "username"));
    resp_free(r);
    r = http_json("POST", "/users", t.access,
                  json_pack("{s:s, s:s, s:s, s:s}", "username", u.username, "email", u.email,
                            "password", u.password, "admin", "yes"));
    expect_error(r, 400, VALIDATION_MSG, "admin of the wrong type");
    cr_assert(has_field_error(r, "admin"));
    resp_free(r);
    r = http_json("POST", "/users", t.access,
                  json_pack("{s:s, s:s, s:s}", "username", dup.username, "email", u.email,
                            "password", u.password));
    expect_error(r, 409, "Sorry. That username already exists.", "duplicate username");
    resp_free(r);
    r = http_json("POST", "/users", t.access,
                  json_pack("{s:s, s:s, s:s}", "username", u.username, "email", dup.email,
                            "password", u.password));
    expect_error(r, 409, "Sorry. That email already exists.", "duplicate email");
    resp_free(r);
}

/* ---- get ---- */

Test(get, one_user)
{
    struct user u, v;
    struct tokens t;
    user_new_session(&u, &t);
    user_new(&v);
    json_t *got = get_user(t.access, v.id);
    expect_user_object(got, "GET /users/<id>");
    cr_assert_eq(jint(got, "id"), v.id);
    cr_assert_str_eq(jstr(got, "username"), v.username);
    cr_assert_str_eq(jstr(got, "email"), v.email);
    json_decref(got);
}

/* Reads that arrive together share one database query (preload.c): each must
 * still get its own caller's and target's rows, never a neighbour's. */
enum { READERS = 8, READ_USERS = 4, READS_EACH = 40 };

struct reader {
    pthread_barrier_t *start;
    const struct user *users;
    const struct tokens *sessions;
    int index;
    int wrong;
    char first_wrong[256];
};

static bool read_is_right(const char *path, const char *access, const struct user *want, char *why,
                          size_t whylen)
{
    struct resp *r = http("GET", path, access);
    bool ok = r->status == 200 && jint(r->json, "id") == want->id && jstr(r->json, "username") &&
              strcmp(jstr(r->json, "username"), want->username) == 0;
    if (!ok) {
        snprintf(why, whylen, "GET %s: %ld %.120s (want user %lld)", path, r->status, r->body,
                 want->id);
    }
    resp_free(r);
    return ok;
}

static void *reader_run(void *arg)
{
    struct reader *rd = arg;
    int me = rd->index % READ_USERS;
    const char *access = rd->sessions[me].access;
    pthread_barrier_wait(rd->start);
    for (int i = 0; i < READS_EACH; i++) {
        const struct user *want = &rd->users[(me + i) % READ_USERS]; /* self every 4th */
        char path[64], why[256];
        bool status_read = i % 3 == 2;
        if (status_read) {
            want = &rd->users[me];
        }
        snprintf(path, sizeof path, status_read ? "/auth/status" : "/users/%lld", want->id);
        if (!read_is_right(path, access, want, why, sizeof why) && rd->wrong++ == 0) {
            snprintf(rd->first_wrong, sizeof rd->first_wrong, "%s", why);
        }
    }
    return NULL;
}

static double metric_value(const char *page, const char *name)
{
    char key[128];
    snprintf(key, sizeof key, "\n%s ", name);
    const char *at = strstr(page, key);
    cr_assert(at, "/metrics lacks %s", name);
    return strtod(at + strlen(key), NULL);
}

static void concurrent_reads(const char *preload_threads, bool read_ahead)
{
    struct server srv;
    SERVER_START(&srv, preload_threads);
    http_use(&srv);
    struct user users[READ_USERS];
    struct tokens sessions[READ_USERS];
    for (int i = 0; i < READ_USERS; i++) {
        user_new_session(&users[i], &sessions[i]);
    }
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, READERS);
    struct reader rd[READERS];
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++) {
        rd[i] = (struct reader){.start = &start, .users = users, .sessions = sessions, .index = i};
        pthread_create(&th[i], NULL, reader_run, &rd[i]);
    }
    int wrong = 0;
    const char *first = "";
    for (int i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
        if (rd[i].wrong > 0 && wrong == 0) {
            first = rd[i].first_wrong;
        }
        wrong += rd[i].wrong;
    }
    pthread_barrier_destroy(&start);
    cr_assert_eq(wrong, 0, "%d of %d concurrent reads got the wrong answer; first: %s", wrong,
                 READERS * READS_EACH, first);

    struct resp *m = http("GET", "/metrics");
    expect_status(m, 200, "GET /metrics");
    double queries = metric_value(m->body, "users_api_preload_queries_total");
    double requests = metric_value(m->body, "users_api_preload_requests_total");
    resp_free(m);
    if (read_ahead) {
        cr_assert_eq(requests, READERS * READS_EACH, "every read was read ahead: %.0f of %d",
                     requests, READERS * READS_EACH);
        cr_assert(queries >= 1 && queries < requests,
                  "%d concurrent readers should share queries: %.0f requests in %.0f queries",
                  READERS, requests, queries);
    } else {
        cr_assert(queries == 0 && requests == 0, "PRELOAD_THREADS=0 reads nothing ahead");
    }

    /* A user deleted between two reads is refused on the next one. */
    struct resp *r = http("DELETE", user_path(users[0].id), sessions[0].access);
    expect_status(r, 200, "self-delete");
    resp_free(r);
    r = http("GET", user_path(users[1].id), sessions[0].access);
    expect_401(r, "GET /users/<id> by a caller deleted a moment ago");
    resp_free(r);
    r = http("GET", "/auth/status", sessions[0].access);
    expect_401(r, "GET /auth/status by a caller deleted a moment ago");
    resp_free(r);
    SERVER_STOP(&srv);
}

Test(get, concurrent_reads_with_read_ahead, .timeout = 120)
{
    concurrent_reads("PRELOAD_THREADS=1", true);
}

Test(get, concurrent_reads_without_read_ahead, .timeout = 120)
{
    concurrent_reads("PRELOAD_THREADS=0", false);
}

Test(get, requires_token)
{
    struct resp *r = http("GET", "/users/1");
    expect_401(r, "GET /users/1 without a token");
    resp_free(r);
}

Test(get, missing_and_bad_ids)
{
    struct tokens t;
    login_admin(&t);
    struct resp *r = http("GET", "/users/987654321", t.access);
    expect_error(r, 404, "User 987654321 does not exist", "missing user");
    resp_free(r);
    static const char *const bad[] = {"abc", "-1",   "0x1", "99999999999999999999999",
                                      "1.0", "1abc", "0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/users/%s", bad[i]);
        r = http("GET", path, t.access);
        expect_error(r, 404, NULL, path);
        resp_free(r);
    }
    /* DELETE only with ids that cannot be misread as the admin's id 1 */
    static const char *const bad_del[] = {"abc", "-1", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad_del / sizeof bad_del[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/users/%s", bad_del[i]);
        r = http("DELETE", path, t.access);
        expect_error(r, 404, NULL, path);
        resp_free(r);
    }
}

/* ---- update ---- */

Test(update, self_changes_username_and_email)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    char name[100], email[400], upper[400];
    snprintf(name, sizeof name, "%s_new", u.username);
    snprintf(email, sizeof email, "new.%s", u.email);
    snprintf(upper, sizeof upper, "  NEW.%s ", u.email);
    struct resp *r =
        put_user(t.access, u.id, json_pack("{s:s, s:s}", "username", name, "email", upper));
    expect_status(r, 200, "self update");
    expect_user_object(r->json, "updated user");
    cr_assert_str_eq(jstr(r->json, "username"), name);
    cr_assert_str_eq(jstr(r->json, "email"), email, "email trimmed and lower-cased on update");
    resp_free(r);
    json_t *got = get_user(t.access, u.id);
    cr_assert_str_eq(jstr(got, "email"), email);
    json_decref(got);
    login(email, u.password, &t);
}

Test(update, requires_username_and_email)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    struct resp *r = put_user(t.access, u.id, json_pack("{s:s}", "username", u.username));
    expect_error(r, 400, VALIDATION_MSG, "PUT without email");
    cr_assert(has_field_error(r, "email"));
    resp_free(r);
    r = put_user(t.access, u.id, json_pack("{s:s}", "email", u.email));
    expect_error(r, 400, VALIDATION_MSG, "PUT without username");
    cr_assert(has_field_error(r, "username"));
    resp_free(r);
    r = put_user(t.access, u.id, json_pack("{s:s, s:s}", "username", "a b", "email", u.email));
    expect_error(r, 400, VALIDATION_MSG, "PUT with a bad username");
    resp_free(r);
    r = put_user(t.access, u.id,
                 json_pack("{s:s, s:s}", "username", u.username, "email", "not-an-email"));
    expect_error(r, 400, VALIDATION_MSG, "PUT with a bad email");
    resp_free(r);
    r = put_user(
        t.access, u.id,
        json_pack("{s:s, s:s, s:i}", "username", u.username, "email", u.email, "active", 1));
    expect_error(r, 400, VALIDATION_MSG, "PUT with active of the wrong type");
    resp_free(r);
    json_t *got = get_user(t.access, u.id);
    cr_assert_str_eq(jstr(got, "username"), u.username, "failed updates change nothing");
    json_decref(got);
}

Test(update, user_cannot_edit_others)
{
    struct user u, v;
    struct tokens t;
    user_new_session(&u, &t);
    user_new(&v);
    struct resp *r =
        put_user(t.access, v.id,
                 json_pack("{s:s, s:s}", "username", "hijacked", "email", "hijacked@example.com"));
    expect_error(r, 403, NULL, "PUT on another user");
    resp_free(r);
    json_t *got = get_user(t.access, v.id);
    cr_assert_str_eq(jstr(got, "username"), v.username);
    json_decref(got);
}

Test(update, user_cannot_change_own_flags)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    struct resp *r = put_user(
        t.access, u.id,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "admin", 1));
    expect_error(r, 403, NULL, "self-promotion to admin");
    resp_free(r);
    r = put_user(
        t.access, u.id,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "active", 0));
    expect_error(r, 403, NULL, "self-deactivation");
    resp_free(r);
    json_t *got = get_user(t.access, u.id);
    cr_assert(json_is_false(json_object_get(got, "admin")), "still not admin");
    cr_assert(json_is_true(json_object_get(got, "active")), "still active");
    json_decref(got);
    /* sending the current values is fine */
    r = put_user(t.access, u.id,
                 json_pack("{s:s, s:s, s:b, s:b}", "username", u.username, "email", u.email,
                           "admin", 0, "active", 1));
    expect_status(r, 200, "self PUT with unchanged active/admin");
    resp_free(r);
}

Test(update, admin_sets_flags)
{
    struct user u;
    struct tokens t, admin, ut;
    user_new_session(&u, &t);
    login_admin(&admin);
    struct resp *r = put_user(
        admin.access, u.id,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "admin", 1));
    expect_status(r, 200, "admin promotes");
    cr_assert(json_is_true(json_object_get(r->json, "admin")));
    cr_assert(json_is_true(json_object_get(r->json, "active")), "active untouched when absent");
    resp_free(r);
    login(u.email, u.password, &ut);
    struct user v;
    user_make(&v);
    r = http_json("POST", "/users", ut.access,
                  json_pack("{s:s, s:s, s:s}", "username", v.username, "email", v.email, "password",
                            v.password));
    expect_status(r, 201, "the promoted user acts as admin");
    resp_free(r);
    r = put_user(admin.access, u.id,
                 json_pack("{s:s, s:s, s:b, s:b}", "username", u.username, "email", u.email,
                           "admin", 0, "active", 0));
    expect_status(r, 200, "admin demotes and deactivates");
    cr_assert(json_is_false(json_object_get(r->json, "admin")));
    cr_assert(json_is_false(json_object_get(r->json, "active")));
    resp_free(r);
    r = login_req(u.email, u.password, NULL);
    expect_error(r, 401, "Invalid email or password.", "login of a deactivated user");
    resp_free(r);
    r = put_user(
        admin.access, u.id,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "active", 1));
    expect_status(r, 200, "admin reactivates");
    resp_free(r);
    login(u.email, u.password, &ut);
}

Test(update, password_field_ignored)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    struct resp *r = put_user(t.access, u.id,
                              json_pack("{s:s, s:s, s:s}", "username", u.username, "email", u.email,
                                        "password", "sneaky-new-password"));
    expect_status(r, 200, "PUT with a password field");
    cr_assert(!strcasestr(r->body, "password"), "no password in the reply");
    resp_free(r);
    login(u.email, u.password, &t);
    r = login_req(u.email, "sneaky-new-password", NULL);
    expect_status(r, 401, "the password field must not change the password");
    resp_free(r);
}

Test(update, conflicts)
{
    struct user u, v;
    struct tokens t;
    user_new_session(&u, &t);
    user_new(&v);
    char upper[80];
    snprintf(upper, sizeof upper, "%s", v.username);
    upper[0] = (char)(upper[0] - 'a' + 'A');
    struct resp *r =
        put_user(t.access, u.id, json_pack("{s:s, s:s}", "username", upper, "email", u.email));
    expect_error(r, 409, "Sorry. That username already exists.", "PUT to a taken username");
    resp_free(r);
    r = put_user(t.access, u.id, json_pack("{s:s, s:s}", "username", u.username, "email", v.email));
    expect_error(r, 409, "Sorry. That email already exists.", "PUT to a taken email");
    resp_free(r);
    /* keeping one's own name and email is no conflict; changing case of one's own name is fine */
    char own_upper[80];
    snprintf(own_upper, sizeof own_upper, "%s", u.username);
    own_upper[0] = (char)(own_upper[0] - 'a' + 'A');
    r = put_user(t.access, u.id, json_pack("{s:s, s:s}", "username", own_upper, "email", u.email));
    expect_status(r, 200, "PUT with one's own name in another case");
    resp_free(r);
}

Test(update, missing_user)
{
    struct tokens t;
    login_admin(&t);
    struct resp *r =
        put_user(t.access, 987654321,
                 json_pack("{s:s, s:s}", "username", "ghost_user", "email", "ghost@example.com"));
    expect_error(r, 404, "User 987654321 does not exist", "PUT on a missing user");
    resp_free(r);
    r = put_user(NULL, 1,
                 json_pack("{s:s, s:s}", "username", "ghost_user", "email", "ghost@example.com"));
    expect_401(r, "PUT without a token");
    resp_free(r);
}

/* ---- delete ---- */

Test(delete, admin_deletes)
{
    struct user u;
    struct tokens t, admin;
    user_new_session(&u, &t);
    login_admin(&admin);
    struct resp *r = http("DELETE", user_path(u.id), admin.access);
    expect_status(r, 200, "admin DELETE");
    char want[400];
    snprintf(want, sizeof want, "%s was removed!", u.email);
    cr_assert_str_eq(jstr(r->json, "message"), want);
    resp_free(r);
    r = http("GET", user_path(u.id), admin.access);
    expect_status(r, 404, "GET after DELETE");
    resp_free(r);
    r = refresh_req(t.refresh);
    expect_status(r, 401, "the deleted user's refresh token");
    resp_free(r);
    r = http("DELETE", user_path(u.id), admin.access);
    expect_error(r, 404, NULL, "DELETE twice");
    resp_free(r);
    /* the email is free again */
    user_register(&u);
}

Test(delete, self_delete)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    struct resp *r = http("DELETE", user_path(u.id), t.access);
    expect_status(r, 200, "self DELETE");
    char want[400];
    snprintf(want, sizeof want, "%s was removed!", u.email);
    cr_assert_str_eq(jstr(r->json, "message"), want);
    resp_free(r);
    r = refresh_req(t.refresh);
    expect_status(r, 401, "refresh after self-delete");
    resp_free(r);
    r = login_req(u.email, u.password, NULL);
    expect_status(r, 401, "login after self-delete");
    resp_free(r);
}

Test(delete, others_forbidden)
{
    struct user u, v;
    struct tokens t, vt;
    user_new_session(&u, &t);
    user_new_session(&v, &vt);
    struct resp *r = http("DELETE", user_path(v.id), t.access);
    expect_error(r, 403, NULL, "DELETE another user");
    resp_free(r);
    r = http("DELETE", user_path(v.id));
    expect_401(r, "DELETE without a token");
    resp_free(r);
    json_t *got = get_user(vt.access, v.id);
    json_decref(got);
}

Test(delete, missing_user)
{
    struct tokens t;
    login_admin(&t);
    struct resp *r = http("DELETE", "/users/987654321", t.access);
    expect_error(r, 404, "User 987654321 does not exist", "DELETE a missing user");
    resp_free(r);
}

Test(update, demoted_admin_token_loses_rights)
{
    struct user u, v;
    struct tokens admin, ut;
    user_new(&u);
    login_admin(&admin);
    struct resp *r = put_user(
        admin.access, u.id,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "admin", 1));
    expect_status(r, 200, "promote");
    resp_free(r);
    login(u.email, u.password, &ut); /* an access token issued while admin */
    r = put_user(
        admin.access, u.id,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "admin", 0));
    expect_status(r, 200, "demote");
    resp_free(r);
    user_make(&v);
    r = http_json("POST", "/users", ut.access,
                  json_pack("{s:s, s:s, s:s}", "username", v.username, "email", v.email, "password",
                            v.password));
    expect_error(r, 403, NULL, "a token issued before the demotion must not keep admin rights");
    resp_free(r);
}
