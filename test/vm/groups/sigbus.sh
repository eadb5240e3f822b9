# shellcheck shell=sh disable=SC2034
# Bus errors on DAX mappings resolved to files from inside the SIGBUS
# handler: software badblocks (BUS_ADRERR) and MADV_HWPOISON
# (BUS_MCEERR_AR) on ext4 and xfs with dax=always, on a label-less 1 GiB
# NVDIMM. Poisoned pages stay poisoned, so the hwpoison cases come last.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless
	sigbus:badblock:ext4 sigbus:badblock:xfs
	sigbus:hwpoison:ext4 sigbus:hwpoison:xfs"
