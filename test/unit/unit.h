/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every Check suite of the unit tier shares. */
#ifndef DAXPOLICY_UNIT_H
#define DAXPOLICY_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Run @s and turn its result into the exit status automake expects. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
