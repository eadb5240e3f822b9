# shellcheck shell=bash disable=SC2034
# (variables set here are read by run.sh and capture-fixtures.sh)
#
# Host-side functions of the VM test tier, sourced by run.sh and
# capture-fixtures.sh.  They fetch and cache stock Debian kernels, build an
# initramfs around busybox, boot QEMU with emulated persistent memory and turn
# the guest's result lines into PASS/FAIL/SKIP lines.
#
# Several guest kernels can be tested; each has a label (its version, e.g.
# 6.1) used in result names (vm-6.1/<group>/...) and paths.
#
# Layout under the build tree:
#   $BUILD/vm/cache/kernel/<pkg>-<key>/   unpacked kernel, pruned to the modules used
#   $BUILD/vm/initramfs/                  system-<label>.cpio.gz (cached), project.cpio.gz
#   $BUILD/vm/stage/                      "make install DESTDIR=" of the project
#   $BUILD/vm/work/<label>/<group>/       per-boot scratch (initrd, pmem backing files)
#   $BUILD/vm/logs/<label>/<group>.log    guest console
#   $BUILD/vm/logs/<label>/<group>.results result channel (second serial port)
#
# Environment:
#   DAXTEST_VM_KERNELS      guest kernels, "LABEL" or "LABEL=PACKAGE" each
#                           (default "6.1 6.12", see VM_KERNELS_KNOWN)
#   DAXTEST_VM_KERNEL_PKG   one kernel package instead (label: its version)
#   DAXTEST_VM_JOBS         guests run at once (default: the number of CPUs)
#   DAXTEST_VM_ACCEL        auto (default), kvm or tcg
#   DAXTEST_VM_TIMEOUT      QEMU CPU seconds per boot (default 120 with KVM, 420
#                           with TCG); wall time is allowed DAXTEST_VM_WALL_FACTOR
#                           (default 4) times that
#   DAXTEST_VM_SMP          guest CPUs (default 2 with KVM, 1 with TCG)
#   DAXTEST_VM_STAGE        staged install tree (default $BUILD/vm/stage)
#   DAXTEST_VM_DAXTEST      daxtest binary (default $BUILD/test/helpers/daxtest)

VM_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vm-qemu.sh
. "$VM_SRC/vm-qemu.sh"

# Modules loaded in the guest, in this order; modprobe on the host adds their
# dependencies.  Missing ones only produce a warning.
VM_MODULES="libnvdimm nfit nd_btt nd_pmem dax_pmem device_dax nd_e820
virtio_pci virtio_pmem virtio_blk ext4 xfs hwpoison_inject mce_inject dm_mod"

# Loaded only in guests with CXL devices (a group with cxl-pmem DEVICES);
# kept in the kernel cache beside VM_MODULES.
VM_MODULES_CXL="cxl_acpi cxl_pci cxl_mem cxl_port cxl_pmem"

# Host programs copied into the guest with their libraries.
VM_TOOLS_REQUIRED="busybox ndctl daxctl mkfs.ext4 mkfs.xfs xfs_io jq"
VM_TOOLS_OPTIONAL="filefrag mke2fs tune2fs dumpe2fs e2fsck xfs_db xfs_repair
xfs_spaceman sfdisk sqlite3 dmsetup cxl"

VM_RESULT_TAG='@@DAXTEST'

# Kernel labels and the Debian package each stands for: 6.1 is Debian 12's
# own kernel (what linux-image-amd64 depends on), 6.12 the one its security
# suite carries (meta-package linux-image-6.12-amd64).  A label not listed
# here stands for linux-image-LABEL-amd64.
VM_KERNELS_KNOWN="6.1=linux-image-amd64 6.12=linux-image-6.12-amd64"
VM_KERNELS_DEFAULT="6.1 6.12"

