# shellcheck shell=sh disable=SC2034
# Two CXL type-3 pmem devices on two root ports of one host bridge, one
# pmem region interleaved over both (two ways, 256-byte granularity), an
# fsdax namespace on it: dax-admin status names both memdevs and decoders,
# and dax-admin badblocks maps poison injected on either memdev to files.
DEVICES="cxl-pmem:512M cxl-pmem:512M"
QEMU=backports
KERNELS="6.12"
KERNELS_REASON="the CXL test bed was set up on 6.12 (test/vm/README.md); 6.1's CXL region support is untried"
SCENARIOS="cxl-region-2way=cxl-region:2 cxl-status:2 cxl-poison-2way=cxl-poison:xfs-rmapbt:2"
TOOLS="setpriv"
