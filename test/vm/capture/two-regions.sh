# shellcheck shell=sh disable=SC2034
# Two NVDIMMs, two fsdax namespaces: ext4 dax=always on /mnt/pmem0, XFS with
# its default mode (inode, no option shown) on /mnt/pmem1.
DEVICES="nvdimm:1G nvdimm:1G"
SCENARIOS="ns-fsdax-labelless:namespace0.0 ns-fsdax-labelless:namespace1.0
	mount-fs:ext4:always:pmem0:pmem0 mount-fs:xfs:default:pmem1:pmem1 capture"
