# shellcheck shell=sh disable=SC2034
# Label-less NVDIMM in fsdax mode, ext4 mounted with dax=always on /mnt/pmem.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless mount-fs:ext4:always:pmem0:pmem capture"
