#!/usr/bin/env perl
# Print a Rust source file with comments, string literals and character
# literals blanked out (newlines kept, so line numbers stay right).
# Used by gate-unsafe so that the word `unsafe` in documentation, comments or
# messages does not count, while `unsafe` in code always does.
use strict;
use warnings;

local $/;
my $src = <>;
$src = '' unless defined $src;

my $out = '';
pos($src) = 0;
while (pos($src) < length $src) {
    if ($src =~ m{\G(/\*)}gc) {
        # Block comment, nested as Rust allows.
        my $depth = 1;
        my $text = $1;
        while ($depth > 0 && pos($src) < length $src) {
            if ($src =~ m{\G(/\*)}gc) { $depth++; $text .= $1; }
            elsif ($src =~ m{\G(\*/)}gc) { $depth--; $text .= $1; }
            elsif ($src =~ m{\G([^/*]+|.)}gcs) { $text .= $1; }
        }
        $out .= blank($text);
    }
    elsif ($src =~ m{\G(//[^\n]*)}gc) { $out .= blank($1); }
    elsif ($src =~ m{\G(b?r(\#*)".*?"\2)}gcs) { $out .= blank($1); }
    elsif ($src =~ m{\G(b?"(?:[^"\\]|\\.)*")}gcs) { $out .= blank($1); }
    elsif ($src =~ m{\G(b?'(?:[^'\\]|\\.|\\u\{[0-9a-fA-F]+\})')}gcs) { $out .= blank($1); }
    elsif ($src =~ m{\G([A-Za-z_][A-Za-z0-9_]*|[0-9]+|\s+|.)}gcs) { $out .= $1; }
    else { last; }
}
print $out;

sub blank {
    my ($s) = @_;
    $s =~ s/[^\n]/ /g;
    return $s;
}
