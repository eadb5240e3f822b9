// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The registry of file mappings: daxpolicy_mmap()'s own mappings and those
 * registered with daxpolicy_register_mapping(), searched by
 * daxpolicy_sigbus_lookup() from a signal handler (sigbus.c).
 *
 * Design. Registering must cost next to nothing beside the mmap(2) it
 * follows -- under emulation one more system call is half the price of an
 * mmap+munmap pair -- must not spend descriptors, and must not slow down
 * with 10,000 or 100,000 live mappings; the reader runs in a SIGBUS handler
 * that may interrupt anything, a writer of its own thread included, so it
 * takes no lock, allocates nothing, and never waits.
 *
 * - A registration is three numbers: start, length, file offset. It makes
 *   no system call and keeps no descriptor. What the file is, its device
 *   and the device's bad sectors are asked of the kernel when a lookup
 *   needs them (sigbus.c, map-vma.c): the kernel keeps the mapping's file
 *   for as long as the mapping lives, and names it through
 *   /proc/self/map_files -- whatever descriptor mapped it, and after
 *   renames. Nothing per file or per device is kept, so there is nothing
 *   to share, count or let go stale.
 * - Ranges are nodes of a skip list ordered by start address (ranges never
 *   overlap, but for a moment a split puts a tail in before cutting its
 *   head: both then say the same): insert, remove and find are O(log n)
 *   expected, with 1/4 of the nodes one level up. The same list is
 *   daxpolicy_mmap()'s table of its mappings (map.c): one lock, one
 *   insertion per mapping.
 * - Nothing a reader can reach is ever freed while the registry lives:
 *   nodes come from chunks that are only added to, and go back to a free
 *   list for reuse. A reader holding a stale pointer reads stale but valid
 *   memory.
 * - Readers are validated twice. Each node is a sequence lock (odd while
 *   it changes; every field a reader sees is stored and loaded atomically):
 *   a node found live, holding the address, and unchanged after it was
 *   copied is the answer, however the list moved meanwhile. "Not found"
 *   needs more: the registry's generation count is odd while a writer is
 *   inside and moves with every change; a search that found nothing is
 *   believed only when the count was even and did not move, otherwise
 *   -EAGAIN. A reader checks that keys grow along its path and bounds its
 *   steps, so a node reused under it cannot send it round in circles.
 * Writers are serialized by a mutex and never run in a signal handler.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map-registry.h"
#include "private.h"

#define NODES_PER_CHUNK 256
#define MAX_STEPS (1ul << 20)

struct node_chunk {
	struct node_chunk *next;
	struct dp_map_node v[NODES_PER_CHUNK];
};

struct dp_map_registry {
	pthread_mutex_t lock;
	unsigned int gen;                  /* odd while a writer is inside */
	struct dp_map_node head;           /* start 0, never a range */
	uint64_t rand;
	unsigned long page_size;
	size_t owned;
	struct node_chunk *node_chunks;
	struct dp_map_node *free_nodes;
};

struct dp_map_registry *dp_map_registry_new(void)
{
	struct dp_map_registry *reg = calloc(1, sizeof(*reg));
	long page = sysconf(_SC_PAGESIZE);

	if (!reg)
		return NULL;
	pthread_mutex_init(&reg->lock, NULL);
	reg->page_size = page > 0 ? (unsigned long)page : 4096;
	reg->rand = 0x9e3779b97f4a7c15ull ^ (uintptr_t)reg;
	reg->head.level = DP_MAP_LEVELS;
	return reg;
}

