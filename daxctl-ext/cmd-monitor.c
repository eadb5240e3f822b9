// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin monitor [--log FILE] [--interval S] [--count N] [--timeout S]
 * [-u] [MOUNT...]: wait for new media errors on the disks under mounted
 * filesystems and print one JSON line per new bad range with the files it
 * hits; --log keeps a durable record of them.
 *
 * Wake-ups: the nd regions' and the disks' badblocks attributes are
 * sysfs-notified when the platform reports an error; badblocks set by
 * software are not, so the disks' lists are also re-read every --interval
 * seconds. Ranges are compared sector by sector with what is already known,
 * so an error next to an old one is reported for its new sectors only.
 *
 * This file: the options and the main loop. The parts are listed in
 * monitor.h.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "json.h"
#include "monitor-disks.h"
#include "monitor-log.h"
#include "monitor-watch.h"
#include "monitor.h"
#include "parse-num.h"
#include "probe-paths.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --interval, --timeout: seconds (parse-num.h). */
static bool seconds_option(const char *opt, const char *arg, bool zero_ok, double *out)
{
	double v;
	int rc = parse_seconds(arg, &v);

	if (rc < 0 || (!zero_ok && v == 0)) {
		cmd_error(MONITOR_CMD, NULL, "%s: expected a number of seconds%s, got '%s'%s%s", opt,
			  zero_ok ? "" : " greater than 0", arg, rc < 0 ? ": " : "",
			  rc == -ERANGE ? "more than 1e9" : rc < 0 ? parse_num_strerror(rc) : "");
		return false;
	}
	*out = v;
	return true;
}

static int check_all(struct monitor *m, bool start)
{
	if (!start)
		monitor_check_mounts(m);
	for (size_t i = 0; i < m->ndisks && !monitor_count_reached(m); i++) {
		struct disk *d = m->disks[i];

		if (d->watched && monitor_check_disk(m, d, start))
			return m->failed ? m->failed : EXIT_UNMET;
	}
	return EXIT_OK;
}

static int run(struct monitor *m, double interval, double timeout, int sigfd)
{
	double start = now_seconds(), next = start + interval;
	double deadline = timeout >= 0 ? start + timeout : INFINITY;
	struct pollfd *pfd = NULL;
	int rc;

	for (;;) {
		size_t n;
		double now = now_seconds(), until = next < deadline ? next : deadline;
		bool check;
		int ms;

		if (monitor_count_reached(m))
			break;
		if (m->live == 0) {
			cmd_error(MONITOR_CMD, NULL, "no watched filesystem is left");
			rc = EXIT_UNMET;
			goto out;
		}
		if (now >= deadline) {
			if (m->count) {
				cmd_error(MONITOR_CMD, NULL, "timed out after %g seconds with %llu of %llu errors",
					  timeout, m->errors, m->count);
				rc = EXIT_UNMET;
				goto out;
			}
			break;
		}
		free(pfd);
		pfd = monitor_poll_set(m, sigfd, &n);
		if (!pfd) {
			cmd_error(MONITOR_CMD, NULL, "out of memory");
			rc = EXIT_UNMET;
			goto out;
		}
		ms = until > now ? (int)ceil((until - now) * 1000) : 0;
		if (poll(pfd, n, ms) < 0 && errno != EINTR) {
			cmd_error(MONITOR_CMD, NULL, "poll: %s", strerror(errno));
			rc = EXIT_UNMET;
			goto out;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) > 0)
				break;   /* SIGINT, SIGTERM or SIGHUP: a clean stop */
		}
		check = monitor_poll_woken(m, pfd);
		now = now_seconds();
		if (now >= next) {
			check = true;
			monitor_open_regions(m);
			next = now + interval;
		}
		if (check && (rc = check_all(m, false)) != EXIT_OK)
			goto out;
	}
	rc = EXIT_OK;
out:
	free(pfd);
	return rc;
}