# Result names start with this; set per kernel by vm_select_kernel.
VM_PREFIX=vm
VM_KLABEL=

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
	local stamp=$VM_CACHE/kvm-probe-$VM_KVER key verdict out

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
	local pkg=$1 dest=$2 tmp kver moddir m line path keep rel n list

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
	: >"$tmp/modules-cxl.load"
	: >"$tmp/modules.missing"
	for m in $VM_MODULES $VM_MODULES_CXL; do
		list=$tmp/modules.load
		case " $VM_MODULES_CXL " in *" $m "*) list=$tmp/modules-cxl.load ;; esac
		if ! modprobe -C /dev/null -d "$tmp/root" -S "$kver" \
			--show-depends "$m" >"$tmp/deps" 2>/dev/null; then
			# Built in is as good as loaded.
			grep -q "/$m.ko" "$moddir/modules.builtin" 2>/dev/null ||
				echo "$m" >>"$tmp/modules.missing"
			continue
		fi
		while read -r line path _; do
			[ "$line" = insmod ] || continue
			rel=${path#"$moddir"/}
			grep -qxF "$rel" "$tmp/modules.load" "$tmp/modules-cxl.load" ||
				echo "$rel" >>"$list"
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
	done < <(cat "$tmp/modules.load" "$tmp/modules-cxl.load")
	sed -i -e 's/\.ko\.\(xz\|zst\|gz\)$/.ko/' "$tmp/modules.load" "$tmp/modules-cxl.load"
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

# The packages of the kernels to test, one "LABEL PACKAGE" line each.
vm_kernel_list() {
	local spec label pkg known

	if [ -n "${DAXTEST_VM_KERNEL_PKG:-}" ]; then
		label=$(echo "$DAXTEST_VM_KERNEL_PKG" |
			sed -n 's/^linux-image-\([0-9]\+\.[0-9]\+\).*/\1/p')
		echo "${label:-custom} $DAXTEST_VM_KERNEL_PKG"
		return
	fi
	for spec in ${DAXTEST_VM_KERNELS:-$VM_KERNELS_DEFAULT}; do
		case $spec in
		*=*) label=${spec%%=*} pkg=${spec#*=} ;;
		*)
			label=$spec pkg=
			for known in $VM_KERNELS_KNOWN; do
				[ "${known%%=*}" = "$label" ] && pkg=${known#*=}
			done
			[ -n "$pkg" ] || pkg=linux-image-$label-amd64
			;;
		esac
		echo "$label $pkg"
	done
}

# The package that holds the kernel image for PKG: a meta-package is
# followed to the versioned image it depends on, and that to its
# "-unsigned" build where the archive has one (the security suite's 6.12
# puts the image there).
vm_kernel_resolve() {
	local pkg=$1 dep

	case $pkg in
	linux-image-[0-9]*.[0-9]*.[0-9]*) dep=$pkg ;;
	*)
		dep=$(apt-cache depends "$pkg" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		[ -n "$dep" ] || return 1
		;;
	esac
	case $dep in
	*-unsigned) ;;
	*)
		if apt-cache show "$dep-unsigned" >/dev/null 2>&1; then
			dep=$dep-unsigned
		fi
		;;
	esac
	echo "$dep"
}

