// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * open-threads DIR-A DIR-B N: 4 threads each open, map (shared), read and
 * close DIR-A/f and DIR-B/f N times, as a multi-threaded program under the
 * enforcer would. Prints "opened=X refused=Y errors=Z" over all threads;
 * exit 0 unless something other than a refusal (EOPNOTSUPP) failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *dirs[2];
static long rounds;
static long opened, refused, errors;

static void *work(void *arg)
{
	char path[2][4096];

	for (int d = 0; d < 2; d++)
		snprintf(path[d], sizeof(path[d]), "%s/f", dirs[d]);
	for (long i = 0; i < rounds; i++) {
		for (int d = 0; d < 2; d++) {
			int fd = open(path[d], O_RDWR);
			void *p;

			if (fd < 0) {
				__atomic_add_fetch(errno == EOPNOTSUPP ? &refused : &errors, 1, __ATOMIC_RELAXED);
				continue;
			}
			__atomic_add_fetch(&opened, 1, __ATOMIC_RELAXED);
			p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				__atomic_add_fetch(errno == EOPNOTSUPP ? &refused : &errors, 1, __ATOMIC_RELAXED);
			else
				munmap(p, 4096);
			close(fd);
		}
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t[4];

	if (argc < 4)
		return 2;
	dirs[0] = argv[1];
	dirs[1] = argv[2];
	rounds = atol(argv[3]);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("opened=%ld refused=%ld errors=%ld\n", opened, refused, errors);
	return errors ? 1 : 0;
}
