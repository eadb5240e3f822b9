// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kernel modules DAX needs, through libkmod: loaded, built in, available. */
#include "config.h"

#include <errno.h>
#include <libkmod.h>
#include <string.h>

#include "private.h"

enum dp_module_state dp_module_state(struct daxpolicy_ctx *ctx, const char *name)
{
	enum dp_module_state state = DP_MODULE_UNKNOWN;
	struct kmod_list *list = NULL;
	struct kmod_module *mod;
	struct kmod_ctx *kctx;
	int rc;

	kctx = kmod_new(NULL, NULL);
	if (!kctx)
		return DP_MODULE_UNKNOWN;
	rc = kmod_module_new_from_name(kctx, name, &mod);
	if (rc == 0) {
		rc = kmod_module_get_initstate(mod);
		if (rc == KMOD_MODULE_BUILTIN)
			state = DP_MODULE_BUILTIN;
		else if (rc >= 0)
			state = DP_MODULE_LOADED;
		kmod_module_unref(mod);
	}
	if (state == DP_MODULE_UNKNOWN) {
		rc = kmod_module_new_from_lookup(kctx, name, &list);
		state = rc == 0 && list ? DP_MODULE_AVAILABLE : DP_MODULE_MISSING;
		kmod_module_unref_list(list);
	}
	kmod_unref(kctx);
	dbg(ctx, "module %s: state %d", name, state);
	return state;
}
