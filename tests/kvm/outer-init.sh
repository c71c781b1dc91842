#!/bin/busybox sh
# init of the outer guest (TCG, EL2, Debian's generic kernel with KVM): runs each inner
# guest under KVM with KVM's tracepoints on, and prints what the host test parses:
#   KVM: ...            facts and markers from this guest
#   <run> <uptime>| ... every line of the inner QEMU's output, stamped when it arrived
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
export LD_LIBRARY_PATH=/lib/aarch64-linux-gnu
K=/kvm
T=/sys/kernel/tracing

echo "KVM: outer up: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"
dmesg | grep -E "kvm \[|CPU: All CPU|CPU features|EFI stub: |efi: EFI v" | sed 's/^/KVM: dmesg: /'
[ -e /dev/kvm ] && echo "KVM: /dev/kvm present"

# Tracing: the rare events (set/way flushes, cache toggles, trapped system registers,
# stage-2 faults) go to the ring buffer, made big enough that none is lost; exits are
# only counted, by exception class, in a histogram.
mount -t tracefs tracefs $T && echo "KVM: tracefs mounted"
echo 32768 > $T/buffer_size_kb
for e in kvm_set_way_flush kvm_toggle_cache kvm_sys_access kvm_guest_fault; do
    echo 1 > $T/events/kvm/$e/enable || echo "KVM: no event $e"
done
HIST='hist:keys=esr_ec:sort=esr_ec'

# The firmware images: pflash banks must be 64 MiB, so the trimmed code and the
# (all-zero) variable store are padded here, sparsely, in tmpfs.
cp $K/AAVMF_CODE.fd /tmp/code.fd && truncate -s 64M /tmp/code.fd
truncate -s 64M /tmp/vars.fd

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# run NAME SECONDS QEMU-ARGS...: one inner guest, its output stamped line by line, then
# what the tracepoints saw while it ran.
run() {
    name=$1 limit=$2
    shift 2
    echo > $T/trace
    echo "$HIST" > $T/events/kvm/kvm_exit/trigger
    echo "KVM: begin $name at $(uptime_s)"
    { timeout $limit qemu-system-aarch64 -accel kvm -cpu host -M virt,gic-version=3 \
        -m 1G -smp 1 -display none -serial stdio -monitor none -net none -no-reboot \
        "$@" < /dev/null 2>&1; echo "qemu exit status $?"; } | awk -v tag="$name" '{
            getline up < "/proc/uptime"; close("/proc/uptime"); split(up, u, " ")
            printf "%s %s| %s\n", tag, u[1], $0; fflush() }'
    echo "KVM: end $name at $(uptime_s)"
    report $name
    echo "!$HIST" > $T/events/kvm/kvm_exit/trigger
}

report() {
    lost=$(cat $T/per_cpu/cpu*/stats | awk '/^overrun:/ { n += $2 } END { print n + 0 }')
    echo "KVM: trace $1: set_way_flush $(grep -c ' kvm_set_way_flush:' $T/trace)" \
        "toggle_cache $(grep -c ' kvm_toggle_cache:' $T/trace)" \
        "guest_fault $(grep -c ' kvm_guest_fault:' $T/trace) lost $lost"
    # kvm_toggle_cache needs SCTLR writes trapped (HCR_EL2.TVM), which KVM turns on at
    # the first set/way operation; kvm_set_way_flush is not traced when the CPU has
    # FEAT_S2FWB. Listed in full should any occur.
    grep -m 16 -E ' kvm_(set_way_flush|toggle_cache):' $T/trace | sed "s/^ */KVM: ev $1: /"
    # The first stage-2 faults outside the device window (RAM and flash: where the
    # firmware runs and writes first), compactly: "KVM: fault RUN TIME IPA ESR PC".
    grep ' kvm_guest_fault:' $T/trace |
        grep -v -E 'ipa 0x([89a-f][0-9a-f]{6}|[1-3][0-9a-f]{7}|[0-9a-f]{10,}),' |
        sed -n "s/.* \([0-9.]*\): kvm_guest_fault: ipa \(0x[0-9a-f]*\), hsr \(0x[0-9a-f]*\),\
 hxfar 0x[0-9a-f]*, pc \(0x[0-9a-f]*\)\$/KVM: fault $1 \1 \2 \3 \4/p" | head -n 300
    grep -E '^\{|^Hits' $T/events/kvm/kvm_exit/hist | sed "s/^/KVM: exits $1: /"
    grep ' kvm_sys_access:' $T/trace | sed 's/.* kvm_sys_access: PC: [0-9a-fx]* //' |
        sort | uniq -c | sed "s/^ */KVM: sysreg $1: /"
}

# kvm_runs=a,b on the command line picks some of the runs (for working on one).
RUNS=$(sed -n 's/.*kvm_runs=\([^ ]*\).*/\1/p' /proc/cmdline)
want() { [ -z "$RUNS" ] || echo ",$RUNS," | grep -q ",$1,"; }

LINUX="console=ttyAMA0 earlycon panic=-1 quiet efi=debug"
want efilite-linux && run efilite-linux 600 -bios $K/efilite.bin -kernel $K/vmlinuz -initrd $K/initrd.gz \
    -append "$LINUX"
want efilite-selftest && run efilite-selftest 300 -bios $K/efilite.bin -kernel $K/selftest.efi -append selftest-options
want efilite-wx && run efilite-wx 300 -bios $K/efilite.bin -kernel $K/wxtest.efi -append "split self exclusive memattr"
want efilite-disk && run efilite-disk 300 -bios $K/efilite.bin -drive if=virtio,format=raw,file=$K/disk.img
want edk2-linux && run edk2-linux 900 -drive if=pflash,format=raw,unit=0,readonly=on,file=/tmp/code.fd \
    -drive if=pflash,format=raw,unit=1,file=/tmp/vars.fd -device virtio-rng-pci \
    -kernel $K/vmlinuz -initrd $K/initrd.gz -append "$LINUX"
echo "KVM: all done"
poweroff -f
