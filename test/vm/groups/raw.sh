# shellcheck shell=sh disable=SC2034
# Label-less NVDIMM left in raw mode: no DAX, silent and loud fallbacks.
DEVICES="nvdimm:1G"
SCENARIOS="raw-mode status-device:unsupported:namespace_raw_mode
	status-raw-xfs=status-device:unsupported:namespace_raw_mode:xfs:always
	set-dir-raw=set-dir-refused:xfs:inode:namespace_raw_mode
	status-devdax"
