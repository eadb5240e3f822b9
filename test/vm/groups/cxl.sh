# shellcheck shell=sh disable=SC2034
# A CXL type-3 persistent-memory device (QEMU 10 from bookworm-backports):
# a pmem region made with 'cxl create-region', an fsdax namespace on it,
# DAX on ext4, the kernel's CXL poison interfaces, and CXL poison (injected
# by QMP from the host) mapped to files on ext4 and xfs.
DEVICES="cxl-pmem:512M"
QEMU=backports
KERNELS="6.12"
KERNELS_REASON="the CXL test bed was set up on 6.12 (test/vm/README.md); 6.1's CXL region support is untried"
SCENARIOS="cxl-region kernel-caps-cxl=kernel-caps:ext4:cxl cxl-status cxl-poison:ext4 cxl-poison:xfs cxl-poison:xfs-rmapbt cxl-clear:ext4 cxl-clear:xfs"
TOOLS="setpriv"
