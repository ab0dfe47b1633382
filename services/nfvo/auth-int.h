/* What auth.c (lifecycle, hook, projects) and oauth.c (POST /oauth/token) share. */
#pragma once

#include "auth.h"
#include "auth/token.h"
#include "auth_store.h"

#include <stdbool.h>
#include <stdint.h>

struct auth_throttle;
struct http_request;

/* iss of the two kinds of token: a refresh token verified as an access token (or the other
 * way round) fails on its issuer before anything else is looked at. */
#define NFVO_TOKEN_ISSUER "pop-nfvo"
#define NFVO_REFRESH_ISSUER "pop-nfvo/refresh"
#define NFVO_REFRESH_TTL_FACTOR 10

struct nfvo_auth {
    struct nfvo *n;
    uint8_t key[NFVO_TOKEN_KEY_LEN];
    char user[AUTH_CLAIM_MAX + 1]; /* the administrator (NFVO_ADMIN_USER) */
    char *hash;                    /* its password's PBKDF2 string; the plaintext is wiped */
    struct auth_throttle *throttle;
    int64_t ttl_s, refresh_ttl_s;
};

/* Whether user names an account (the sub of a token must, at every use). */
bool nfvo_auth_user_exists(const struct nfvo_auth *a, const char *user);

void nfvo_handle_token(struct http_request *req, void *userdata);