# Fetch (or find cached) the kernel LABEL of package PKG.  Sets VM_KDIR
# and the other VM_K* variables.
vm_kernel() {
	local label=$1 want=$2 pkg key dir newest d

	# shellcheck disable=SC2086
	key=$(printf '%s\n' $VM_MODULES $VM_MODULES_CXL | cksum | cut -d' ' -f1)
	pkg=$(vm_kernel_resolve "$want")
	if [ -n "$pkg" ]; then
		dir=$VM_CACHE/kernel/$pkg-$key
		if [ -f "$dir/ready" ] || vm_fetch_kernel "$pkg" "$dir"; then
			echo "$want" >"$dir/wanted"
			vm_use_kernel "$dir"
			return 0
		fi
	fi
	# Offline or the archive moved on: fall back to the newest cached
	# kernel fetched for the same request.
	newest=
	for d in $(ls -td "$VM_CACHE"/kernel/*-"$key" 2>/dev/null); do
		if [ -f "$d/ready" ] && [ "$(cat "$d/wanted" 2>/dev/null)" = "$want" ]; then
			newest=$d
			break
		fi
	done
	if [ -n "$newest" ]; then
		vm_warn "kernel package '${pkg:-$want}' unavailable, using cached $newest"
		vm_use_kernel "$newest"
		return 0
	fi
	if [ -z "$pkg" ]; then
		vm_skip_tier "cannot resolve the kernel package of $want (apt-cache depends $want gave nothing; run apt-get update)"
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
	local out=$VM_INITRAMFS/system-$VM_KLABEL.cpio.gz key r t p a rel kdir

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
	r=$VM_INITRAMFS/system-$VM_KLABEL.root
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
	for t in modules.load modules-cxl.load; do
		[ -f "$VM_KDIR/$t" ] || continue
		while read -r rel; do
			mkdir -p "$r/usr/lib/modules/$VM_KVER/${rel%/*}"
			cp "$kdir/$rel" "$r/usr/lib/modules/$VM_KVER/$rel"
			echo "/lib/modules/$VM_KVER/$rel"
		done <"$VM_KDIR/$t" >"$r/etc/daxtest/$t"
	done
	for t in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$kdir/$t" ] && cp "$kdir/$t" "$r/usr/lib/modules/$VM_KVER/"
	done
	depmod -b "$r" "$VM_KVER"

	vm_cpio "$r" "$out" || return 1
	echo "$key" >"$out.key"
	rm -rf "$r"
	echo "# vm: system initramfs for $VM_KVER $(du -k "$out" | cut -f1) KiB" >&2
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

# Everything before the first boot that does not depend on the kernel.
# Returns 1 with VM_SKIP_REASON set when the tier cannot run.
vm_prepare_common() {
	vm_check_host || return 1
	vm_find_daxtest || return 1
	vm_build_project_initramfs || { vm_skip_tier "cannot build the initramfs"; return 1; }
}

# Kernel LABEL (package PKG), its accelerator and its initramfs.  Records
# them so that vm_select_kernel LABEL can switch to them later.
declare -A VM_K_DIR=() VM_K_ACCEL=()
vm_prepare_kernel() {
	local label=$1 pkg=$2 rc

	VM_KLABEL=$label
	VM_PREFIX=vm-$label
	vm_kernel "$label" "$pkg" || return 1
	vm_choose_accel
	rc=$?
	[ $rc -eq 0 ] || return $rc
	vm_build_system_initramfs || { vm_skip_tier "cannot build the initramfs for $VM_KVER"; return 1; }
	mkdir -p "$VM_LOGS/$label" "$VM_WORK/$label"
	rm -rf "$VM_LOGS/$label/json"
	VM_K_DIR[$label]=$VM_KDIR
	VM_K_ACCEL[$label]=$VM_ACCEL
}

vm_select_kernel() {
	local label=$1

	[ -n "${VM_K_DIR[$label]:-}" ] || return 1
	VM_KLABEL=$label
	VM_PREFIX=vm-$label
	vm_use_kernel "${VM_K_DIR[$label]}" 2>/dev/null
	DAXTEST_VM_ACCEL=${VM_K_ACCEL[$label]} vm_choose_accel
}

# Host checks, accelerator, the first kernel of vm_kernel_list and the
# initramfs: everything before the first boot, for callers that boot one
# kernel (capture-fixtures.sh).  Returns 1 with VM_SKIP_REASON set when the
# tier cannot run.
vm_prepare() {
	local label pkg

	read -r label pkg < <(vm_kernel_list)
	vm_prepare_common || return 1
	vm_prepare_kernel "$label" "$pkg"
}

# Scratch folder and console log of guest NAME on the selected kernel.
vm_work_dir() {
	echo "$VM_WORK/$VM_KLABEL/$1"
}

vm_log_file() {
	echo "$VM_LOGS/$VM_KLABEL/$1.log"
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
	KERNELS=
	KERNELS_REASON=
	QEMU=
	BOOT2=
	# shellcheck disable=SC1090
	. "$file" || return 1
	GROUP_KERNELS=$KERNELS
	GROUP_KERNELS_REASON=$KERNELS_REASON
	GROUP_QEMU=$QEMU
	GROUP_DEVICES=$DEVICES
	GROUP_SCENARIOS=$SCENARIOS
	GROUP_TIMEOUT=${TIMEOUT:-$VM_TIMEOUT}
	[ -n "${DAXTEST_VM_TIMEOUT:-}" ] && GROUP_TIMEOUT=$DAXTEST_VM_TIMEOUT
	GROUP_OUTPUT_DISK=$OUTPUT_DISK
	GROUP_KERNEL_LOG_ALLOW=$KERNEL_LOG_ALLOW
	GROUP_TOOLS=$TOOLS
	GROUP_BOOT2=$BOOT2
}

# Whether the loaded group runs on the selected kernel (its KERNELS lists
# the labels it runs on; none: every kernel).
vm_group_runs_here() {
	local k

	[ -n "$GROUP_KERNELS" ] || return 0
	for k in $GROUP_KERNELS; do
		[ "$k" = "$VM_KLABEL" ] && return 0
	done
	return 1
}

# Run QEMU with ARGS... for at most TIMEOUT seconds of its CPU time (a
# guest busy that long is stuck in a loop) or TIMEOUT x
# DAXTEST_VM_WALL_FACTOR (default 4) seconds of wall time (a guest that
# waits forever): on a machine shared with other work, the wall time of a
# TCG guest says more about the neighbours than about the guest.  Sets
# VM_BOOT_RC (QEMU's exit status, 124 on timeout) and VM_BOOT_CPU (seconds).
vm_run_qemu() {
	local w=$1 limit=$2 qpid tck wall_limit now0 cpu=0 t0 elapsed
	shift 2

	tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
	wall_limit=$((limit * ${DAXTEST_VM_WALL_FACTOR:-4}))
	"$VM_QEMU_BIN" "${VM_QEMU_ARGS[@]}" "$@" </dev/null >"$w/qemu.out" 2>&1 &
	qpid=$!
	t0=$SECONDS
	VM_BOOT_RC=
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 1
		if vm_power_cut_wanted; then
			vm_power_cut "$w" "$qpid"
			break
		fi
		now0=$(awk -v t="$tck" '{ printf "%d", ($14 + $15) / t }' "/proc/$qpid/stat" 2>/dev/null) &&
			[ -n "$now0" ] && cpu=$now0
		elapsed=$((SECONDS - t0))
		if [ "$cpu" -ge "$limit" ] || [ "$elapsed" -ge "$wall_limit" ]; then
			echo "vm: guest stopped after ${cpu}s of CPU time, ${elapsed}s of wall time (limits ${limit}s, ${wall_limit}s)" >>"$w/qemu.out"
			kill -TERM "$qpid" 2>/dev/null
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				kill -0 "$qpid" 2>/dev/null || break
				sleep 1
			done
			kill -KILL "$qpid" 2>/dev/null
			VM_BOOT_RC=124
			break
		fi
	done
	wait "$qpid" 2>/dev/null
	local rc=$?
	[ -n "$VM_BOOT_RC" ] || VM_BOOT_RC=$rc
	VM_BOOT_CPU=$cpu
}

# Boot one guest for group NAME (already loaded with vm_load_group).
# Sets VM_BOOT_RC (timeout's exit status) and VM_BOOT_SECONDS.
vm_boot() {
	local name=$1 w=$VM_WORK/$VM_KLABEL/$1 log=$VM_LOGS/$VM_KLABEL/$1.log
	local res=$VM_LOGS/$VM_KLABEL/$1.results i=0 dev kind size img regions=0 start
	local cxl=0 machine cpu t p
	local -a args

	rm -rf "$w"
	mkdir -p "$w/root/etc/daxtest"
	rm -f "$log" "$res"
	# no_timer_check: under emulation on a loaded machine the boot-time
	# IO-APIC timer check can fail and panic the guest.
	# CXL needs q35 with a CXL host bridge; without hypervisor=off the
	# kernel refuses to commit a region ("Failed to synchronize CPU cache
	# state").
	machine="pc,nvdimm=on,accel=$VM_ACCEL_OPT" cpu=max
	case " $GROUP_DEVICES " in
	*" cxl-pmem:"*) machine="q35,cxl=on,accel=$VM_ACCEL_OPT" cpu=max,hypervisor=off ;;
	esac
	args=(-machine "$machine" -cpu "$cpu" -smp "$VM_SMP"
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
		cxl-pmem)
			# A persistent-memory type-3 device with a label area, behind
			# root port $cxl of the one CXL host bridge.
			truncate -s "$size" "$img" && truncate -s 1M "$w/cxl-lsa$i.img" || return 1
			[ "$cxl" -eq 0 ] && args+=(-device "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1")
			args+=(-object "memory-backend-file,id=cxl-mem$i,share=on,mem-path=$img,size=$size"
			       -object "memory-backend-file,id=cxl-lsa$i,share=on,mem-path=$w/cxl-lsa$i.img,size=1M"
			       -device "cxl-rp,port=$cxl,bus=cxl.1,id=root_port$((13 + cxl)),chassis=0,slot=$((2 + cxl))"
			       -device "cxl-type3,bus=root_port$((13 + cxl)),persistent-memdev=cxl-mem$i,lsa=cxl-lsa$i,id=cxl-pmem$cxl,sn=$((cxl + 1))")
			cxl=$((cxl + 1))
			regions=$((regions - 1))	# no nd region until one is created
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
	if [ "$cxl" -gt 0 ]; then
		args+=(-M "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G"
		       -qmp "unix:$w/qmp.sock,server=on,wait=off")
	fi
	if [ -n "$GROUP_OUTPUT_DISK" ]; then
		truncate -s "$GROUP_OUTPUT_DISK" "$w/output.img" || return 1
		# on q35 (CXL) the disk goes on the root bus, not on the pxb-cxl
		p=
		[ "$cxl" -gt 0 ] && p=,bus=pcie.0
		args+=(-drive "file=$w/output.img,format=raw,if=none,id=output"
		       -device "virtio-blk-pci,drive=output,serial=daxtest-output$p")
	fi
	{
		echo "DAXTEST_GROUP='$name'"
		echo "DAXTEST_SCENARIOS='$GROUP_SCENARIOS'"
		echo "DAXTEST_REGIONS=$regions"
		echo "DAXTEST_ACCEL=$VM_ACCEL"
		echo "DAXTEST_KERNEL='$VM_KLABEL'"
		echo "DAXTEST_CXL=$cxl"
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
	cat "$VM_INITRAMFS/system-$VM_KLABEL.cpio.gz" "$VM_INITRAMFS/project.cpio.gz" \
		"$w/group.cpio.gz" >"$w/initrd.img" || return 1

	start=$(vm_now)
	VM_POWER_CUT=0 VM_POWER_CUT_RES=$res
	# A CXL guest asks for poison injected by QMP through its result
	# channel (qmp-watch.py); the watcher ends with the guest.
	local watch=
	if [ "$cxl" -gt 0 ]; then
		python3 "$VM_SRC/qmp-watch.py" "$res" "$w/qmp.sock" "$w/qmp.log" &
		watch=$!
	fi
	vm_run_qemu "$w" "$GROUP_TIMEOUT" "${args[@]}"
	[ -z "$watch" ] || { kill "$watch" 2>/dev/null; wait "$watch" 2>/dev/null; }
	[ -z "$GROUP_BOOT2" ] || vm_boot_again "$name" "${args[@]}" || return 1
	VM_BOOT_SECONDS=$(vm_elapsed "$start")
	if [ -s "$w/qmp.log" ]; then
		{ echo; echo "--- qmp requests ---"; cat "$w/qmp.log"; } >>"$log"
	fi
	if [ -s "$w/qemu.out" ]; then
		{ echo; echo "--- qemu output ---"; cat "$w/qemu.out"; } >>"$log"
	fi
	rm -f "$w"/pmem*.img "$w"/cxl-lsa*.img "$w/initrd.img"
	return 0
}

# Turn the result channel of group NAME into PASS/FAIL/SKIP lines.
vm_report() {
	local name=$1 log=$VM_LOGS/$VM_KLABEL/$1.log res=$VM_LOGS/$VM_KLABEL/$1.results src
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
			pass) vm_result PASS "$VM_PREFIX/$name/$check" ;;
			fail) vm_result FAIL "$VM_PREFIX/$name/$check" "$detail" ;;
			skip) vm_result SKIP "$VM_PREFIX/$name/$check" "$detail" ;;
			esac
			;;
		warn) vm_warn "$VM_PREFIX/$name: $rest" ;;
		json)	# a JSON document dax-admin printed, for the schema check
			mkdir -p "$VM_LOGS/$VM_KLABEL/json" &&
				printf '%s' "$detail" | base64 -d >"$VM_LOGS/$VM_KLABEL/json/$name.$((++json_n)).$check.json" ;;
		end) ended=1 ;;
		esac
	done <"$src"

	for spec in $GROUP_SCENARIOS $GROUP_BOOT2; do
		id=$(vm_scenario_id "$spec")
		if [ -z "${begun[$id]:-}" ]; then
			vm_result FAIL "$VM_PREFIX/$name/$id" "scenario never started (guest stopped earlier)"
			continue
		fi
		planned=${plan[$id]:-}
		reported=${count[$id]:-0}
		if [ -z "$planned" ]; then
			vm_result FAIL "$VM_PREFIX/$name/$id/plan" "no plan line"
		elif [ "$reported" -lt "$planned" ]; then
			for ((n = reported + 1; n <= planned; n++)); do
				vm_result FAIL "$VM_PREFIX/$name/$id/#$n" \
					"not reported (planned $planned checks, got $reported)"
			done
		elif [ "$reported" -gt "$planned" ]; then
			vm_result FAIL "$VM_PREFIX/$name/$id/plan" "planned $planned checks, got $reported"
		fi
		if [ -z "${rc[$id]:-}" ]; then
			vm_result FAIL "$VM_PREFIX/$name/$id/exit" "scenario did not finish"
		elif [ "${rc[$id]}" != 0 ]; then
			vm_result FAIL "$VM_PREFIX/$name/$id/exit" "scenario script exited ${rc[$id]}"
		fi
	done

	splat=$(grep -a -m1 -E 'BUG:|Oops|WARNING: CPU|Kernel panic|Call Trace:|general protection fault' "$log" 2>/dev/null |
		{ if [ -n "$GROUP_KERNEL_LOG_ALLOW" ]; then grep -v -E "$GROUP_KERNEL_LOG_ALLOW"; else cat; fi; } |
		tr -d '\r')
	if [ -n "$splat" ]; then
		vm_result FAIL "$VM_PREFIX/$name/kernel-log" "$splat"
	else
		vm_result PASS "$VM_PREFIX/$name/kernel-log"
	fi

	if [ "$ended" = 1 ]; then
		:
	elif [ "$VM_BOOT_RC" = 124 ] || [ "$VM_BOOT_RC" = 137 ]; then
		vm_result FAIL "$VM_PREFIX/$name/end" "guest timed out (${GROUP_TIMEOUT}s of CPU time or ${DAXTEST_VM_WALL_FACTOR:-4} times that of wall time; see $log)"
	else
		vm_result FAIL "$VM_PREFIX/$name/end" "guest stopped without the end marker, qemu exit $VM_BOOT_RC (see $log)"
	fi
	if [ "$ended" != 1 ]; then
		tail -n 15 "$log" 2>/dev/null | tr -d '\r' | sed "s|^|# $VM_PREFIX/$name: |" >&2
	fi
	[ "$ended" = 1 ]
}

# ---------------------------------------------------------------- power cut

# A guest asks for a power cut by printing "@@DAXTEST power-cut SCENARIO"
# on its result channel (lib.sh's power_cut); the host then kills QEMU with
# SIGKILL: no shutdown, no unmount, no flush by the guest.  What the guest
# had stored into an NVDIMM is in the backing file (share=on: the host's
# page cache keeps it), which is the persistent medium a second boot
# (BOOT2) starts from.

# Whether the guest of the running boot asked for the power cut.
vm_power_cut_wanted() {
	[ -n "${VM_POWER_CUT_RES:-}" ] &&
		grep -aq "^$VM_RESULT_TAG power-cut" "$VM_POWER_CUT_RES" 2>/dev/null
}

# vm_power_cut W QPID: cut the power of the guest QEMU QPID runs.
vm_power_cut() {
	kill -KILL "$2" 2>/dev/null
	VM_POWER_CUT=1
	echo "vm: power cut (SIGKILL of QEMU) at the guest's request" >>"$1/qemu.out"
}

# vm_boot_again NAME QEMU-ARGS...: the second boot of a group with BOOT2,
# on the same backing files (kept as they are: not truncated, not made
# anew), running the BOOT2 scenarios.  Only after a power cut or a first
# boot that ended.  Its console and results are appended to the group's;
# the first boot's end marker does not count.
vm_boot_again() {
	local name=$1 w=$VM_WORK/$VM_KLABEL/$1 log=$VM_LOGS/$VM_KLABEL/$1.log
	local res=$VM_LOGS/$VM_KLABEL/$1.results cpu=${VM_BOOT_CPU:-0} a
	local -a args=()
	shift

	[ -s "$w/qemu.out" ] && { echo; echo "--- qemu output ---"; cat "$w/qemu.out"; } >>"$log"
	rm -f "$w/qemu.out"
	if [ "$VM_POWER_CUT" != 1 ] && ! grep -aq "^$VM_RESULT_TAG end" "$res"; then
		echo "vm: the first boot was neither cut nor ended (exit $VM_BOOT_RC): no second boot" >>"$log"
		return 0
	fi
	# QEMU truncates a -serial file: the second boot writes its own.
	for a in "$@"; do
		case $a in
		"file:$log") a=file:$w/boot2.log ;;
		"file:$res") a=file:$w/boot2.results ;;
		esac
		args+=("$a")
	done
	sed -i -e '/^DAXTEST_SCENARIOS=/d' -e '/^DAXTEST_BOOT=/d' "$w/root/etc/daxtest/group.conf"
	{
		echo "DAXTEST_SCENARIOS='$GROUP_BOOT2'"
		echo "DAXTEST_BOOT=2"
	} >>"$w/root/etc/daxtest/group.conf"
	vm_cpio "$w/root" "$w/group.cpio.gz" &&
	cat "$VM_INITRAMFS/system-$VM_KLABEL.cpio.gz" "$VM_INITRAMFS/project.cpio.gz" \
		"$w/group.cpio.gz" >"$w/initrd.img" || return 1
	VM_POWER_CUT=0 VM_POWER_CUT_RES=
	vm_run_qemu "$w" "$GROUP_TIMEOUT" "${args[@]}"
	VM_BOOT_CPU=$((cpu + VM_BOOT_CPU))
	{ echo; echo "--- second boot, same images ---"; cat "$w/boot2.log"; } >>"$log"
	grep -av "^$VM_RESULT_TAG end" "$res" >"$w/boot1.results"
	cat "$w/boot1.results" "$w/boot2.results" >"$res"
	rm -f "$w/boot1.results" "$w/boot2.results" "$w/boot2.log"
}
