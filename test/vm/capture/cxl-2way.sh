# shellcheck shell=sh disable=SC2034
# Two CXL type-3 pmem devices, one pmem region interleaved over both (two
# ways, 256 bytes), fsdax namespace, ext4 dax=always on /mnt/pmem.
DEVICES="cxl-pmem:512M cxl-pmem:512M"
QEMU=backports
KERNELS="6.12"
SCENARIOS="cxl-region:2 mount-fs:ext4:always:pmem0:pmem capture"
