# shellcheck shell=bash disable=SC2034
# (variables set here are read by run.sh and capture-fixtures.sh)
#
# Host-side functions of the VM test tier, sourced by run.sh and
# capture-fixtures.sh.  They fetch and cache a stock Debian kernel, build an
# initramfs around busybox, boot QEMU with emulated persistent memory and turn
# the guest's result lines into PASS/FAIL/SKIP lines.
#
# Layout under the build tree:
#   $BUILD/vm/cache/kernel/<pkg>-<key>/   unpacked kernel, pruned to the modules used
#   $BUILD/vm/initramfs/                  system.cpio.gz (cached), project.cpio.gz
#   $BUILD/vm/stage/                      "make install DESTDIR=" of the project
#   $BUILD/vm/work/<group>/               per-boot scratch (initrd, pmem backing files)
#   $BUILD/vm/logs/<group>.log            guest console
#   $BUILD/vm/logs/<group>.results        result channel (second serial port)
#
# Environment:
#   DAXTEST_VM_ACCEL        auto (default), kvm or tcg
#   DAXTEST_VM_TIMEOUT      seconds per boot (default 120 with KVM, 420 with TCG)
#   DAXTEST_VM_SMP          guest CPUs (default 2 with KVM, 1 with TCG)
#   DAXTEST_VM_KERNEL_PKG   kernel package instead of what linux-image-amd64 depends on
#   DAXTEST_VM_STAGE        staged install tree (default $BUILD/vm/stage)
#   DAXTEST_VM_DAXTEST      daxtest binary (default $BUILD/test/helpers/daxtest)

VM_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Modules loaded in the guest, in this order; modprobe on the host adds their
# dependencies.  Missing ones only produce a warning.
VM_MODULES="libnvdimm nfit nd_btt nd_pmem dax_pmem device_dax nd_e820
virtio_pci virtio_pmem virtio_blk ext4 xfs hwpoison_inject mce_inject dm_mod"

# Host programs copied into the guest with their libraries.
VM_TOOLS_REQUIRED="busybox ndctl daxctl mkfs.ext4 mkfs.xfs xfs_io jq"
VM_TOOLS_OPTIONAL="filefrag mke2fs tune2fs dumpe2fs e2fsck xfs_db xfs_repair
xfs_spaceman sfdisk sqlite3 dmsetup"

VM_RESULT_TAG='@@DAXTEST'

VM_PASS=0
VM_FAIL=0
VM_SKIP=0
VM_SKIP_REASON=

vm_warn() {
	echo "# vm: warning: $*" >&2
}

vm_skip_tier() {
	VM_SKIP_REASON=$*
	return 1
}

# Print a result line and count it.
vm_result() {
	local kind=$1 name=$2 detail=${3:-}

	case $kind in
	PASS)
		VM_PASS=$((VM_PASS + 1))
		echo "PASS: $name"
		;;
	FAIL)
		VM_FAIL=$((VM_FAIL + 1))
		echo "FAIL: $name: ${detail:-failed}"
		;;
	SKIP)
		VM_SKIP=$((VM_SKIP + 1))
		echo "SKIP: $name: ${detail:-skipped}"
		;;
	esac
}

vm_now() {
	date +%s.%N
}

vm_elapsed() {
	awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }'
}

vm_setup() {
	local build=$1

	if [ -z "$build" ] || ! mkdir -p "$build/vm"; then
		echo "vm: cannot use build directory '$build'" >&2
		return 2
	fi
	VM_BUILD=$(cd "$build" && pwd)
	VM_DIR=$VM_BUILD/vm
	VM_CACHE=$VM_DIR/cache
	VM_LOGS=$VM_DIR/logs
	VM_WORK=$VM_DIR/work
	VM_INITRAMFS=$VM_DIR/initramfs
	VM_STAGE=${DAXTEST_VM_STAGE:-$VM_DIR/stage}
	mkdir -p "$VM_CACHE/kernel" "$VM_LOGS" "$VM_WORK" "$VM_INITRAMFS"
	rm -rf "$VM_LOGS/json"
}

