# shellcheck shell=sh disable=SC2034
# dax-admin badblocks --clear cut by a power failure at each step: on a
# labelled 3 GiB NVDIMM, one 64 MiB fsdax namespace per kill point and
# filesystem (ext4, xfs with reflink, xfs without); the first boot stops a
# repair before each step (DAXPOLICY_TEST_STOP_AT) and asks the host to
# kill QEMU; the second boot, on the same backing file, checks that every
# repair finishes with the file intact (bad sector zeroed).
# Limit: under TCG there is no CPU cache, and QEMU's share=on backing file
# keeps every store the guest made (the host's page cache survives the
# SIGKILL of QEMU): the cut loses what the guest kernel had not written to
# the NVDIMM yet (uncommitted journal, page cache), never a store that a
# real CPU might still hold in its cache without a flush.
DEVICES="nvdimm-labelled:3074M"
TIMEOUT=1800
SCENARIOS="power-cut-setup power-cut-arm:ext4 power-cut-arm:xfs power-cut-arm:xfs-noreflink power-cut"
BOOT2="power-cut-check:ext4 power-cut-check:xfs power-cut-check:xfs-noreflink"