static const struct cmd_option options[] = {
	OPT('l', "log", "FILE", "append each event to FILE; what it lists is not reported again"),
	OPT('i', "interval", "SECONDS", "how often to re-read the disks' lists (default 5)"),
	OPT('c', "count", "N", "exit after N events"),
	OPT('t', "timeout", "SECONDS", "exit after this long (0: record what is listed now, exit)"),
	OPT('u', "human", NULL, "human-friendly byte sizes on standard output"),
	OPT_END,
};
const struct cmd_spec monitor_spec = {
	"monitor", "[-l|--log FILE] [-i|--interval SECONDS] [-c|--count N]\n"
	" [-t|--timeout SECONDS] [-u|--human] [MOUNT...]", options
};

static void usage(FILE *out)
{
	cmd_usage(out, &monitor_spec);
}

/* Arm every wake-up before the first read, so nothing falls between; then
 * read what is there. An exit status. */
static int start_watching(struct monitor *m)
{
	int rc;

	monitor_open_regions(m);
	for (size_t i = 0; i < m->ndisks; i++)
		if (m->disks[i]->watched && monitor_open_disk(m->disks[i]) < 0) {
			cmd_error(MONITOR_CMD, m->disks[i]->name, "cannot open its badblocks: %s", strerror(errno));
			return EXIT_UNMET;
		}
	rc = check_all(m, true);
	if (rc != EXIT_OK)
		return rc;
	for (size_t i = 0; i < m->nwatches; i++) {
		struct watch *w = &m->watches[i];

		cmd_error_path(MONITOR_CMD, w->mount, "watching %s (%zu bad range%s listed)", w->disk->name,
			       w->disk->seen.n, w->disk->seen.n == 1 ? "" : "s");
	}
	return EXIT_OK;
}

int cmd_monitor(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	struct monitor m = { .ctx = ctx, .log.fd = -1 };
	double interval = 5, timeout = -1;
	const char *log_name = NULL;
	sigset_t mask, old;
	int opt, rc, sigfd = -1;

	sigemptyset(&old);

	while ((opt = cmd_getopt(argc, argv, &monitor_spec)) != -1) {
		switch (opt) {
		case 'l':
			log_name = optarg;
			break;
		case 'i':
			if (!seconds_option("--interval", optarg, false, &interval))
				return EXIT_USAGE;
			break;
		case 't':
			if (!seconds_option("--timeout", optarg, true, &timeout))
				return EXIT_USAGE;
			break;
		case 'c': {
			uint64_t n;
			int err = parse_u64(optarg, &n);

			if (err < 0 || n == 0) {
				cmd_error(MONITOR_CMD, NULL, "--count: expected a whole number greater than 0, got '%s'%s%s",
					  optarg, err < 0 ? ": " : "", err < 0 ? parse_num_strerror(err) : "");
				return EXIT_USAGE;
			}
			m.count = n;
			break;
		}
		case 'u':
			m.flags |= JSON_HUMAN;
			break;
		case 'h':
			cmd_help(stdout, &monitor_spec);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (log_name && !log_name[0]) {
		cmd_error(MONITOR_CMD, NULL, "--log: expected a file name");
		return EXIT_USAGE;
	}

	/* The log first: a damaged log is the first thing to know about. */
	rc = log_name ? monitor_log_open(&m, log_name) : EXIT_OK;
	if (rc == EXIT_OK)
		rc = optind < argc ? monitor_watch_args(&m, argv + optind, argc - optind) :
				     monitor_watch_all(&m);
	if (rc != EXIT_OK)
		goto out;

	/* Signals arrive through a descriptor polled with the rest. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		cmd_error(MONITOR_CMD, NULL, "signalfd: %s", strerror(errno));
		rc = EXIT_UNMET;
		goto out;
	}

	rc = start_watching(&m);
	if (rc == EXIT_OK)
		rc = run(&m, interval, timeout, sigfd);
out:
	if (sigfd >= 0) {
		close(sigfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	monitor_log_close(&m.log);
	monitor_disks_release(&m);
	monitor_watches_release(&m);
	return rc;
}
