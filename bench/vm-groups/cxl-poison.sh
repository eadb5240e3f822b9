# shellcheck shell=sh disable=SC2034
# bench/bench-cxl-poison.sh: CXL poison to files on 100,000 files, in the
# 6.12 guest with one CXL type-3 pmem device (QEMU 10 from backports). 1 GiB:
# 100,000 files of 4 KiB and their metadata do not fit in 512 MiB.
DEVICES="cxl-pmem:1G"
QEMU=backports
KERNELS="6.12"
KERNELS_REASON="CXL regions are set up on 6.12 only (test/vm/README.md)"
SCENARIOS="cxl-region-1g=cxl-region:1:1073741824 bench-cxl-poison:xfs-rmapbt"
TIMEOUT=1800
