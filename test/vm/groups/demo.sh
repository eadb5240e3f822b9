# shellcheck shell=sh disable=SC2034
# The README's demo: fsdax namespace, XFS dax=inode, dax-admin at work.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless demo"
