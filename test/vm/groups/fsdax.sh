# shellcheck shell=sh disable=SC2034
# Label-less 1 GiB NVDIMM converted to fsdax: ext4 and xfs with dax=always
# and dax=inode, then a partition starting at 1 MiB.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless
	dax-always:ext4 dax-always:xfs
	dax-inode:ext4 dax-inode:xfs
	partition:1M partition-ext4=dax-always:ext4
	dax-admin-version"
