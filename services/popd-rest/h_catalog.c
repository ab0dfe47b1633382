/* GET /v1/images and GET /v1/flavours. */
#include "handlers.h"

#include "docker/docker.h"
#include "views.h"

#include <errno.h>
#include <string.h>

void h_images_list(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *id, *name;
    if (handler_query(req, "id", handler_check_image, &id) < 0 ||
        handler_query(req, "name", handler_check_image, &name) < 0)
        return;
    struct docker_client *dc = NULL;
    struct docker_image_info *imgs = NULL;
    size_t n = 0;
    int r = popd_docker_acquire(p, &dc);
    /* A query names at most one image: the engine looks that one up (a millisecond, where the
     * whole list costs several), and the filters below keep exactly what the list would. */
    if (r == 0 && (name || id)) {
        r = docker_image_inspect(dc, name ? name : id, &imgs);
        n = r == 0 ? 1 : 0;
        if (r == -ENOENT)
            r = 0;
    } else if (r == 0) {
        r = docker_image_list(dc, &imgs, &n);
    }
    if (r < 0) {
        http_reply_error(req, API_BAD_GATEWAY, "cannot list images: %s",
                         dc ? docker_last_error(dc) : "no engine client");
        popd_docker_release(p, dc);
        return;
    }
    popd_docker_release(p, dc);
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        bool match = !id || strcmp(imgs[i].id, id) == 0;
        if (name) {
            bool named = false;
            for (char **t = imgs[i].repo_tags; *t && !named; t++)
                named = strcmp(*t, name) == 0;
            match = match && named;
        }
        bool allowed = false;
        for (char **t = imgs[i].repo_tags; *t && !allowed; t++)
            allowed = popd_image_allowed(p, *t);
        if (match && allowed && imgs[i].repo_tags[0])
            json_array_append_new(items, view_image(&imgs[i]));
    }
    docker_image_info_free(imgs, n);
    http_reply_json(req, 200, view_list(items));
}

void h_flavours_list(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *id, *name;
    if (handler_query(req, "id", NULL, &id) < 0 || handler_query(req, "name", NULL, &name) < 0)
        return;
    json_t *items = json_array();
    for (size_t i = 0; items && i < p->n_flavours; i++)
        if ((!name || strcmp(name, p->flavours[i].id) == 0) &&
            (!id || strcmp(id, p->flavours[i].id) == 0))
            json_array_append_new(items, view_flavour(&p->flavours[i]));
    http_reply_json(req, 200, view_list(items));
}
