/* The pop CLI's session token cache: one file per (user, Pop URL) under $XDG_CACHE_HOME/pop or
 * ~/.cache/pop, readable only by its owner, replaced atomically. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "popc/popc.h"

#define CACHE_FILE_MAX 16384           /* bytes read from a cache file */
#define CACHE_TOKEN_MAX POPC_TOKEN_MAX /* characters of a cached token: what a login may give */

/* Finds (creating it with mode 0700 if needed, tightening a looser mode) the cache directory and
 * returns in *ret_path the malloc'ed path of the file for (user, url): "token-<16 hex digits of
 * a 64-bit FNV-1a hash of user NUL url>". Returns 0, -ENOENT (neither XDG_CACHE_HOME nor HOME
 * is an absolute path), -EPERM (the directory is not ours or not a directory), -ENOMEM or the
 * errno of mkdir. */
int cache_path(const char *user, const char *url, char **ret_path);

/* cache_path for another kind of file: "<kind>-<hash>" (cache_path is kind "token"). */
int cache_path_kind(const char *kind, const char *user, const char *url, char **ret_path);

/* Reads path as a JSON object if it is a usable cache file (a regular file of ours, not
 * readable by others, at most CACHE_FILE_MAX bytes). Returns 0 with a new reference in *ret,
 * or -ENOENT. */
int cache_load_doc(const char *path, json_t **ret);

/* Writes doc to path as cache_store does (atomically, mode 0600). Returns 0 or a negative
 * errno. */
int cache_store_doc(const char *path, const json_t *doc);

/* Reads the token for (user, url) from path. Returns 0 with a malloc'ed *ret_token and its
 * expiry (Unix seconds) in *ret_expires_at; -ENOENT when the file is absent or unusable (not a
 * regular file, not ours, readable by others, malformed, or written for another user or URL:
 * the hash is only a file name). Outputs untouched on failure. */
int cache_load(const char *path, const char *user, const char *url, char **ret_token,
               int64_t *ret_expires_at);

/* Writes the token atomically (a mode 0600 temporary file in the same directory, fsync'ed, then
 * renamed over path). Returns 0 or a negative errno; a failed write leaves no temporary file. */
int cache_store(const char *path, const char *user, const char *url, const char *token,
                int64_t expires_at);

/* Removes the file; absent counts as success. Returns 0 or a negative errno. */
int cache_remove(const char *path);
