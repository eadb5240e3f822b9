# shellcheck shell=sh disable=SC2034
# virtio-pmem device (asynchronous DAX), ext4 dax=always on /mnt/pmem.
DEVICES="virtio-pmem:1G"
SCENARIOS="mount-fs:ext4:always:pmem0:pmem capture"
