# shellcheck shell=sh disable=SC2034
# dax-admin badblocks --clear on a label-less 1 GiB NVDIMM: ext4, xfs with
# reflink and xfs without it; killed at every step, and with a writer.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless
	badblocks-clear:ext4 badblocks-clear:xfs badblocks-clear:xfs-noreflink
	badblocks-killpoints:ext4 badblocks-killpoints:xfs badblocks-killpoints:xfs-noreflink"
