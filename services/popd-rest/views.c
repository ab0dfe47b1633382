/* Entity -> JSON. Field names follow the .proto (snake_case). */
#include "views.h"

#include "docker/docker.h"

static json_t *view_subnet(const struct ipam_subnet *sn)
{
    char cidr[19], gw[16];
    ipam_format_cidr(sn, cidr);
    ipam_format_addr(sn->gateway, gw);
    return json_pack("{s:s, s:s}", "cidr", cidr, "gateway", gw);
}

json_t *view_container(const struct pop_container *c)
{
    json_t *names = json_pack("[s]", c->name);
    json_t *endpoints = json_object();
    json_t *md = json_object();
    for (size_t i = 0; endpoints && i < c->n_ep; i++) {
        const struct pop_endpoint *ep = &c->ep[i];
        char addr[16];
        ipam_format_addr(ep->ipv4, addr);
        json_object_set_new(endpoints, ep->net_name,
                            json_pack("{s:s, s:s, s:s, s:{s:s, s:o}, s:n, s:s}", "net_id",
                                      ep->network_id, "net_name", ep->net_name, "endpoint_id",
                                      ep->endpoint_id, "ipv4", "address", addr, "subnet",
                                      view_subnet(&ep->subnet), "ipv6", "mac", ""));
    }
    for (size_t i = 0; md && i < c->md.n; i++)
        json_object_set_new(md, c->md.entries[i].key, json_string(c->md.entries[i].value));
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:o}", "id", c->id,
                     "names", names, "image_id", c->image_id, "flavour_id", c->flavour_id,
                     "command", "", "created", (json_int_t)c->created, "started",
                     (json_int_t)c->started, "status", pop_status_name(c->status),
                     "extended_status", c->extended_status, "endpoints", endpoints, "md", md);
}

json_t *view_network(const struct pop_network *n)
{
    return json_pack("{s:s, s:s, s:b, s:b, s:[o], s:I}", "id", n->id, "name", n->name, "external",
                     0, "internal", n->internal, "subnets", view_subnet(&n->subnet), "created",
                     (json_int_t)n->created);
}

json_t *view_flavour(const struct popd_flavour *f)
{
    return json_pack("{s:s, s:s, s:I, s:I}", "id", f->id, "name", f->id, "vcpus",
                     (json_int_t)f->vcpus, "ram", (json_int_t)f->ram_mb);
}

json_t *view_image(const struct docker_image_info *img)
{
    json_t *names = json_array();
    for (char **t = img->repo_tags; names && *t; t++)
        json_array_append_new(names, json_string(*t));
    return json_pack("{s:s, s:o, s:I, s:I}", "id", img->id, "names", names, "created",
                     (json_int_t)img->created, "size", (json_int_t)img->size);
}

json_t *view_list(json_t *items)
{
    return json_pack("{s:o}", "list", items ? items : json_array());
}
