/* The method table: every method of Open Baton's VIM driver interface (reference §2.4, one row
 * per overload, told apart by parameter count as plugin-sdk's PluginListener does), then the
 * mgmt methods. A row without a handler is a method a Pop cannot do: it answers an exception
 * saying so, never a pretend success (the thesis driver echoed its input). */
#include <string.h>

#include "core/cleanup.h"
#include "vimd-int.h"

#define UNSUPPORTED(name, n, why)                                                                  \
    {                                                                                              \
        name, n, NULL, why                                                                         \
    }

static const struct vimd_method methods[] = {
    {"refresh", 1, vimd_refresh, NULL},
    {"listServer", 1, vimd_list_servers, NULL},
    {"listNetworks", 1, vimd_list_networks, NULL},
    {"listImages", 1, vimd_list_images, NULL},
    {"listFlavors", 1, vimd_list_flavours, NULL},
    UNSUPPORTED("launchInstance", 8, "a Pop only creates containers through launchInstanceAndWait"),
    {"launchInstanceAndWait", 8, vimd_launch, NULL},
    {"launchInstanceAndWait", 10, vimd_launch, NULL},
    UNSUPPORTED("rebuildServer", 3, "a container's image is fixed; delete it and launch a new one"),
    {"deleteServerByIdAndWait", 2, vimd_delete_server, NULL},
    {"createNetwork", 2, vimd_create_network, NULL},
    {"getNetworkById", 2, vimd_get_network, NULL},
    UNSUPPORTED("updateNetwork", 2, "a Pop network cannot change once created"),
    {"deleteNetwork", 2, vimd_delete_network, NULL},
    UNSUPPORTED("createSubnet", 3, "a Pop network has exactly one subnet, made with it"),
    UNSUPPORTED("updateSubnet", 3, "a Pop network's subnet cannot change"),
    UNSUPPORTED("deleteSubnet", 2, "a Pop network's subnet goes only with the network"),
    UNSUPPORTED("getSubnetsExtIds", 2, "a Pop subnet has no id of its own; see getNetworkById"),
    UNSUPPORTED("addFlavor", 2, "flavours are the Pop's configuration (POPD_FLAVOURS)"),
    UNSUPPORTED("updateFlavor", 2, "flavours are the Pop's configuration (POPD_FLAVOURS)"),
    UNSUPPORTED("deleteFlavor", 2, "flavours are the Pop's configuration (POPD_FLAVOURS)"),
    UNSUPPORTED("addImage", 3, "images are loaded into the Pop's Docker Engine by its operator"),
    UNSUPPORTED("addImage", 4, "images are loaded into the Pop's Docker Engine by its operator"),
    UNSUPPORTED("updateImage", 2, "images are loaded into the Pop's Docker Engine by its operator"),
    UNSUPPORTED("copyImage", 3, "images are loaded into the Pop's Docker Engine by its operator"),
    UNSUPPORTED("deleteImage", 2,
                "images are removed from the Pop's Docker Engine by its operator"),
    {"getQuota", 1, vimd_get_quota, NULL},
    {"getType", 1, vimd_get_type, NULL},
    /* The VNF manager's functions (thesis mgmt protocol, §7.8), on the driver's own queue
     * with the VIM instance first (§11 item 4). */
    {"mgmtCheck", 2, vimd_mgmt_check, NULL},
    {"mgmtStart", 2, vimd_mgmt_start, NULL},
    {"mgmtStop", 2, vimd_mgmt_stop, NULL},
    {"mgmtAddMetadata", 3, vimd_mgmt_add_metadata, NULL},
    {"mgmtDelete", 2, vimd_mgmt_delete, NULL},
};

const struct vimd_method *vimd_methods(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(methods);
    return methods;
}

const struct vimd_method *vimd_method_find(const char *name, size_t n, bool *ret_known)
{
    bool known = false;
    for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
        if (strcmp(methods[i].name, name) != 0)
            continue;
        known = true;
        if (methods[i].n_params == n) {
            *ret_known = true;
            return &methods[i];
        }
    }
    *ret_known = known;
    return NULL;
}
