# shellcheck shell=sh disable=SC2034
# Labelled NVDIMM with a named fsdax namespace, XFS dax=always on /mnt/pmem.
DEVICES="nvdimm-labelled:1026M"
SCENARIOS="ns-fsdax-labelled mount-fs:xfs:always:pmem0:pmem capture"
