# shellcheck shell=sh disable=SC2034
# bench/run.sh --vm: the benchmarks on a real DAX file.
DEVICES="nvdimm:1G"
SCENARIOS="ns-fsdax-labelless bench-probe"
