# shellcheck shell=sh disable=SC2034
# fsdax pmem0 with one partition starting at 1 MiB, ext4 dax=always on it.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless partition:1M mount-fs:ext4:always:pmem0p1:pmem capture"
