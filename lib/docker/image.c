/* Images: list what the engine has locally (nothing can be pulled on a Pop host). */
#include "docker/docker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
