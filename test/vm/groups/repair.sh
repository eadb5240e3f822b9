# shellcheck shell=sh disable=SC2034
# dax-admin badblocks --clear on a label-less 1 GiB NVDIMM: ext4, xfs with
# reflink and xfs without it (and, where the kernel has it, with
# exchange-range instead); then killed before every step it takes, and
# with a writer appending to the file (about 25 s per kill point under TCG).
DEVICES="nvdimm:1G"
TIMEOUT=2400
SCENARIOS="ns-fsdax-labelless
	badblocks-clear:ext4 badblocks-clear:xfs badblocks-clear:xfs-noreflink
	badblocks-killpoints:ext4 badblocks-killpoints:xfs badblocks-killpoints:xfs-noreflink
	badblocks-killpoints:xfs-exchange"
