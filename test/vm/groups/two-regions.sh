# shellcheck shell=sh disable=SC2034
# Two label-less NVDIMMs: two regions, two fsdax namespaces used at once.
DEVICES="nvdimm:1G nvdimm:1G"
SCENARIOS="two-regions status-all"