vm_find_tool() {
	local name=$1 d

	for d in /usr/sbin /usr/bin /sbin /bin; do
		if [ -x "$d/$name" ] && [ ! -d "$d/$name" ]; then
			echo "$d/$name"
			return 0
		fi
	done
	command -v "$name" 2>/dev/null
}

vm_check_host() {
	local c t

	for c in qemu-system-x86_64 timeout cpio gzip depmod modprobe ldd \
		 apt-get apt-cache dpkg; do
		[ -n "$(vm_find_tool "$c")" ] ||
			vm_skip_tier "host program '$c' not found (see test/vm/host-packages.txt)" ||
			return 1
	done
	for t in $VM_TOOLS_REQUIRED; do
		[ -n "$(vm_find_tool "$t")" ] ||
			vm_skip_tier "guest program '$t' not found on the host (see test/vm/host-packages.txt)" ||
			return 1
	done
}

vm_kvm_usable() {
	[ -c /dev/kvm ] && { exec 3<>/dev/kvm; } 2>/dev/null && exec 3>&-
}

# /dev/kvm can be present and openable yet unable to run a stock kernel (a
# nested hypervisor that only runs specially built guests, for example).
# Boot the kernel without a root filesystem once: under working KVM it
# reaches "Kernel panic ... VFS: Unable to mount root fs" within a second or
# two.  The verdict is cached per host kernel and guest kernel.
vm_kvm_works() {
	local stamp=$VM_CACHE/kvm-probe key verdict out

	vm_kvm_usable || return 1
	key="$(uname -r) $VM_KVER"
	if [ -f "$stamp" ] && [ "$(sed -n 1p "$stamp")" = "$key" ]; then
		[ "$(sed -n 2p "$stamp")" = yes ]
		return
	fi
	out=$(timeout -k 2 10 qemu-system-x86_64 -machine pc,accel=kvm -cpu max \
		-smp 1 -m 256M -nodefaults -no-reboot -display none \
		-kernel "$VM_VMLINUZ" -append "console=ttyS0 panic=-1 loglevel=1" \
		-serial stdio -monitor none </dev/null 2>&1)
	if printf '%s\n' "$out" | grep -aq 'Kernel panic'; then
		verdict=yes
	else
		verdict=no
		vm_warn "/dev/kvm is present but cannot boot $VM_KVER; using TCG"
	fi
	printf '%s\n%s\n' "$key" "$verdict" >"$stamp"
	[ "$verdict" = yes ]
}

vm_choose_accel() {
	case ${DAXTEST_VM_ACCEL:-auto} in
	auto)
		if vm_kvm_works; then
			VM_ACCEL=kvm
			VM_ACCEL_OPT=kvm:tcg
		else
			VM_ACCEL=tcg
			VM_ACCEL_OPT=tcg
		fi
		;;
	kvm)
		vm_kvm_usable ||
			vm_skip_tier "DAXTEST_VM_ACCEL=kvm but /dev/kvm cannot be opened" ||
			return 1
		VM_ACCEL=kvm
		VM_ACCEL_OPT=kvm
		;;
	tcg)
		VM_ACCEL=tcg
		VM_ACCEL_OPT=tcg
		;;
	*)
		echo "vm: DAXTEST_VM_ACCEL must be auto, kvm or tcg" >&2
		return 2
		;;
	esac
	if [ "$VM_ACCEL" = kvm ]; then
		VM_TIMEOUT=${DAXTEST_VM_TIMEOUT:-120}
		VM_SMP=${DAXTEST_VM_SMP:-2}
	else
		VM_TIMEOUT=${DAXTEST_VM_TIMEOUT:-420}
		VM_SMP=${DAXTEST_VM_SMP:-1}
	fi
}

# ---------------------------------------------------------------- kernel

