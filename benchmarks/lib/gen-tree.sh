#!/bin/bash
# Writes a deterministic file tree of about BYTES bytes into DEST (which must not exist): the same
# arguments give the same names, sizes, contents and modes on every machine (perl's own seeded PRNG).
# Shaped like a distribution's /usr: 16 top-level directories, nested directories, mostly small files
# with a long tail of large ones (~30 KiB average, so ~35,000 files per GiB), text and binary-like
# content that gzip compresses about 2.2x, some executables, symlinks and hard links.
# Usage: benchmarks/lib/gen-tree.sh BYTES DEST
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BYTES DEST" >&2; exit 2; }
bytes=$1 dest=$2
[ ! -e "$dest" ] || { echo "$dest exists" >&2; exit 2; }
mkdir -p "$dest"
exec perl -e '
use strict; use warnings;
my ($total, $dest) = @ARGV;
srand(20261129);
# Two 4 MiB corpora; files take slices at random offsets. gzip sees only 32 KiB back, so slices
# compress like their corpus: word text about 2.4x, the binary corpus (12-bit noise and zero runs) about 1.8x.
# Word i is drawn with a Zipf-like skew towards the first (shortest) words, as in real text.
my @words = sort { length($a) <=> length($b) } map { join "", map { chr(97 + int(rand(26))) } 1 .. (2 + int(rand(9))) } 1 .. 1024;
sub word { return $words[int(@words * rand() ** 4)]; }
my $text = "";
while (length($text) < 4 << 20) {
    my $line = join " ", map { word() } 1 .. (3 + int(rand(12)));
    $text .= $line . (rand() < 0.1 ? ";\n" : "\n");
}
my $bin = "";
while (length($bin) < 4 << 20) {
    $bin .= rand() < 0.5 ? "\0" x (16 + int(rand(496))) : pack("n*", map { int(rand(65536)) & 0x0fff } 1 .. 128);
}
sub slice { my $n = $_[1]; return substr($_[0], int(rand(length($_[0]) - $n)), $n); }
sub content {
    my ($size, $binary) = @_;
    my $out = "";
    while (length($out) < $size) {
        my $n = 256 + int(rand(8192));
        $out .= ($binary && rand() < 0.5) ? slice($bin, $n) : slice($text, $n);
    }
    return substr($out, 0, $size);
}
sub size_of {
    my $r = rand();
    return int(rand(4096))                          if $r < 0.60;
    return 4096 + int(rand(28672))                  if $r < 0.90;
    return 32768 + int(rand(229376))                if $r < 0.997;
    return (1 << 20) + int(rand(7 << 20));
}
my ($written, $files, @made) = (0, 0);
# Files go to the top-level directories in turn (so any grouping of them is balanced), each into a
# random directory of that subtree.
my @dirs = map { [sprintf("%s/d%02d", $dest, $_)] } 0 .. 15;
for my $top (@dirs) { mkdir $top->[0] or die "$top->[0]: $!"; }
while ($written < $total) {
    my $top = $dirs[$files % 16];
    # A new subdirectory every ~20 files, under a random existing one in this subtree (at most 4 deep).
    if ($files % 20 == 0) {
        my $parent = $top->[int(rand(@$top))];
        $parent = $top->[0] if ($parent =~ tr{/}{}) > ($dest =~ tr{/}{}) + 4;
        my $d = sprintf("%s/%s%d", $parent, $words[int(rand(@words))], $files);
        mkdir $d or die "$d: $!";
        chmod 0755, $d;
        push @$top, $d;
    }
    my $dir = $top->[int(rand(@$top))];
    my $binary = rand() < 0.4;
    my $size = size_of();
    $size = $total - $written if $size > $total - $written;
    my $path = sprintf("%s/%s-%d%s", $dir, $words[int(rand(@words))], $files, $binary ? ".so" : ".txt");
    open(my $fh, ">", $path) or die "$path: $!";
    print $fh content($size, $binary);
    close($fh) or die "$path: $!";
    chmod(($binary && rand() < 0.5) ? 0755 : 0644, $path);
    push @made, $path if rand() < 0.05;
    $written += $size;
    $files++;
    my $r = rand();
    if ($r < 0.02 && @made) {
        my $target = $made[int(rand(@made))];
        (my $name = $target) =~ s{.*/}{};
        symlink($target =~ s{^\Q$dest\E}{}r, "$dir/link$files-$name");   # absolute inside the image
    } elsif ($r < 0.03 && @made) {
        my $target = $made[int(rand(@made))];
        my ($td) = $target =~ m{^(\Q$dest\E/d\d\d)};
        link($target, "$td/hard$files") or die "link $target: $!";   # same top dir, so the same layer
    }
}
print STDERR "generated $files files, $written bytes, ", scalar(map { @$_ } @dirs), " directories in $dest\n";
' "$bytes" "$dest"
