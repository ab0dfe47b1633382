/* The VIM instances pop-vnfm knows (see vims.h): the file's, read once, and those seen, in an
 * insertion-ordered object whose oldest entry goes first when it is full. */
#include "vims.h"

#include "core/cleanup.h"
#include "json/jv.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vnfm_vims {
    char *path;
    json_t *file; /* {id: VIM} */
    pthread_mutex_t lock;
    json_t *seen; /* {id: VIM}, oldest first (jansson keeps insertion order) */
};

static int read_file(const char *path, char **ret, size_t *ret_len, struct pop_error *err)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return pop_error_set(err, -errno, API_ERROR_COUNT, NULL, "VNFM_VIMS_FILE %s: %s", path,
                             strerror(errno));
    char *buf = malloc(VNFM_VIMS_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, VNFM_VIMS_FILE_BYTES + 1, f) : 0;
    bool bad = buf && ferror(f);
    fclose(f);
    if (!buf)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    if (bad || n > VNFM_VIMS_FILE_BYTES) {
        free(buf);
        return pop_error_set(err, -EINVAL, API_ERROR_COUNT, NULL, "VNFM_VIMS_FILE %s: %s", path,
                             bad ? "cannot be read" : "larger than 4 MiB");
    }
    buf[n] = '\0';
    *ret = buf;
    *ret_len = n;
    return 0;
}

static int load(struct vnfm_vims *v, const char *path, struct pop_error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_file(path, &text, &len, err);
    if (r < 0)
        return r;
    json_t *doc = NULL;
    struct jv_error je = {0};
    if ((r = jv_parse_value(text, len, &doc, &je)) < 0) {
        char why[600];
        jv_error_format(&je, why, sizeof(why));
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "VNFM_VIMS_FILE %s: %s", path, why);
    }
    _cleanup_json_ json_t *arr = doc;
    if (!json_is_array(arr) || json_array_size(arr) > VNFM_VIMS_FILE_MAX)
        return pop_error_set(err, -EINVAL, API_ERROR_COUNT, NULL,
                             "VNFM_VIMS_FILE %s: must be a JSON array of at most %d VIM instances",
                             path, VNFM_VIMS_FILE_MAX);
    size_t i;
    json_t *vim;
    json_array_foreach (arr, i, vim) {
        static const char *const need[] = {"id", "name", "authUrl", "type"};
        for (size_t k = 0; k < ARRAY_SIZE(need); k++) {
            const json_t *s = json_object_get(vim, need[k]);
            if (!json_is_string(s) || !json_string_length(s))
                return pop_error_set(err, -EINVAL, API_ERROR_COUNT, NULL,
                                     "VNFM_VIMS_FILE %s: [%zu].%s: required (a string)", path, i,
                                     need[k]);
        }
        const char *id = json_string_value(json_object_get(vim, "id"));
        if (json_object_get(v->file, id))
            return pop_error_set(err, -EINVAL, API_ERROR_COUNT, NULL,
                                 "VNFM_VIMS_FILE %s: [%zu].id: '%s' is listed twice", path, i, id);
        if (json_object_set(v->file, id, vim) < 0)
            return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    }
    return 0;
}

void vnfm_vims_free(struct vnfm_vims *v)
{
    if (!v)
        return;
    json_decref(v->file);
    json_decref(v->seen);
    free(v->path);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

int vnfm_vims_new(const char *path, struct vnfm_vims **ret, struct pop_error *err)
{
    struct vnfm_vims *v = calloc(1, sizeof(*v));
    if (!v)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    pthread_mutex_init(&v->lock, NULL);
    v->file = json_object();
    v->seen = json_object();
    v->path = strdup(path && *path ? path : "");
    int r = v->file && v->seen && v->path
                ? 0
                : pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    if (r == 0 && *v->path)
        r = load(v, v->path, err);
    if (r < 0) {
        vnfm_vims_free(v);
        return r;
    }
    *ret = v;
    return 0;
}

/* Under the lock: remembers one VIM (a JSON object with a string id), as the newest. */
static void see_one(struct vnfm_vims *v, const json_t *vim)
{
    const char *id = json_string_value(json_object_get(vim, "id"));
    if (!json_is_object(vim) || !id || !*id)
        return;
    json_t *copy = json_deep_copy(vim);
    if (!copy)
        return;
    json_object_del(v->seen, id); /* re-inserted last: the newest */
    if (json_object_size(v->seen) >= VNFM_VIMS_SEEN_MAX) {
        void *it = json_object_iter(v->seen);
        if (it)
            json_object_del(v->seen, json_object_iter_key(it));
    }
    json_object_set_new(v->seen, id, copy);
}

void vnfm_vims_see(struct vnfm_vims *v, const json_t *msg)
{
    if (!json_is_object(msg))
        return;
    pthread_mutex_lock(&v->lock);
    const char *key;
    const json_t *val;
    /* INSTANTIATE: {vnfdVduId: [VIM]}; a grant answer's vduVim: {vnfrVduId: VIM}. */
    json_object_foreach ((json_t *)json_object_get(msg, "vimInstances"), key, val) {
        size_t i;
        const json_t *vim;
        if (json_is_array(val))
            json_array_foreach (val, i, vim)
                see_one(v, vim);
        else
            see_one(v, val);
    }
    json_object_foreach ((json_t *)json_object_get(msg, "vduVim"), key, val)
        see_one(v, val);
    see_one(v, json_object_get(msg, "vimInstance"));
    pthread_mutex_unlock(&v->lock);
}

int vnfm_vims_lookup(struct vnfm_vims *v, const char *vim_id, json_t **ret, struct pop_error *e)
{
    pthread_mutex_lock(&v->lock);
    json_t *vim = json_object_get(v->seen, vim_id ? vim_id : "");
    if (!vim)
        vim = json_object_get(v->file, vim_id ? vim_id : "");
    json_incref(vim);
    pthread_mutex_unlock(&v->lock);
    if (!vim)
        return pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL,
                             "VIM instance %s unknown to this VNFM (not in %s%s, nor seen in an "
                             "INSTANTIATE or SCALE_OUT since it started)",
                             vim_id ? vim_id : "(none)", *v->path ? "VNFM_VIMS_FILE " : "",
                             *v->path ? v->path : "a VNFM_VIMS_FILE");
    *ret = vim;
    return 0;
}

void vnfm_vims_count(struct vnfm_vims *v, size_t *ret_file, size_t *ret_seen)
{
    pthread_mutex_lock(&v->lock);
    *ret_file = json_object_size(v->file);
    *ret_seen = json_object_size(v->seen);
    pthread_mutex_unlock(&v->lock);
}
