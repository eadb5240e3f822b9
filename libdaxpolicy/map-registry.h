/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The registry of mappings (map-registry.c): what daxpolicy_mmap() keeps
 * of its mappings, what daxpolicy_register_mapping() adds, and what
 * daxpolicy_sigbus_lookup() (sigbus.c) searches from a signal handler;
 * and the file behind a mapping (map-vma.c). See map-registry.c for the
 * design.
 */
#ifndef DAXPOLICY_MAP_REGISTRY_H
#define DAXPOLICY_MAP_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <daxpolicy/libdaxpolicy.h>

#define DP_MAP_LEVELS 12   /* skip list levels: 4^12 = 16M nodes */

/* Atomic stores and loads: every field a reader may see while a writer
 * changes it is written and read with these, never torn. */
#define DP_PUT(field, val) __atomic_store_n(&(field), (val), __ATOMIC_RELEASE)
#define DP_GET(field) __atomic_load_n(&(field), __ATOMIC_ACQUIRE)

/* One registered range. */
struct dp_map_node {
	unsigned int seq;          /* odd while the node changes */
	uintptr_t start;
	size_t length;             /* 0: not in the list */
	uint64_t offset;           /* file offset of start */
	/* Writers only (daxpolicy_mmap's own mappings). */
	bool owned, sync;
	int prot;
	int level;
	struct dp_map_node *free_next;
	struct dp_map_node *next[DP_MAP_LEVELS];
};

struct dp_map_registry;

struct dp_map_registry *dp_map_registry_new(void);
void dp_map_registry_free(struct dp_map_registry *reg);
unsigned long dp_map_registry_page(const struct dp_map_registry *reg);

/* Writers: between dp_map_lock() and dp_map_unlock(). */
void dp_map_lock(struct dp_map_registry *reg);
void dp_map_unlock(struct dp_map_registry *reg);
/* Take [start, end) out of the registry, splitting ranges around it; the
 * part beyond a hole that cannot be made a node of its own is forgotten
 * and -ENOMEM returned. */
int dp_map_remove(struct dp_map_registry *reg, uintptr_t start, uintptr_t end);
/* Add a range (replacing nothing: call dp_map_remove first); NULL on
 * ENOMEM. */
struct dp_map_node *dp_map_add(struct dp_map_registry *reg, uintptr_t start, size_t length,
			       uint64_t offset);
/* Both: [start, start + length) replaces what was registered there, with
 * one search. -ENOMEM with *@node NULL when it could not be added. */
int dp_map_replace(struct dp_map_registry *reg, uintptr_t start, size_t length, uint64_t offset,
		   struct dp_map_node **node);
/* Make a node start at @at when one holds it (0 or -ENOMEM). */
int dp_map_split(struct dp_map_registry *reg, uintptr_t at);
/* The first node that ends after @addr, and the one after @node. */
struct dp_map_node *dp_map_first(struct dp_map_registry *reg, uintptr_t addr);
struct dp_map_node *dp_map_next(struct dp_map_node *node);
/* How many nodes are daxpolicy_mmap() mappings (owned). */
size_t dp_map_owned(struct dp_map_registry *reg);
void dp_map_set_owned(struct dp_map_registry *reg, struct dp_map_node *node, int prot, bool sync);

/* ---- map-vma.c: the file behind a mapping, from the kernel's own record
 * of it (async-signal-safe: open, read, readlink, fstat, close) ---- */

/* The file mapped at @addr: its name now, device and inode, and the file
 * offset of @addr, from /proc/self/maps (every line read: a last resort,
 * or for callers that are not in a hurry). 0,
 * -ENOENT (no file mapping there) or another negative errno. */
int dp_vma_by_maps(uintptr_t addr, char *path, size_t size, uint64_t *dev,
		   uint64_t *ino, uint64_t *offset);
/* Open the file a mapping names: by @path, checked to be the inode @dev,
 * @ino (-ESTALE when the name leads elsewhere now), without opening a
 * FIFO or a device on the way; @dev and @ino of 0 take the file found. */
int dp_vma_open(const char *path, uint64_t *dev, uint64_t *ino, int flags);
/* Where the mapping [@start, @end) (as the kernel has it: one VMA) maps
 * from, by /proc/self/map_files: O(log n) in the kernel. */
int dp_vma_name(uintptr_t start, uintptr_t end, char *path, size_t size);

/* The reader (async-signal-safe): the node holding @addr, with a snapshot
 * of what it says. 0, -ENOENT, or -EAGAIN when the registry changed under
 * the search. */
struct dp_map_snapshot {
	struct dp_map_node *node;
	unsigned int seq;
	uintptr_t start;
	size_t length;
	uint64_t offset;
};
int dp_map_find(struct dp_map_registry *reg, uintptr_t addr, struct dp_map_snapshot *snap);
/* The node is still what the snapshot says. */
bool dp_map_unchanged(const struct dp_map_snapshot *snap);
/* Tests only (NULL otherwise): called by dp_map_find() after a search that
 * found nothing, before it looks at the generation count again, so that a
 * test can make a change land exactly there. */
extern void (*dp_map_find_between)(struct dp_map_registry *reg);

#endif /* DAXPOLICY_MAP_REGISTRY_H */
