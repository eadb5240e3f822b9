# shellcheck shell=bash disable=SC2034
# (sourced by vm-common.sh)
#
# The QEMU a group boots with.  Debian 12's own (7.2) runs every NVDIMM and
# virtio-pmem group; CXL error injection needs the 10.0 of the
# bookworm-backports suite, which is fetched with a private apt
# configuration (the host's apt sources and installed QEMU are left alone),
# unpacked with dpkg -x and run with -L pointing at its firmware.
#
#   $BUILD/vm/cache/qemu-backports/root/   the unpacked packages
#
# Environment:
#   DAXTEST_VM_BACKPORTS_MIRROR   Debian mirror (default http://deb.debian.org/debian)

VM_QEMU_BACKPORTS_PKGS="qemu-system-x86 qemu-system-common qemu-system-data seabios"
VM_QEMU_BIN=qemu-system-x86_64
VM_QEMU_ARGS=()

# The host's QEMU: what every group uses unless it says QEMU=backports.
vm_qemu_host() {
	VM_QEMU_BIN=qemu-system-x86_64
	VM_QEMU_ARGS=()
}

# Fetch (once) and select the backports QEMU.  Returns 1 with
# VM_SKIP_REASON set when it cannot be had.
vm_qemu_backports() {
	local dir=$VM_CACHE/qemu-backports codename mirror apt tmp p out
	local -a opts

	if [ ! -f "$dir/ready" ]; then
		codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
		[ -n "$codename" ] || { vm_skip_tier "cannot tell the Debian release (/etc/os-release)"; return 1; }
		mirror=${DAXTEST_VM_BACKPORTS_MIRROR:-http://deb.debian.org/debian}
		tmp=$(mktemp -d "$VM_CACHE/.qemu.XXXXXX") || return 1
		apt=$tmp/apt
		mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$tmp/debs"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $codename-backports main" \
			>"$apt/sources.list"
		opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/none"
		      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		      -o "APT::Sandbox::User=root")
		echo "# vm: fetching QEMU from $codename-backports" >&2
		out=$tmp/apt.log
		if ! apt-get "${opts[@]}" update >"$out" 2>&1; then
			sed 's/^/# vm: apt-get: /' "$out" >&2
			rm -rf "$tmp"
			vm_skip_tier "cannot read $codename-backports from $mirror"
			return 1
		fi
		for p in $VM_QEMU_BACKPORTS_PKGS; do
			if ! (cd "$tmp/debs" && apt-get "${opts[@]}" download "$p/$codename-backports") >>"$out" 2>&1; then
				sed 's/^/# vm: apt-get: /' "$out" >&2
				rm -rf "$tmp"
				vm_skip_tier "cannot download $p from $codename-backports"
				return 1
			fi
		done
		for p in "$tmp"/debs/*.deb; do
			dpkg -x "$p" "$tmp/root" || { rm -rf "$tmp"; return 1; }
		done
		if ! "$tmp/root/usr/bin/qemu-system-x86_64" --version >"$tmp/version" 2>&1; then
			sed 's/^/# vm: /' "$tmp/version" >&2
			rm -rf "$tmp"
			vm_skip_tier "the backports QEMU does not run on this host"
			return 1
		fi
		rm -rf "$tmp/debs" "$apt"
		rm -rf "$dir"
		mv "$tmp" "$dir" && touch "$dir/ready"
		echo "# vm: $(head -n1 "$dir/version")" >&2
	fi
	VM_QEMU_BIN=$dir/root/usr/bin/qemu-system-x86_64
	VM_QEMU_ARGS=(-L "$dir/root/usr/share/qemu" -L "$dir/root/usr/share/seabios")
}
