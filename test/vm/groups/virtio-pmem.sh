# shellcheck shell=sh disable=SC2034
# virtio-pmem: DAX without MAP_SYNC.
DEVICES="virtio-pmem:1G"
SCENARIOS="virtio-pmem status-device:active:async_dax_no_map_sync
	status-virtio-ext4=status-device:active:async_dax_no_map_sync:ext4:always
	api-virtio"
