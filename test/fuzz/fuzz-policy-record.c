// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The value of a directory's "user.daxpolicy" extended attribute, which
 * any user who owns the directory can set to anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum daxpolicy_policy policy;

	if (dp_policy_parse_record((const char *)data, size, &policy) == 0) {
		/* Accepted: exactly the name of the policy it gives. */
		const char *name = daxpolicy_policy_name(policy);

		if (strlen(name) != size || memcmp(name, data, size))
			abort();
	} else if (policy != DAXPOLICY_POLICY_INHERIT) {
		abort();
	}
	return 0;
}
