/* A VNF component launched through a VIM driver (reference §2.5, NFVO 6's GenericVIM.allocate
 * and getVnfcInstance), for whoever allocates: pop-nfvo (ALLOCATE_RESOURCES, SCALING) or a VNFM
 * that allocates itself (pop-vnfm with VNFM_ALLOCATE=true). One implementation of the hostname,
 * launchInstanceAndWait's 10 parameters and the VNFCInstance made of the Server it answers, so
 * both allocation modes give the same records. JSON in, JSON out. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The hostname NFVO 6 gives a VNFC: "<vnfr name>-<rnd % 10000000>" (§11.18), in buf. */
void cat_launch_hostname(const char *vnfr_name, uint32_t rnd, char *buf, size_t size);

/* launchInstanceAndWait's parameters for component of vdu on vim (a Generic VIM, §2.5): [vim,
 * hostname, image = the VDU's first vm_image, flavor "", keyPair "", networks = the component's
 * connection points, securityGroups [], userdata "", floatingIps {}, keys []]. NULL on ENOMEM. */
json_t *cat_launch_params(const json_t *vim, const char *hostname, const json_t *vdu,
                          const json_t *component);

/* The VNFCInstance of server, which the driver launched for component of vdu (a VDU of vnfr) as
 * hostname on the VIM vim_id: vc_id = extId, vim_id, hostname, state = status, one ip per
 * Server.ips network (its first address), a connection point per component CP (its
 * virtual_link_reference, type internal), vnfComponent = component. It is appended to
 * vdu.vnfc_instance and every Server.ips address to vnfr.vnf_address (each list made when
 * missing). new_id gives each entity made its id (hbVersion 0 with it); NULL makes them without,
 * as a VNFM does (§11.6: the NFVO assigns them). Returns the instance (borrowed from vdu), NULL
 * on ENOMEM. */
json_t *cat_launch_add_instance(json_t *vnfr, json_t *vdu, const json_t *component,
                                const json_t *server, const char *vim_id, const char *hostname,
                                json_t *(*new_id)(void));
