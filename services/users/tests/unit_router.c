/* Routing: 404/405 decisions and strict ids. */
#include "router.h"

#include <criterion/criterion.h>
#include <string.h>

Test(router, finds_routes_and_ids)
{
    const struct route *r = NULL;
    int64_t id = 0;
    char allow[128];
    cr_assert_eq(router_match("GET", "/users/42", &r, &id, allow, sizeof allow), ROUTER_FOUND);
    cr_expect_str_eq(r->pattern, "/users/{id}");
    cr_expect_eq(id, 42);
    cr_assert_eq(router_match("POST", "/users/", &r, &id, allow, sizeof allow), ROUTER_FOUND);
    cr_expect_str_eq(r->pattern, "/users");
    cr_expect(r->flags & ROUTE_SLOW, "creating a user hashes a password: off the polling threads");
    cr_assert_eq(router_match("HEAD", "/ping", &r, &id, allow, sizeof allow), ROUTER_FOUND);
}

Test(router, not_found_and_bad_method)
{
    const struct route *r = NULL;
    int64_t id = 0;
    char allow[128];
    cr_expect_eq(router_match("GET", "/nope", &r, &id, allow, sizeof allow), ROUTER_NOT_FOUND);
    cr_expect_eq(router_match("GET", "/users/abc", &r, &id, allow, sizeof allow), ROUTER_NOT_FOUND);
    cr_expect_eq(router_match("GET", "/users/1/x", &r, &id, allow, sizeof allow), ROUTER_NOT_FOUND);
    cr_assert_eq(router_match("PATCH", "/users/1", &r, &id, allow, sizeof allow),
                 ROUTER_BAD_METHOD);
    cr_expect_str_eq(allow, "GET, HEAD, PUT, DELETE, OPTIONS");
    cr_assert_eq(router_match("GET", "/auth/login", &r, &id, allow, sizeof allow),
                 ROUTER_BAD_METHOD);
    cr_expect_str_eq(allow, "POST, OPTIONS");
}

Test(router, strict_ids)
{
    int64_t id = 0;
    cr_expect(router_parse_id("9223372036854775807", 19, &id));
    cr_expect_eq(id, INT64_MAX);
    cr_expect_not(router_parse_id("9223372036854775808", 19, &id));
    cr_expect_not(router_parse_id("99999999999999999999", 20, &id));
    cr_expect_not(router_parse_id("0", 1, &id));
    cr_expect_not(router_parse_id("-1", 2, &id));
    cr_expect_not(router_parse_id("+1", 2, &id));
    cr_expect_not(router_parse_id("0x1", 3, &id));
    cr_expect_not(router_parse_id("", 0, &id));
}

Test(router, api_paths_never_fall_back_to_the_client)
{
    cr_expect(router_is_api_path("/users"));
    cr_expect(router_is_api_path("/users/7"));
    cr_expect(router_is_api_path("/auth/whatever"));
    cr_expect(router_is_api_path("/doc"));
    cr_expect_not(router_is_api_path("/"));
    cr_expect_not(router_is_api_path("/login"));
    cr_expect_not(router_is_api_path("/usersettings"));
}