void dp_map_registry_free(struct dp_map_registry *reg)
{
	if (!reg)
		return;
	for (struct node_chunk *c = reg->node_chunks, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	pthread_mutex_destroy(&reg->lock);
	free(reg);
}

unsigned long dp_map_registry_page(const struct dp_map_registry *reg)
{
	return reg->page_size;
}

void dp_map_lock(struct dp_map_registry *reg)
{
	pthread_mutex_lock(&reg->lock);
	/* Every change that follows is a release store: a reader that sees
	 * one sees this count odd, or a later one. */
	__atomic_store_n(&reg->gen, reg->gen + 1, __ATOMIC_RELAXED);
}

void dp_map_unlock(struct dp_map_registry *reg)
{
	__atomic_store_n(&reg->gen, reg->gen + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg->lock);
}

size_t dp_map_owned(struct dp_map_registry *reg)
{
	return reg->owned;
}

/* ---- the skip list: writers, lock held ---- */

static void node_begin(struct dp_map_node *x)
{
	/* The stores that follow are release stores: see dp_map_lock(). */
	__atomic_store_n(&x->seq, x->seq + 1, __ATOMIC_RELAXED);
}

static void node_end(struct dp_map_node *x)
{
	__atomic_store_n(&x->seq, x->seq + 1, __ATOMIC_RELEASE);
}

static int random_level(struct dp_map_registry *reg)
{
	uint64_t r;
	int level = 1;

	/* xorshift64 */
	reg->rand ^= reg->rand << 13;
	reg->rand ^= reg->rand >> 7;
	reg->rand ^= reg->rand << 17;
	for (r = reg->rand; level < DP_MAP_LEVELS && (r & 3) == 0; r >>= 2)
		level++;
	return level;
}

/* The last node before @key on each level. */
static void find_preds(struct dp_map_registry *reg, uintptr_t key,
		       struct dp_map_node *update[DP_MAP_LEVELS])
{
	struct dp_map_node *x = &reg->head;

	for (int lvl = DP_MAP_LEVELS - 1; lvl >= 0; lvl--) {
		while (x->next[lvl] && x->next[lvl]->start < key)
			x = x->next[lvl];
		update[lvl] = x;
	}
}

static struct dp_map_node *node_alloc(struct dp_map_registry *reg)
{
	struct dp_map_node *x = reg->free_nodes;
	struct node_chunk *c;

	if (x) {
		reg->free_nodes = x->free_next;
		return x;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->next = reg->node_chunks;
	reg->node_chunks = c;
	for (size_t i = 1; i < NODES_PER_CHUNK; i++) {
		c->v[i].free_next = reg->free_nodes;
		reg->free_nodes = &c->v[i];
	}
	return &c->v[0];
}

/* Fill a free node and link it in after @update (the last node before
 * @start on each level), bottom level first. */
static struct dp_map_node *insert_after(struct dp_map_registry *reg, struct dp_map_node **update,
					uintptr_t start, size_t length, uint64_t offset)
{
	struct dp_map_node *x = node_alloc(reg);
	int level;

	if (!x)
		return NULL;
	level = random_level(reg);
	node_begin(x);
	DP_PUT(x->start, start);
	DP_PUT(x->offset, offset);
	DP_PUT(x->length, length);
	node_end(x);
	x->level = level;
	x->owned = x->sync = false;
	x->prot = 0;
	for (int i = 0; i < DP_MAP_LEVELS; i++)
		DP_PUT(x->next[i], i < level ? update[i]->next[i] : (struct dp_map_node *)NULL);
	for (int i = 0; i < level; i++)
		DP_PUT(update[i]->next[i], x);
	return x;
}

static struct dp_map_node *insert(struct dp_map_registry *reg, uintptr_t start, size_t length,
				  uint64_t offset)
{
	struct dp_map_node *update[DP_MAP_LEVELS];

	find_preds(reg, start, update);
	return insert_after(reg, update, start, length, offset);
}

/* Unlink a node that follows @update (the last nodes before its start),
 * top level first, and free it. */
static void erase(struct dp_map_registry *reg, struct dp_map_node **update, struct dp_map_node *x)
{
	for (int i = x->level - 1; i >= 0; i--)
		if (update[i]->next[i] == x)
			DP_PUT(update[i]->next[i], x->next[i]);
	node_begin(x);
	DP_PUT(x->length, (size_t)0);
	node_end(x);
	if (x->owned)
		reg->owned--;
	x->free_next = reg->free_nodes;
	reg->free_nodes = x;
}

static void set_range(struct dp_map_node *x, uintptr_t start, size_t length, uint64_t offset)
{
	node_begin(x);
	DP_PUT(x->start, start);
	DP_PUT(x->offset, offset);
	DP_PUT(x->length, length);
	node_end(x);
}

/* A node for [at, end of @x), same file and flags; NULL on ENOMEM. */
static struct dp_map_node *tail_of(struct dp_map_registry *reg, struct dp_map_node *x, uintptr_t at)
{
	struct dp_map_node *t = insert(reg, at, x->start + x->length - at, x->offset + (at - x->start));

	if (!t)
		return NULL;
	if (x->owned)
		dp_map_set_owned(reg, t, x->prot, x->sync);
	return t;
}

/* Take [start, end) out; @update is the last node before @start on each
 * level, and stays so (nodes go or move to @end and beyond). */
static int remove_after(struct dp_map_registry *reg, struct dp_map_node **update, uintptr_t start,
			uintptr_t end)
{
	struct dp_map_node *x = update[0];
	int rc = 0;

	if (x != &reg->head && x->start + x->length > start) {
		/* Begins before the range: keep its head. The tail first:
		 * until the head is cut, both hold it, with the same answer. */
		if (x->start + x->length > end && !tail_of(reg, x, end))
			rc = -ENOMEM;
		set_range(x, x->start, start - x->start, x->offset);
	}
	while ((x = update[0]->next[0]) != NULL && x->start < end) {
		if (x->start + x->length <= end) {
			erase(reg, update, x);
		} else {
			set_range(x, end, x->start + x->length - end, x->offset + (end - x->start));
			break;
		}
	}
	return rc;
}

int dp_map_remove(struct dp_map_registry *reg, uintptr_t start, uintptr_t end)
{
	struct dp_map_node *update[DP_MAP_LEVELS];

	find_preds(reg, start, update);
	return remove_after(reg, update, start, end);
}

int dp_map_replace(struct dp_map_registry *reg, uintptr_t start, size_t length, uint64_t offset,
		   struct dp_map_node **node)
{
	struct dp_map_node *update[DP_MAP_LEVELS];
	int rc;

	find_preds(reg, start, update);
	rc = remove_after(reg, update, start, start + length);
	*node = insert_after(reg, update, start, length, offset);
	return *node ? rc : -ENOMEM;
}

struct dp_map_node *dp_map_add(struct dp_map_registry *reg, uintptr_t start, size_t length,
			       uint64_t offset)
{
	return insert(reg, start, length, offset);
}

void dp_map_set_owned(struct dp_map_registry *reg, struct dp_map_node *x, int prot, bool sync)
{
	if (!x->owned)
		reg->owned++;
	x->owned = true;
	x->prot = prot;
	x->sync = sync;
}

int dp_map_split(struct dp_map_registry *reg, uintptr_t at)
{
	struct dp_map_node *update[DP_MAP_LEVELS], *x;

	find_preds(reg, at, update);
	x = update[0];
	if (x == &reg->head || x->start + x->length <= at)
		return 0;
	if (!tail_of(reg, x, at))
		return -ENOMEM;
	set_range(x, x->start, at - x->start, x->offset);
	return 0;
}

struct dp_map_node *dp_map_first(struct dp_map_registry *reg, uintptr_t addr)
{
	struct dp_map_node *update[DP_MAP_LEVELS], *x;

	find_preds(reg, addr, update);
	x = update[0];
	if (x != &reg->head && x->start + x->length > addr)
		return x;
	return x->next[0];
}

struct dp_map_node *dp_map_next(struct dp_map_node *x)
{
	return x->next[0];
}

/* ---- readers: async-signal-safe ---- */

void (*dp_map_find_between)(struct dp_map_registry *reg);

bool dp_map_unchanged(const struct dp_map_snapshot *snap)
{
	return DP_GET(snap->node->seq) == snap->seq;
}

int dp_map_find(struct dp_map_registry *reg, uintptr_t addr, struct dp_map_snapshot *snap)
{
	unsigned int gen = DP_GET(reg->gen), seq;
	void (*between)(struct dp_map_registry *reg);
	struct dp_map_node *x = &reg->head, *nx;
	uintptr_t key = 0;
	unsigned long steps = 0;

	for (int lvl = DP_MAP_LEVELS - 1; lvl >= 0; lvl--) {
		while ((nx = DP_GET(x->next[lvl])) != NULL) {
			uintptr_t s = DP_GET(nx->start);

			if (s > addr)
				break;
			/* Keys grow along any path through a list at rest. */
			if ((x != &reg->head && s <= key) || ++steps > MAX_STEPS)
				return -EAGAIN;
			x = nx;
			key = s;
		}
	}
	if (x != &reg->head && !((seq = DP_GET(x->seq)) & 1)) {
		snap->start = DP_GET(x->start);
		snap->length = DP_GET(x->length);
		if (snap->length && addr >= snap->start && addr - snap->start < snap->length) {
			snap->offset = DP_GET(x->offset);
			snap->node = x;
			snap->seq = seq;
			if (dp_map_unchanged(snap))
				return 0;
		}
	}
	if ((between = __atomic_load_n(&dp_map_find_between, __ATOMIC_ACQUIRE)) != NULL)
		between(reg);
	if (!(gen & 1) && DP_GET(reg->gen) == gen)
		return -ENOENT;
	return -EAGAIN;
}