# The modules directory inside an unpacked kernel package.
vm_moddir() {
	local root=$1 kver=$2

	if [ -d "$root/lib/modules/$kver" ]; then
		echo "$root/lib/modules/$kver"
	else
		echo "$root/usr/lib/modules/$kver"
	fi
}

vm_decompress_module() {
	local f=$1

	case $f in
	*.ko.xz) xz -d -f "$f" ;;
	*.ko.zst) zstd -q -d --rm -f "$f" ;;
	*.ko.gz) gzip -d -f "$f" ;;
	*) return 0 ;;
	esac
}

# Download PKG, unpack it, keep the kernel image and the modules in
# VM_MODULES with their dependencies, and record the load order.
vm_fetch_kernel() {
	local pkg=$1 dest=$2 tmp kver moddir m line path keep rel n

	tmp=$(mktemp -d "$VM_CACHE/kernel/.fetch.XXXXXX") || return 1
	echo "# vm: fetching $pkg" >&2
	if ! (cd "$tmp" && apt-get download "$pkg") >"$tmp/apt.log" 2>&1; then
		sed 's/^/# vm: apt-get: /' "$tmp/apt.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	if ! dpkg -x "$tmp"/*.deb "$tmp/root"; then
		rm -rf "$tmp"
		return 1
	fi
	rm -f "$tmp"/*.deb
	kver=
	for m in "$tmp"/root/lib/modules/* "$tmp"/root/usr/lib/modules/*; do
		[ -d "$m" ] && kver=${m##*/}
	done
	if [ -z "$kver" ] || [ ! -f "$tmp/root/boot/vmlinuz-$kver" ]; then
		echo "# vm: $pkg contains no kernel image and modules" >&2
		rm -rf "$tmp"
		return 1
	fi
	if [ ! -e "$tmp/root/lib/modules" ]; then
		mkdir -p "$tmp/root/lib"
		ln -s ../usr/lib/modules "$tmp/root/lib/modules"
	fi
	moddir=$(vm_moddir "$tmp/root" "$kver")
	depmod -b "$tmp/root" "$kver" || { rm -rf "$tmp"; return 1; }

	: >"$tmp/modules.load"
	: >"$tmp/modules.missing"
	for m in $VM_MODULES; do
		if ! modprobe -C /dev/null -d "$tmp/root" -S "$kver" \
			--show-depends "$m" >"$tmp/deps" 2>/dev/null; then
			echo "$m" >>"$tmp/modules.missing"
			continue
		fi
		while read -r line path _; do
			[ "$line" = insmod ] || continue
			rel=${path#"$moddir"/}
			grep -qxF "$rel" "$tmp/modules.load" || echo "$rel" >>"$tmp/modules.load"
		done <"$tmp/deps"
	done
	rm -f "$tmp/deps"

	# Keep only what the guest loads, uncompressed, and index it again.
	keep=$tmp/keep
	mkdir -p "$keep"
	while read -r rel; do
		mkdir -p "$keep/${rel%/*}"
		mv "$moddir/$rel" "$keep/$rel"
		vm_decompress_module "$keep/$rel"
	done <"$tmp/modules.load"
	sed -i -e 's/\.ko\.\(xz\|zst\|gz\)$/.ko/' "$tmp/modules.load"
	rm -rf "$moddir/kernel" "$moddir/updates" "$moddir/extra"
	cp -a "$keep"/. "$moddir"/
	rm -rf "$keep"
	rm -rf "$tmp/root/usr/share" "$tmp/root/usr/lib/linux" 2>/dev/null
	depmod -b "$tmp/root" "$kver" || { rm -rf "$tmp"; return 1; }

	mv "$tmp/root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
	echo "$kver" >"$tmp/kver"
	echo "$pkg" >"$tmp/pkg"
	n=$(wc -l <"$tmp/modules.load")
	echo "# vm: $pkg: kernel $kver, $n module files kept" >&2
	rm -rf "$dest"
	mv "$tmp" "$dest" && touch "$dest/ready"
}

