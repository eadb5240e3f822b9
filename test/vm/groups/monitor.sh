# shellcheck shell=sh disable=SC2034
# dax-admin monitor on real fsdax: software badblocks (seen at the next
# interval) and platform-reported errors (machine checks, which wake the
# monitor through the pollable badblocks attributes), ext4 and xfs; the
# monitor as its service runs it (waiting for a late mount, syslog, log
# rotation, unmount and remount) and dax-admin metrics with bad sectors.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless monitor:ext4 monitor:xfs monitor-service:ext4"
TOOLS="promtool"
# About 410 s under TCG (software emulation).
TIMEOUT=900
