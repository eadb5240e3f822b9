# shellcheck shell=sh disable=SC2034
# Label-less NVDIMM left in raw mode; XFS asked for dax=always on /mnt/pmem
# (the kernel turns DAX off and records dax=never).
DEVICES="nvdimm:1G"
SCENARIOS="mount-fs:xfs:always:pmem0:pmem capture"
