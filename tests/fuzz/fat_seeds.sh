#!/bin/sh
# Seed corpus for fuzz_fat: small mkfs.vfat volumes filled by mtools (long names, a
# deep directory, a fragmented file), cut after their last non-zero byte: the fuzzer's
# device reads zeros beyond its input.  Usage: fat_seeds.sh OUTDIR
set -e
out=$1
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MTOOLS_SKIP_CHECK=1
printf 'hello, world\n' > "$tmp/small"
head -c 3000 /dev/zero | tr '\0' 'x' > "$tmp/mid"
seed() {        # name, mkfs options, KiB
	img=$tmp/$1
	mkfs.vfat $2 -C "$img" $3 >/dev/null
	mmd -i "$img" ::/EFI ::/EFI/BOOT "::/A Long Directory Name" "::/A Long Directory Name/deeper"
	mcopy -i "$img" "$tmp/small" ::/EFI/BOOT/BOOTAA64.EFI
	mcopy -i "$img" "$tmp/mid" "::/A Long Directory Name/deeper/file with a long name.txt"
	mcopy -i "$img" "$tmp/small" ::/one
	mcopy -i "$img" "$tmp/mid" ::/two
	mdel -i "$img" ::/one
	mcopy -i "$img" "$tmp/mid" ::/fragmented
	mlabel -i "$img" ::SEED
	python3 -c "import sys; d=open(sys.argv[1],'rb').read().rstrip(b'\0'); open(sys.argv[2],'wb').write(d)" \
		"$img" "$out/$1"
}
seed fat12 "-F 12" 160
seed fat12-4k "-F 12 -S 4096" 1024
seed fat16 "-F 16 -s 1 -r 16" 2200
seed fat32 "-F 32 -s 1 -f 1 -R 2" 34000