vm_use_kernel() {
	VM_KDIR=$1
	VM_KVER=$(cat "$VM_KDIR/kver")
	VM_KPKG=$(cat "$VM_KDIR/pkg")
	VM_VMLINUZ=$VM_KDIR/vmlinuz
	if [ -s "$VM_KDIR/modules.missing" ]; then
		vm_warn "kernel $VM_KVER lacks modules: $(tr '\n' ' ' <"$VM_KDIR/modules.missing")"
	fi
}

vm_kernel() {
	local pkg key dir newest

	# shellcheck disable=SC2086
	key=$(printf '%s\n' $VM_MODULES | cksum | cut -d' ' -f1)
	pkg=${DAXTEST_VM_KERNEL_PKG:-}
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	if [ -n "$pkg" ]; then
		dir=$VM_CACHE/kernel/$pkg-$key
		if [ -f "$dir/ready" ] || vm_fetch_kernel "$pkg" "$dir"; then
			vm_use_kernel "$dir"
			return 0
		fi
	fi
	# Offline or the archive moved on: fall back to any cached kernel.
	newest=$(ls -td "$VM_CACHE"/kernel/*-"$key"/ready 2>/dev/null | head -n1)
	if [ -n "$newest" ]; then
		vm_warn "kernel package '${pkg:-?}' unavailable, using cached ${newest%/ready}"
		vm_use_kernel "${newest%/ready}"
		return 0
	fi
	if [ -z "$pkg" ]; then
		vm_skip_tier "cannot resolve the kernel package (apt-cache depends linux-image-amd64 gave nothing; run apt-get update)"
	else
		vm_skip_tier "kernel package $pkg could not be downloaded"
	fi
}

# ---------------------------------------------------------------- initramfs

# Path of a host file inside the guest tree, which has merged /usr.
vm_guest_path() {
	local p=$1

	case $p in
	/usr/*) echo "$p" ;;
	*) echo "/usr$p" ;;
	esac
}

vm_is_elf() {
	[ -f "$1" ] && [ "$(head -c 4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]
}

# Copy the shared libraries (and the loader) that FILE needs into ROOT.
# Extra library directories may be given in VM_LDD_PATH.
vm_copy_libs() {
	local file=$1 root=$2 lib dst

	vm_is_elf "$file" || return 0
	LD_LIBRARY_PATH=${VM_LDD_PATH:-} ldd "$file" 2>/dev/null |
	awk '$2 == "=>" && $3 ~ /^\// { print $3; next }
	     $2 == "=>" && $3 == "not" { print "MISSING " $1; next }
	     $1 ~ /^\// { print $1 }' |
	while read -r lib extra; do
		if [ "$lib" = MISSING ]; then
			vm_warn "$file: library $extra not found"
			continue
		fi
		dst=$root$(vm_guest_path "$lib")
		[ -e "$dst" ] && continue
		mkdir -p "${dst%/*}"
		cp -L "$lib" "$dst"
	done
}

vm_cpio() {
	local root=$1 out=$2

	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n >"$out.tmp" &&
		mv "$out.tmp" "$out"
}

vm_tool_list() {
	local t p

	for t in $VM_TOOLS_REQUIRED $VM_TOOLS_OPTIONAL; do
		p=$(vm_find_tool "$t") && [ -n "$p" ] && echo "$t $p"
	done
}

# The part of the initramfs that depends only on the host and the kernel.
vm_build_system_initramfs() {
	local out=$VM_INITRAMFS/system.cpio.gz key r t p a rel kdir

	key=$( {
		echo "$VM_KDIR $VM_KVER"
		cksum <"${BASH_SOURCE[0]}"
		vm_tool_list | while read -r t p; do
			stat -L -c "$t %s %Y" "$p"
		done
	} | cksum)
	if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	echo "# vm: building system initramfs" >&2
	r=$VM_INITRAMFS/system.root
	rm -rf "$r"
	mkdir -p "$r"/usr/bin "$r"/usr/lib "$r"/usr/lib64 "$r"/etc/daxtest \
		"$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/run "$r"/mnt "$r"/root \
		"$r"/var/tmp
	ln -s usr/bin "$r/bin"
	ln -s usr/bin "$r/sbin"
	ln -s bin "$r/usr/sbin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"

	vm_tool_list | while read -r t p; do
		cp -L "$p" "$r/usr/bin/$t"
		vm_copy_libs "$p" "$r"
	done
	for a in $("$r/usr/bin/busybox" --list); do
		[ -e "$r/usr/bin/$a" ] || ln -s busybox "$r/usr/bin/$a"
	done
	[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$r/etc/"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"

	kdir=$(vm_moddir "$VM_KDIR/root" "$VM_KVER")
	mkdir -p "$r/usr/lib/modules/$VM_KVER"
	while read -r rel; do
		mkdir -p "$r/usr/lib/modules/$VM_KVER/${rel%/*}"
		cp "$kdir/$rel" "$r/usr/lib/modules/$VM_KVER/$rel"
		echo "/lib/modules/$VM_KVER/$rel"
	done <"$VM_KDIR/modules.load" >"$r/etc/daxtest/modules.load"
	for t in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$kdir/$t" ] && cp "$kdir/$t" "$r/usr/lib/modules/$VM_KVER/"
	done
	depmod -b "$r" "$VM_KVER"

	vm_cpio "$r" "$out" || return 1
	echo "$key" >"$out.key"
	rm -rf "$r"
	echo "# vm: system initramfs $(du -k "$out" | cut -f1) KiB" >&2
}

# Locate a runnable daxtest; compile it from source when the build tree
# has none (or only a libtool wrapper).
vm_find_daxtest() {
	local c

	for c in ${DAXTEST_VM_DAXTEST:-} "$VM_BUILD/test/helpers/daxtest" \
		 "$VM_BUILD/test/helpers/.libs/daxtest"; do
		if vm_is_elf "$c"; then
			VM_DAXTEST=$c
			return 0
		fi
	done
	c=$VM_DIR/daxtest
	if [ ! -x "$c" ] || [ "$VM_SRC/../helpers/daxtest.c" -nt "$c" ]; then
		${CC:-gcc} -Wall -Wextra -O2 -o "$c" "$VM_SRC/../helpers/daxtest.c" ||
			{ vm_skip_tier "cannot build test/helpers/daxtest.c"; return 1; }
	fi
	VM_DAXTEST=$c
}

# Copy the staged install (whatever exists of it: prefix /usr, /usr/local
# or /) into ROOT.
vm_copy_stage() {
	local r=$1 s=$VM_STAGE d src dst f libdirs=

	[ -d "$s" ] || return 0
	for d in bin sbin lib lib64 libexec usr/bin usr/sbin usr/lib usr/lib64 \
		 usr/libexec usr/local/bin usr/local/sbin usr/local/lib \
		 usr/local/lib64 usr/local/libexec; do
		src=$s/$d
		[ -d "$src" ] || continue
		case $d in
		sbin | usr/sbin) dst=$r/usr/bin ;;
		usr/*) dst=$r/$d ;;
		*) dst=$r/usr/$d ;;
		esac
		mkdir -p "$dst"
		cp -a "$src"/. "$dst"/
		case $d in
		*lib*) libdirs="$libdirs:$src:$src/x86_64-linux-gnu" ;;
		esac
	done
	[ -d "$s/etc" ] && mkdir -p "$r/etc" && cp -a "$s/etc"/. "$r/etc"/
	[ -d "$s/usr/local/etc" ] && mkdir -p "$r/usr/local/etc" &&
		cp -a "$s/usr/local/etc"/. "$r/usr/local/etc"/
	find "$r/usr" \( -name '*.a' -o -name '*.la' \) -type f -delete
	find "$r/usr" -type d -name pkgconfig -prune -exec rm -rf {} +
	VM_LDD_PATH=${libdirs#:}
	find "$r/usr" -type f | while read -r f; do
		vm_copy_libs "$f" "$r"
	done
	VM_LDD_PATH=
}

# The part that changes with the project: guest scripts, daxtest, the stage.
vm_build_project_initramfs() {
	local out=$VM_INITRAMFS/project.cpio.gz r=$VM_INITRAMFS/project.root

	rm -rf "$r"
	mkdir -p "$r/usr/bin" "$r/usr/share/daxtest/scenarios" "$r/etc" &&
	install -m 0755 "$VM_SRC/guest/init" "$r/init" &&
	install -m 0644 "$VM_SRC/guest/lib.sh" "$r/usr/share/daxtest/lib.sh" &&
	install -m 0755 "$VM_SRC/guest/capture-fixtures.sh" \
		"$r/usr/share/daxtest/capture-fixtures.sh" &&
	install -m 0755 "$VM_SRC/../schema/capture.sh" "$r/usr/share/daxtest/capture-json.sh" &&
	install -m 0755 "$VM_SRC"/scenarios/*.sh "$r/usr/share/daxtest/scenarios/" &&
	install -m 0755 "$VM_DAXTEST" "$r/usr/bin/daxtest" || return 1
	vm_copy_libs "$VM_DAXTEST" "$r"
	vm_copy_stage "$r"
	vm_cpio "$r" "$out" || return 1
	rm -rf "$r"
}

# Host checks, accelerator, kernel and initramfs: everything before the
# first boot.  Returns 1 with VM_SKIP_REASON set when the tier cannot run.
vm_prepare() {
	vm_check_host || return 1
	vm_kernel || return 1
	vm_choose_accel || return $?
	vm_find_daxtest || return 1
	vm_build_system_initramfs || { vm_skip_tier "cannot build the initramfs"; return 1; }
	vm_build_project_initramfs || { vm_skip_tier "cannot build the initramfs"; return 1; }
}

# ---------------------------------------------------------------- groups

# A scenario "name:arg1:arg2" reports its checks as "name-arg1-arg2/...",
# "id=name:arg1" as "id/..." (same rule as guest/init).
vm_scenario_id() {
	case $1 in
	*=*) echo "${1%%=*}" ;;
	*) echo "$1" | tr ':' '-' ;;
	esac
}

# Load a group definition into GROUP_* variables.
vm_load_group() {
	local file=$1

	DEVICES=
	SCENARIOS=
	TIMEOUT=
	OUTPUT_DISK=
	KERNEL_LOG_ALLOW=
	TOOLS=
	# shellcheck disable=SC1090
	. "$file" || return 1
	GROUP_DEVICES=$DEVICES
	GROUP_SCENARIOS=$SCENARIOS
	GROUP_TIMEOUT=${TIMEOUT:-$VM_TIMEOUT}
	[ -n "${DAXTEST_VM_TIMEOUT:-}" ] && GROUP_TIMEOUT=$DAXTEST_VM_TIMEOUT
	GROUP_OUTPUT_DISK=$OUTPUT_DISK
	GROUP_KERNEL_LOG_ALLOW=$KERNEL_LOG_ALLOW
	GROUP_TOOLS=$TOOLS
}

# Boot one guest for group NAME (already loaded with vm_load_group).
# Sets VM_BOOT_RC (timeout's exit status) and VM_BOOT_SECONDS.
vm_boot() {
	local name=$1 w=$VM_WORK/$1 log=$VM_LOGS/$1.log res=$VM_LOGS/$1.results
	local i=0 dev kind size img regions=0 start t p
	local -a args

	rm -rf "$w"
	mkdir -p "$w/root/etc/daxtest"
	rm -f "$log" "$res"
	# no_timer_check: under emulation on a loaded machine the boot-time
	# IO-APIC timer check can fail and panic the guest.
	args=(-machine "pc,nvdimm=on,accel=$VM_ACCEL_OPT" -cpu max -smp "$VM_SMP"
	      -m 2G,slots=4,maxmem=8G -nodefaults -no-reboot -display none
	      -kernel "$VM_VMLINUZ" -initrd "$w/initrd.img"
	      -append "console=ttyS0,115200 panic=-1 loglevel=4 rdinit=/init no_timer_check"
	      -serial "file:$log" -serial "file:$res")
	for dev in $GROUP_DEVICES; do
		kind=${dev%%:*}
		size=${dev#*:}
		img=$w/pmem$i.img
		case $kind in
		nvdimm | nvdimm-labelled)
			truncate -s "$size" "$img" || return 1
			args+=(-object "memory-backend-file,id=mem$i,share=on,mem-path=$img,size=$size,align=2M")
			if [ "$kind" = nvdimm ]; then
				args+=(-device "nvdimm,id=nvdimm$i,memdev=mem$i")
			else
				args+=(-device "nvdimm,id=nvdimm$i,memdev=mem$i,label-size=128K")
			fi
			;;
		virtio-pmem)
			truncate -s "$size" "$img" || return 1
			args+=(-object "memory-backend-file,id=mem$i,share=on,mem-path=$img,size=$size"
			       -device "virtio-pmem-pci,id=vpmem$i,memdev=mem$i")
			;;
		*)
			echo "vm: group $name: unknown device '$dev'" >&2
			return 1
			;;
		esac
		regions=$((regions + 1))
		i=$((i + 1))
	done
	if [ -n "$GROUP_OUTPUT_DISK" ]; then
		truncate -s "$GROUP_OUTPUT_DISK" "$w/output.img" || return 1
		args+=(-drive "file=$w/output.img,format=raw,if=none,id=output"
		       -device "virtio-blk-pci,drive=output,serial=daxtest-output")
	fi
	{
		echo "DAXTEST_GROUP='$name'"
		echo "DAXTEST_SCENARIOS='$GROUP_SCENARIOS'"
		echo "DAXTEST_REGIONS=$regions"
		echo "DAXTEST_ACCEL=$VM_ACCEL"
		[ -n "$GROUP_OUTPUT_DISK" ] && echo "DAXTEST_OUTPUT_SERIAL=daxtest-output"
	} >"$w/root/etc/daxtest/group.conf"
	# Host programs only this group needs (large ones stay out of the
	# shared system archive); a missing one is skipped by its scenario.
	for t in $GROUP_TOOLS; do
		p=$(vm_find_tool "$t") && [ -n "$p" ] || { vm_warn "group $name: no '$t' on the host"; continue; }
		mkdir -p "$w/root/usr/bin"
		cp -L "$p" "$w/root/usr/bin/$t" && vm_copy_libs "$p" "$w/root"
	done
	vm_cpio "$w/root" "$w/group.cpio.gz" || return 1
	cat "$VM_INITRAMFS/system.cpio.gz" "$VM_INITRAMFS/project.cpio.gz" \
		"$w/group.cpio.gz" >"$w/initrd.img" || return 1

	start=$(vm_now)
	timeout -k 10 "$GROUP_TIMEOUT" qemu-system-x86_64 "${args[@]}" \
		</dev/null >"$w/qemu.out" 2>&1
	VM_BOOT_RC=$?
	VM_BOOT_SECONDS=$(vm_elapsed "$start")
	if [ -s "$w/qemu.out" ]; then
		{ echo; echo "--- qemu output ---"; cat "$w/qemu.out"; } >>"$log"
	fi
	rm -f "$w"/pmem*.img "$w/initrd.img"
	return 0
}

# Turn the result channel of group NAME into PASS/FAIL/SKIP lines.
vm_report() {
	local name=$1 log=$VM_LOGS/$1.log res=$VM_LOGS/$1.results src
	local spec id kind rest check detail planned reported n splat
	local ended=0 json_n=0
	declare -A plan=() count=() begun=() rc=()

	touch "$res" "$log"
	src=$res
	if ! grep -q "^$VM_RESULT_TAG " "$res" 2>/dev/null; then
		src=$log	# no second serial port: fall back to the console
	fi
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		case $line in
		"$VM_RESULT_TAG "*) ;;
		*) continue ;;
		esac
		line=${line#"$VM_RESULT_TAG "}
		kind=${line%% *}
		rest=${line#"$kind"}
		rest=${rest# }
		check=${rest%% *}
		detail=${rest#"$check"}
		detail=${detail# }
		case $kind in
		begin) begun[$check]=1 ;;
		plan) plan[$check]=$detail ;;
		done) rc[$check]=$detail ;;
		pass | fail | skip)
			id=${check%%/*}
			count[$id]=$(( ${count[$id]:-0} + 1 ))
			case $kind in
			pass) vm_result PASS "vm/$name/$check" ;;
			fail) vm_result FAIL "vm/$name/$check" "$detail" ;;
			skip) vm_result SKIP "vm/$name/$check" "$detail" ;;
			esac
			;;
		warn) vm_warn "vm/$name: $rest" ;;
		json)	# a JSON document dax-admin printed, for the schema check
			mkdir -p "$VM_LOGS/json" &&
				printf '%s' "$detail" | base64 -d >"$VM_LOGS/json/$name.$((++json_n)).$check.json" ;;
		end) ended=1 ;;
		esac
	done <"$src"

	for spec in $GROUP_SCENARIOS; do
		id=$(vm_scenario_id "$spec")
		if [ -z "${begun[$id]:-}" ]; then
			vm_result FAIL "vm/$name/$id" "scenario never started (guest stopped earlier)"
			continue
		fi
		planned=${plan[$id]:-}
		reported=${count[$id]:-0}
		if [ -z "$planned" ]; then
			vm_result FAIL "vm/$name/$id/plan" "no plan line"
		elif [ "$reported" -lt "$planned" ]; then
			for ((n = reported + 1; n <= planned; n++)); do
				vm_result FAIL "vm/$name/$id/#$n" \
					"not reported (planned $planned checks, got $reported)"
			done
		elif [ "$reported" -gt "$planned" ]; then
			vm_result FAIL "vm/$name/$id/plan" "planned $planned checks, got $reported"
		fi
		if [ -z "${rc[$id]:-}" ]; then
			vm_result FAIL "vm/$name/$id/exit" "scenario did not finish"
		elif [ "${rc[$id]}" != 0 ]; then
			vm_result FAIL "vm/$name/$id/exit" "scenario script exited ${rc[$id]}"
		fi
	done

	splat=$(grep -a -m1 -E 'BUG:|Oops|WARNING: CPU|Kernel panic|Call Trace:|general protection fault' "$log" 2>/dev/null |
		{ if [ -n "$GROUP_KERNEL_LOG_ALLOW" ]; then grep -v -E "$GROUP_KERNEL_LOG_ALLOW"; else cat; fi; } |
		tr -d '\r')
	if [ -n "$splat" ]; then
		vm_result FAIL "vm/$name/kernel-log" "$splat"
	else
		vm_result PASS "vm/$name/kernel-log"
	fi

	if [ "$ended" = 1 ]; then
		:
	elif [ "$VM_BOOT_RC" = 124 ] || [ "$VM_BOOT_RC" = 137 ]; then
		vm_result FAIL "vm/$name/end" "guest timed out after ${GROUP_TIMEOUT}s (see $log)"
	else
		vm_result FAIL "vm/$name/end" "guest stopped without the end marker, qemu exit $VM_BOOT_RC (see $log)"
	fi
	if [ "$ended" != 1 ]; then
		tail -n 15 "$log" 2>/dev/null | tr -d '\r' | sed "s|^|# vm/$name: |" >&2
	fi
	[ "$ended" = 1 ]
}
