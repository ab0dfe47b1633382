/* pop-nfvo's database: one SQLite file (WAL, synchronous=FULL) with the migrations of
 * db/migrations/nfvo/, created readable by the NFVO alone (it holds broker passwords). */
#pragma once

struct db_pool;

/* Returns 0 and *ret, or db_pool_open's error. */
int nfvo_store_open(const char *path, struct db_pool **ret);
