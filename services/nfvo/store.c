/* Opens the database (see store.h). */
#include "store.h"

#include "db/db.h"
#include "nfvo_core_migrations.h"

#include <sys/stat.h>

int nfvo_store_open(const char *path, struct db_pool **ret)
{
    mode_t old = umask(077);
    int r = db_pool_open(path, nfvo_core_migrations, nfvo_core_migrations_count, ret);
    umask(old);
    return r;
}
