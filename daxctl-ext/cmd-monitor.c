// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin monitor [--wait] [--state FILE | --no-state] [--log FILE]
 * [--syslog] [--interval S] [--count N] [--timeout S] [-u] [MOUNT...]: wait
 * for new media errors on the disks under mounted filesystems and print one
 * JSON line per new bad range with the files it hits; --state keeps what
 * was reported across restarts, --log and --syslog tell it durably. With
 * --wait, pmem filesystems mounted later are watched as they appear (the
 * mount table is polled), and none being mounted is no reason to stop.
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
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "json.h"
#include "monitor-disks.h"
#include "monitor-events.h"
#include "monitor-log.h"
#include "monitor-state.h"
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
	for (size_t i = 0; i < m->nwatches && !m->failed; i++)
		if (!m->watches[i].gone)
			monitor_report_repairs(m, m->watches[i].mount, m->watches[i].disk->name);
	return m->failed ? m->failed : EXIT_OK;
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
		if (m->live == 0 && !m->wait) {
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

			if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGHUP)
				monitor_log_reopen(m);   /* the log was rotated */
			else
				break;   /* SIGINT or SIGTERM: a clean stop */
		}
		check = monitor_poll_woken(m, pfd);
		if (pfd[1].revents) {
			/* A mount came or went: drop, and with --wait add,
			 * filesystems; the new ones are read as at start. */
			rc = monitor_mounts_changed(m);
			if (rc == EXIT_OK)
				rc = monitor_start_fresh(m);
			if (rc != EXIT_OK)
				goto out;
			check = true;
		}
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
	OPT('w', "wait", NULL, "watch pmem filesystems as they are mounted; none mounted is no reason to stop"),
	OPT_LONG('s', "state", "FILE", "what was reported (default " MONITOR_STATE_DEFAULT " with --log or --syslog)"),
	OPT_LONG('S', "no-state", NULL, "keep no state file"),
	OPT('l', "log", "FILE", "append each event to FILE (rotatable: SIGHUP reopens it)"),
	OPT_LONG('y', "syslog", NULL, "one syslog message per event and file range"),
	OPT('i', "interval", "SECONDS", "how often to re-read the disks' lists (default 5)"),
	OPT('c', "count", "N", "exit after N events"),
	OPT('t', "timeout", "SECONDS", "exit after this long (0: record what is listed now, exit)"),
	OPT('u', "human", NULL, "human-friendly byte sizes on standard output"),
	OPT_END,
};
const struct cmd_spec monitor_spec = {
	"monitor", "[-w|--wait] [--state FILE | --no-state] [-l|--log FILE] [--syslog]\n"
	" [-i|--interval SECONDS] [-c|--count N] [-t|--timeout SECONDS] [-u|--human] [MOUNT...]", options
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
	for (size_t i = 0; i < m->ndisks; i++)
		m->disks[i]->fresh = false;
	rc = check_all(m, true);
	if (rc != EXIT_OK)
		return rc;
	for (size_t i = 0; i < m->nwatches; i++) {
		struct watch *w = &m->watches[i];

		cmd_error_path(MONITOR_CMD, w->mount, "watching %s (%zu bad range%s listed)", w->disk->name,
			       w->disk->seen.n, w->disk->seen.n == 1 ? "" : "s");
	}
	m->started = true;
	return EXIT_OK;
}

int cmd_monitor(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	struct monitor m = { .ctx = ctx, .log.fd = -1, .state.fd = -1, .mounts_fd = -1 };
	double interval = 5, timeout = -1;
	const char *log_name = NULL, *state_name = NULL;
	bool no_state = false;
	sigset_t mask, old;
	int opt, rc, sigfd = -1;

	sigemptyset(&old);

	while ((opt = cmd_getopt(argc, argv, &monitor_spec)) != -1) {
		switch (opt) {
		case 'l':
			log_name = optarg;
			break;
		case 's':
			state_name = optarg;
			break;
		case 'S':
			no_state = true;
			break;
		case 'y':
			m.syslog = true;
			break;
		case 'w':
			m.wait = true;
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
	if ((log_name && !log_name[0]) || (state_name && !state_name[0])) {
		cmd_error(MONITOR_CMD, NULL, "--%s: expected a file name", log_name && !log_name[0] ? "log" : "state");
		return EXIT_USAGE;
	}
	if (no_state && state_name) {
		cmd_error(MONITOR_CMD, NULL, "--state and --no-state exclude each other");
		return EXIT_USAGE;
	}
	if (m.wait && optind < argc) {
		cmd_error(MONITOR_CMD, NULL, "--wait watches every filesystem on persistent memory as it is mounted; name no mount point with it");
		return EXIT_USAGE;
	}
	/* What is told durably is told once: a log or syslog keeps a state. */
	if (!state_name && !no_state && (log_name || m.syslog))
		state_name = MONITOR_STATE_DEFAULT;
	if (m.syslog)
		openlog("dax-admin-monitor", LOG_PID, LOG_DAEMON);

	/* The state first: a damaged one is the first thing to know about. */
	rc = state_name ? monitor_state_open(&m, state_name) : EXIT_OK;
	if (rc == EXIT_OK && log_name)
		rc = monitor_log_open(&m, log_name);
	if (rc == EXIT_OK)
		rc = monitor_mounts_open(&m);
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
	monitor_file_close(&m.log);
	monitor_file_close(&m.state);
	if (m.syslog)
		closelog();
	monitor_disks_release(&m);
	monitor_watches_release(&m);
	return rc;
}
