#!/bin/sh
# power-cut-setup: first boot of the power-cut group. Labels on the NVDIMM
# (each kill point gets its own fsdax namespace, so its own filesystem and
# journal), and a small raw namespace, pc-state, that carries what this
# boot records to the second boot. Background commits are put off for the
# whole boot (ext4 commit=3600 at mount, XFS's log worker at its longest
# interval, no periodic writeback), so that after the power cut each
# filesystem holds only what the repair itself made durable (fsync, syncfs)
# and what DAX wrote straight to the medium: the power cut comes right at
# the step, before any background commit could help.
. /usr/share/daxtest/lib.sh

plan 4
check init-labels sh -c 'ndctl disable-region all >/dev/null && ndctl init-labels -f all >/dev/null && ndctl enable-region all >/dev/null'
check state-namespace ndctl create-namespace -r region0 -m raw -s 16M -n pc-state
check xfs-log-worker sh -c 'echo 720000 >/proc/sys/fs/xfs/xfssyncd_centisecs'
check no-writeback sh -c 'echo 0 >/proc/sys/vm/dirty_writeback_centisecs && echo 360000 >/proc/sys/vm/dirty_expire_centisecs'
: >/tmp/pc-state
