# shellcheck shell=sh disable=SC2034
# 100,000 live daxpolicy_mmap(SYNC) mappings of one file under the default
# descriptor limit, on xfs and ext4 with dax=always, with the SIGBUS lookup
# resolving a bad sector under the last one (daxmanymaps).
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless map-many:xfs map-many:ext4"
