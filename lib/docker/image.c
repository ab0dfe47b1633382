/* Images: list what the engine has locally (nothing can be pulled on a Pop host). */
#include "docker/docker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docker/docker-int.h"

void docker_image_info_free(struct docker_image_info *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].id);
        strv_free(list[i].repo_tags);
        strv_free(list[i].labels);
    }
    free(list);
}

int docker_image_list(struct docker_client *c, struct docker_image_info **ret, size_t *ret_n)
{
    _cleanup_json_ json_t *j = NULL;
    int r = docker_call(c, "GET", "/images/json", NULL, &j, NULL);
    if (r < 0)
        return r;
    if (!json_is_array(j)) {
        docker_set_error(c, "image list is not an array");
        return -EIO;
    }
    size_t n = json_array_size(j);
    struct docker_image_info *list = calloc(n ? n : 1, sizeof(*list));
    if (!list)
        return -ENOMEM;
    bool oom = false;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(j, i);
        list[i].id = docker_json_dup(e, "Id", &oom);
        list[i].repo_tags = docker_strv_from_json(json_object_get(e, "RepoTags"), &oom);
        list[i].created = json_integer_value(json_object_get(e, "Created"));
        list[i].size = json_integer_value(json_object_get(e, "Size"));
        list[i].labels = docker_labels_from_json(json_object_get(e, "Labels"), &oom);
    }
    if (oom) {
        docker_image_info_free(list, n);
        return -ENOMEM;
    }
    *ret = list;
    *ret_n = n;
    return 0;
}

/* Unix seconds of the engine's RFC 3339 "Created" (UTC, "2026-12-04T17:58:12.123456789Z"); 0
 * when it does not parse. */
static int64_t created_seconds(const char *s)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

int docker_image_inspect(struct docker_client *c, const char *ref, struct docker_image_info **ret)
{
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (docker_path(&path, "/images/", ref, "/json") < 0)
        return -ENOMEM;
    _cleanup_json_ json_t *j = NULL;
    int r = docker_call(c, "GET", strbuf_str(&path), NULL, &j, NULL);
    if (r < 0)
        return r;
    if (!json_is_object(j)) {
        docker_set_error(c, "image inspect is not an object");
        return -EIO;
    }
    struct docker_image_info *img = calloc(1, sizeof(*img));
    if (!img)
        return -ENOMEM;
    bool oom = false;
    img->id = docker_json_dup(j, "Id", &oom);
    img->repo_tags = docker_strv_from_json(json_object_get(j, "RepoTags"), &oom);
    img->created = created_seconds(docker_json_str(j, "Created"));
    img->size = json_integer_value(json_object_get(j, "Size"));
    img->labels =
        docker_labels_from_json(json_object_get(json_object_get(j, "Config"), "Labels"), &oom);
    if (oom) {
        docker_image_info_free(img, 1);
        return -ENOMEM;
    }
    *ret = img;
    return 0;
}
