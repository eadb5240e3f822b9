# shellcheck shell=sh disable=SC2034
# virtio-pmem: DAX without MAP_SYNC.
DEVICES="virtio-pmem:1G"
SCENARIOS="virtio-pmem"
