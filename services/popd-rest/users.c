/* User accounts: a small array of (name, PBKDF2 hash); plaintext passwords are never kept. */
#include "users.h"

#include "auth/password.h"
#include "auth/token.h"
#include "config.h"
#include "core/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERS_MAX 64
#define USER_NAME_MAX AUTH_CLAIM_MAX

struct popd_user {
    char name[USER_NAME_MAX + 1];
    char *hash;
};

struct popd_users {
    struct popd_user list[USERS_MAX];
    size_t n;
};

static int add_user(struct popd_users *u, const char *name, size_t name_len, char *hash, char *err,
                    size_t errlen)
{
    char name_z[USER_NAME_MAX + 1];
    if (name_len == 0 || name_len > USER_NAME_MAX) {
        snprintf(err, errlen, "user names must be 1-%d characters", USER_NAME_MAX);
        return -EINVAL;
    }
    memcpy(name_z, name, name_len);
    name_z[name_len] = '\0';
    /* A name nobody could log in with (or use a token for) is a config mistake: say so now. */
    const char *why = auth_check_username(name_z);
    if (why) {
        snprintf(err, errlen, "user names %s", why);
        return -EINVAL;
    }
    for (size_t i = 0; i < u->n; i++) {
        if (strlen(u->list[i].name) == name_len && !memcmp(u->list[i].name, name, name_len)) {
            snprintf(err, errlen, "user %.*s is defined twice", (int)name_len, name);
            return -EINVAL;
        }
    }
    if (u->n == USERS_MAX) {
        snprintf(err, errlen, "more than %d users", USERS_MAX);
        return -E2BIG;
    }
    struct popd_user *e = &u->list[u->n++];
    memcpy(e->name, name, name_len);
    e->name[name_len] = '\0';
    e->hash = hash;
    return 0;
}

static int load_file(struct popd_users *u, const char *path, char *err, size_t errlen)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(err, errlen, "POPD_USERS_FILE %s: %s", path, strerror(errno));
        return -ENOENT;
    }
    char line[1024];
    unsigned lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *colon = strchr(line, ':');
        if (!colon || strncmp(colon + 1, "$pbkdf2-sha256$", 15) != 0) {
            snprintf(err, errlen,
                     "POPD_USERS_FILE %s:%u: expected user:$pbkdf2-sha256$... (use popd-rest "
                     "hash-password)",
                     path, lineno);
            return -EINVAL;
        }
        char *hash = strdup(colon + 1);
        if (!hash)
            return -ENOMEM;
        /* reject unparsable hashes now rather than at the first login */
        if (auth_password_verify("probe", hash) == -EINVAL) {
            free(hash);
            snprintf(err, errlen, "POPD_USERS_FILE %s:%u: malformed hash", path, lineno);
            return -EINVAL;
        }
        char why[128];
        int r = add_user(u, line, (size_t)(colon - line), hash, why, sizeof(why));
        if (r < 0) {
            free(hash);
            snprintf(err, errlen, "POPD_USERS_FILE %s:%u: %s", path, lineno, why);
            return r;
        }
    }
    return 0;
}

int popd_users_load(const struct popd_config *cfg, struct popd_users **ret, char *err,
                    size_t errlen)
{
    struct popd_users *u = calloc(1, sizeof(*u));
    if (!u)
        return -ENOMEM;
    int r = 0;
    if (cfg->auth && *cfg->auth) {
        const char *colon = strchr(cfg->auth, ':');
        char *hash = NULL;
        char why[128];
        r = auth_password_hash(colon + 1, (unsigned)cfg->password_iterations, &hash);
        if (r < 0) {
            snprintf(err, errlen, "POPD_AUTH: the password cannot be hashed (%s)", strerror(-r));
        } else if ((r = add_user(u, cfg->auth, (size_t)(colon - cfg->auth), hash, why,
                                 sizeof(why))) < 0) {
            free(hash);
            snprintf(err, errlen, "POPD_AUTH: %s", why);
        }
    }
    if (r == 0 && cfg->users_file && *cfg->users_file)
        r = load_file(u, cfg->users_file, err, errlen);
    if (r < 0) {
        popd_users_free(u);
        return r;
    }
    *ret = u;
    return 0;
}

void popd_users_free(struct popd_users *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n; i++)
        free(u->list[i].hash);
    free(u);
}

int popd_users_check(const struct popd_users *u, const char *user, const char *password)
{
    for (size_t i = 0; i < u->n; i++) {
        if (strcmp(u->list[i].name, user) == 0) {
            int r = auth_password_verify(password, u->list[i].hash);
            return r == 0 ? 0 : r == -EINVAL ? -EINVAL : -EACCES;
        }
    }
    auth_password_burn(password);
    return -EACCES;
}

bool popd_users_exists(const struct popd_users *u, const char *user)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->list[i].name, user) == 0)
            return true;
    return false;
}

size_t popd_users_count(const struct popd_users *u)
{
    return u->n;
}
