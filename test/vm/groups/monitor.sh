# shellcheck shell=sh disable=SC2034
# dax-admin monitor on real fsdax: software badblocks (seen at the next
# interval) and platform-reported errors (machine checks, which wake the
# monitor through the pollable badblocks attributes), ext4 and xfs.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless monitor:ext4 monitor:xfs"
