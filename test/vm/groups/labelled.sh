# shellcheck shell=sh disable=SC2034
# NVDIMM with a 128 KiB label area (1026 MiB backing file so that the region
# stays a multiple of 16 MiB): labels, a named fsdax namespace, DAX on it.
DEVICES="nvdimm-labelled:1026M"
SCENARIOS="ns-fsdax-labelled dax-always:xfs dax-inode:ext4 status:xfs:inode
	kernel-caps:ext4"
