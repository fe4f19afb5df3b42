#!/usr/bin/perl
# make-mmdb.pl DIR - write small MaxMind DB files for tests of net/geoip.c
# with Debian's libmaxmind-db-writer-perl (no .mmdb data is packaged):
#
#   DIR/country.mmdb  GeoLite2-Country-like: country.iso_code,
#                     continent.code, registered_country.iso_code
#   DIR/asn.mmdb      GeoLite2-ASN-like: autonomous_system_number,
#                     autonomous_system_organization
#   DIR/v4only.mmdb   an IPv4 tree (ip_version 4) with one country network
#
# All networks are documentation / test ranges.
#
# SPDX-License-Identifier: MIT
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $dir = shift // die "usage: make-mmdb.pl DIR\n";

my %types = (
	country => 'map', continent => 'map', registered_country => 'map',
	iso_code => 'utf8_string', code => 'utf8_string', names => 'map',
	en => 'utf8_string',
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
);

sub tree {
	my ($type, $ipv) = @_;
	return MaxMind::DB::Writer::Tree->new(
		ip_version => $ipv, record_size => 28, database_type => $type,
		languages => ['en'], description => { en => "Panoptes test $type" },
		map_key_type_callback => sub { $types{ $_[0] } // die "no type for $_[0]" },
		# documentation ranges are "reserved": allow them in test data
		remove_reserved_networks => 0,
	);
}

sub write_tree {
	my ($t, $name) = @_;
	open my $fh, '>:raw', "$dir/$name" or die "$dir/$name: $!";
	$t->write_tree($fh);
	close $fh or die "$dir/$name: $!";
}

sub geo {
	my ($cc, $cont) = @_;
	return { country => { iso_code => $cc, names => { en => "Country $cc" } },
		continent => { code => $cont }, registered_country => { iso_code => $cc } };
}

my $c = tree('Panoptes-Test-Country', 6);
$c->insert_network('192.0.2.0/24', geo('US', 'NA'));
$c->insert_network('198.51.100.0/25', geo('NL', 'EU'));
$c->insert_network('2001:db8::/32', geo('DE', 'EU'));
$c->insert_network('2001:db8:1::/48', geo('JP', 'AS'));
# only the registered country is known for this one
$c->insert_network('203.0.113.0/24', { registered_country => { iso_code => 'AU' },
	continent => { code => 'OC' } });
write_tree($c, 'country.mmdb');

my $a = tree('Panoptes-Test-ASN', 6);
$a->insert_network('192.0.2.0/24', { autonomous_system_number => 64496,
	autonomous_system_organization => 'Example Transit LLC' });
$a->insert_network('198.51.100.0/24', { autonomous_system_number => 64497,
	autonomous_system_organization => "Ex\x{e4}mple Netz GmbH" });
$a->insert_network('2001:db8::/32', { autonomous_system_number => 4200000000,
	autonomous_system_organization => 'Example v6 AS' });
write_tree($a, 'asn.mmdb');

my $v4 = tree('Panoptes-Test-Country-v4', 4);
$v4->insert_network('192.0.2.128/25', geo('CA', 'NA'));
write_tree($v4, 'v4only.mmdb');
