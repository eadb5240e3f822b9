// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lmdb-writemap DIR N: an LMDB environment in DIR written through its
 * shared writable mapping (MDB_WRITEMAP), as a database under the enforcer
 * would be. Writes N keys, reports whether the data.mdb mapping has
 * synchronous faults (VmFlags "sf"), then reopens the environment and
 * checks every key. Prints "ok sf=0|1 keys=N"; exit 1 when LMDB fails.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int data_mapping_sf(void)
{
	char line[512];
	int in = 0, sf = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strstr(line, "/data.mdb"))
			in = 1;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			sf = strstr(line, " sf") != NULL;
			break;
		}
	}
	fclose(f);
	return sf;
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "lmdb-writemap: %s: %s\n", what, mdb_strerror(rc));
	return 1;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 100;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc, sf;
	long found = 0;

	if (argc < 2)
		return 2;
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_mapsize(env, 16u << 20)) ||
	    (rc = mdb_env_open(env, argv[1], MDB_WRITEMAP, 0644)))
		return fail("open", rc);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) || (rc = mdb_dbi_open(txn, NULL, 0, &dbi)))
		return fail("begin", rc);
	for (long i = 0; i < n; i++) {
		char k[32], v[64];
		MDB_val key = { (size_t)snprintf(k, sizeof(k), "key%ld", i), k };
		MDB_val val = { (size_t)snprintf(v, sizeof(v), "value %ld", i), v };

		if ((rc = mdb_put(txn, dbi, &key, &val, 0)))
			return fail("put", rc);
	}
	if ((rc = mdb_txn_commit(txn)))
		return fail("commit", rc);
	sf = data_mapping_sf();
	mdb_env_close(env);

	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_open(env, argv[1], MDB_RDONLY, 0644)) ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) || (rc = mdb_dbi_open(txn, NULL, 0, &dbi)))
		return fail("reopen", rc);
	for (long i = 0; i < n; i++) {
		char k[32], v[64];
		MDB_val key = { (size_t)snprintf(k, sizeof(k), "key%ld", i), k }, val;

		snprintf(v, sizeof(v), "value %ld", i);
		if (mdb_get(txn, dbi, &key, &val) == 0 && val.mv_size == strlen(v) &&
		    memcmp(val.mv_data, v, val.mv_size) == 0)
			found++;
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
	printf("ok sf=%d keys=%ld\n", sf, found);
	return found == n ? 0 : 1;
}
