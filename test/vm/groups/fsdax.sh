# shellcheck shell=sh disable=SC2034
# Label-less 1 GiB NVDIMM converted to fsdax: ext4 and xfs with dax=always
# and dax=inode, then a partition starting at 1 MiB.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless
	dax-always:ext4 dax-always:xfs
	dax-inode:ext4 dax-inode:xfs
	status:ext4:always status:ext4:inode status:ext4:never
	status:xfs:always status:xfs:inode status:xfs:never
	status-1k=status:ext4:inode:1k status-pending:ext4 status-pending:xfs
	set-dir:ext4 set-dir:xfs
	set-dir-never=set-dir-refused:ext4:never:mount_dax_never
	api:ext4 api:xfs wal:ext4 wal:xfs enforce:ext4 enforce:xfs
	badblocks:ext4 badblocks:xfs badblocks:xfs-rmapbt badblocks-reflink
	badblocks-dm:ext4 badblocks-dm:xfs-rmapbt
	partition:1M partition-ext4=dax-always:ext4
	dax-admin-version
	status-partition=status-device:active:partition_misaligned:ext4:always
	badblocks-partition=badblocks:ext4"
