/* The Pop's user accounts: from POPD_AUTH (hashed at start) and/or POPD_USERS_FILE. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct popd_config;
struct popd_users;

/* Loads the accounts; every name must pass auth_check_username (the login rule). Returns 0,
 * or a negative errno with a message in err. */
int popd_users_load(const struct popd_config *cfg, struct popd_users **ret, char *err,
                    size_t errlen);
void popd_users_free(struct popd_users *u);

/* Checks credentials at constant cost whether or not the user exists.
 * Returns 0, -EACCES (wrong user or password) or -EINVAL (oversize input). */
int popd_users_check(const struct popd_users *u, const char *user, const char *password);

/* Whether user names an account (exact, case-sensitive match). Not constant-time: meant for
 * the sub of a token whose signature was already checked, not for login. */
bool popd_users_exists(const struct popd_users *u, const char *user);

/* Number of accounts. */
size_t popd_users_count(const struct popd_users *u);
