# shellcheck shell=sh disable=SC2034
# CXL type-3 pmem device, one-way pmem region, fsdax namespace, ext4
# dax=always on /mnt/pmem (QEMU 10, kernel 6.12, as the cxl vm group).
DEVICES="cxl-pmem:512M"
QEMU=backports
KERNELS="6.12"
SCENARIOS="cxl-region mount-fs:ext4:always:pmem0:pmem capture"
