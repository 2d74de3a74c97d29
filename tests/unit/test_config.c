/*
 * Configuration parser tests: a full config lands in the right fields, defaults are right, and
 * each class of error gives its exact message (file, JSON path, what was expected, what was
 * found). JSON in this file is written with single quotes, turned into double quotes by q(), so
 * that it stays readable; expected messages are written as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "config.h"

#define NAME "t.json"
#define HDR  "'router-id':'192.0.2.1','local-as':64500"
#define BASE HDR ",'translation':{'prefix':'64:ff9b::/96'}"

static char err[CFG_ERRLEN];

/* Parses JSON written with single quotes. */
static struct cfg *
parse(const char *sq)
{
	char *s = strdup(sq);
	assert_non_null(s);
	for (char *c = s; *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	err[0] = '\0';
	struct cfg *c = cfg_parse(s, strlen(s), NAME, err, sizeof err);
	free(s);
	if (c == NULL)
		assert_true(err[0] != '\0');
	return c;
}

static void
expect_ok(const char *sq)
{
	struct cfg *c = parse(sq);
	if (c == NULL)
		fail_msg("refused: %s", err);
	cfg_free(c);
}

static void
expect_err(const char *sq, const char *msg)
{
	struct cfg *c = parse(sq);
	if (c != NULL) {
		cfg_free(c);
		fail_msg("accepted, expected: %s", msg);
	}
	assert_string_equal(err, msg);
}

static void
addr(int af, const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(af, s, out), 1);
}

static void
assert_addr(int af, const uint8_t *a, const char *s)
{
	uint8_t b[16];
	addr(af, s, b);
	assert_memory_equal(a, b, af == AF_INET ? 4 : 16);
}

static void
assert_prefix(const struct prefix *p, const char *s)
{
	char buf[PREFIX_STRLEN];
	assert_string_equal(prefix_fmt(p, buf), s);
}

static const char full[] =
    "{'router-id':'192.0.2.1','local-as':64500,'cluster-id':'192.0.2.99','log-level':'debug',"
    " 'listen':[{'address':'::','port':1179},{'address':'192.0.2.1'}],"
    " 'translation':{'prefix':'2001:db8:100::/40',"
    "  'next-hops':[{'ipv4':'192.0.2.0/24','ipv6':'2001:db8:64::1'},"
    "               {'ipv4':'0.0.0.0/0','ipv6':'fe80::1','device':'eth0'}],"
    "  'unknown-next-hop':'default','default-next-hop':{'ipv6':'2001:db8:64::2','device':'v'},"
    "  'wkp-global-only':false,"
    "  'explicit-mappings':[{'ipv4':'203.0.113.0/24',"
    "                        'ipv6':'2001:db8:1234:64:ffff:ffff:ffff:ff00/120'}],"
    "  'eor-wait':30},"
    " 'neighbors':["
    "  {'address':'2001:db8::10','port':1179,'local-address':'2001:db8::1',"
    "   'remote-as':4200000000,'description':'transit','route-reflector-client':false,"
    "   'families':{'ipv4':{'import':false,'export':true},'ipv6':{'import':false,'export':false}},"
    "   'hold-time':0,'connect-retry':5,'passive':true,'password':null,'ttl-security':true,"
    "   'tcp-ao':{'key':'s3cret','algorithm':'cmac(aes128)','send-id':1,'recv-id':255},"
    "   'max-prefixes':4294967295,"
    "   'graceful-restart':{'enabled':false,'restart-time':4095,'stale-time':65535},"
    "   'eorr-time':1,"
    "   'ipv6-next-hop':'2001:db8:64::1','ipv6-link-local-next-hop':'fe80::64',"
    "   'extended-next-hop':true,'allow-wkp-specifics':true,'copy-unknown-attributes':true},"
    "  {'address':'192.0.2.10','remote-as':64500,'route-reflector-client':true,"
    "   'password':'md5key','hold-time':3}],"
    " 'fib':{'enabled':true,'table':100,'protocol':200,'metric':0,'keep-on-exit':true},"
    " 'control':{'socket':'/tmp/b.sock','mode':'0600','group':'wheel'},"
    " 'metrics':{'listen':'[::1]:9179'}}";

static void
test_full(void **state)
{
	(void)state;
	struct cfg *c = parse(full);
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->path, NAME);
	assert_int_equal(c->router_id, 0xc0000201u);
	assert_int_equal(c->local_as, 64500);
	assert_int_equal(c->cluster_id, 0xc0000263u);
	assert_string_equal(c->log_level, "debug");

	assert_int_equal(c->n_listen, 2);
	assert_int_equal(c->listen[0].af, AF_INET6);
	assert_addr(AF_INET6, c->listen[0].addr, "::");
	assert_int_equal(c->listen[0].port, 1179);
	assert_int_equal(c->listen[1].af, AF_INET);
	assert_addr(AF_INET, c->listen[1].addr, "192.0.2.1");
	assert_int_equal(c->listen[1].port, 179);

	assert_prefix(&c->xlat_prefix, "2001:db8:100::/40");
	assert_int_equal(c->n_nexthops, 2);
	assert_prefix(&c->nexthops[0].v4, "192.0.2.0/24");
	assert_addr(AF_INET6, c->nexthops[0].v6, "2001:db8:64::1");
	assert_string_equal(c->nexthops[0].dev, "");
	assert_prefix(&c->nexthops[1].v4, "0.0.0.0/0");
	assert_addr(AF_INET6, c->nexthops[1].v6, "fe80::1");
	assert_string_equal(c->nexthops[1].dev, "eth0");
	assert_int_equal(c->unknown_policy, XLAT_UNKNOWN_DEFAULT);
	assert_addr(AF_INET6, c->unknown_default.v6, "2001:db8:64::2");
	assert_string_equal(c->unknown_default.dev, "v");
	assert_false(c->wkp_global_only);
	assert_int_equal(c->n_eams, 1);
	assert_prefix(&c->eams[0].v4, "203.0.113.0/24");
	assert_prefix(&c->eams[0].v6, "2001:db8:1234:64:ffff:ffff:ffff:ff00/120");
	assert_int_equal(c->eor_wait, 30);

	/* The translation context is built from the same values. */
	assert_non_null(c->xlat);
	assert_true(prefix_eq(xlat_get_prefix(c->xlat), &c->xlat_prefix));
	uint8_t v4[4] = {192, 0, 2, 77};
	const struct xlat_nh *nh = xlat_map_nexthop(c->xlat, v4);
	assert_non_null(nh);
	assert_addr(AF_INET6, nh->v6, "2001:db8:64::1");
	v4[0] = 10;
	nh = xlat_map_nexthop(c->xlat, v4);
	assert_non_null(nh);
	assert_string_equal(nh->dev, "eth0");

	assert_int_equal(c->n_neighbors, 2);
	const struct cfg_neighbor *n = &c->neighbors[0];
	assert_int_equal(n->af, AF_INET6);
	assert_addr(AF_INET6, n->addr, "2001:db8::10");
	assert_int_equal(n->port, 1179);
	assert_true(n->has_local);
	assert_addr(AF_INET6, n->local, "2001:db8::1");
	assert_int_equal(n->remote_as, 4200000000u);
	assert_string_equal(n->description, "transit");
	assert_false(n->rr_client);
	assert_false(n->fam[0].import);
	assert_true(n->fam[0].export);
	assert_false(n->fam[1].import);
	assert_false(n->fam[1].export);
	assert_int_equal(n->hold_time, 0);
	assert_int_equal(n->connect_retry, 5);
	assert_true(n->passive);
	assert_null(n->password);
	assert_true(n->ttl_security);
	assert_string_equal(n->tcp_ao.key, "s3cret");
	assert_string_equal(n->tcp_ao.algorithm, "cmac(aes128)");
	assert_int_equal(n->tcp_ao.send_id, 1);
	assert_int_equal(n->tcp_ao.recv_id, 255);
	/* the integer of earlier versions: both families, restart after the default time */
	assert_int_equal(n->max_prefixes.limit, 4294967295u);
	assert_int_equal(n->max_prefixes.action, CFG_LIMIT_RESTART);
	assert_int_equal(n->max_prefixes.restart_time, CFG_LIMIT_RESTART_TIME);
	assert_false(n->graceful_restart);
	assert_int_equal(n->gr_restart_time, 4095);
	assert_int_equal(n->gr_stale_time, 65535);
	assert_int_equal(n->eorr_time, 1);
	assert_true(n->has_nexthop6);
	assert_addr(AF_INET6, n->nexthop6, "2001:db8:64::1");
	assert_true(n->has_nexthop6_ll);
	assert_addr(AF_INET6, n->nexthop6_ll, "fe80::64");
	assert_true(n->extended_nexthop);
	assert_true(n->allow_wkp_specifics);
	assert_true(n->copy_unknown_attrs);

	n = &c->neighbors[1];
	assert_int_equal(n->af, AF_INET);
	assert_addr(AF_INET, n->addr, "192.0.2.10");
	assert_true(n->rr_client);
	assert_string_equal(n->password, "md5key");
	assert_null(n->tcp_ao.key);
	assert_int_equal(n->hold_time, 3);

	assert_true(c->fib.enabled);
	assert_int_equal(c->fib.table, 100);
	assert_int_equal(c->fib.protocol, 200);
	assert_int_equal(c->fib.metric, 0);
	assert_true(c->fib.keep_on_exit);
	assert_string_equal(c->control.socket, "/tmp/b.sock");
	assert_int_equal(c->control.mode, 0600);
	assert_string_equal(c->control.group, "wheel");
	assert_true(c->metrics.enabled);
	assert_int_equal(c->metrics.af, AF_INET6);
	assert_addr(AF_INET6, c->metrics.addr, "::1");
	assert_int_equal(c->metrics.port, 9179);
	cfg_free(c);
}

static void
test_defaults(void **state)
{
	(void)state;
	struct cfg *c =
	    parse("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64501}]}");
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->cluster_id, c->router_id);
	assert_string_equal(c->log_level, "info");
	assert_int_equal(c->n_listen, 1);
	assert_int_equal(c->listen[0].af, AF_INET6);
	assert_addr(AF_INET6, c->listen[0].addr, "::");
	assert_int_equal(c->listen[0].port, 179);
	assert_true(xlat_is_wkp(&c->xlat_prefix));
	assert_int_equal(c->n_nexthops, 0);
	assert_null(c->nexthops);
	assert_int_equal(c->unknown_policy, XLAT_UNKNOWN_REJECT);
	assert_true(c->wkp_global_only);
	assert_int_equal(c->n_eams, 0);
	assert_int_equal(c->eor_wait, 120);
	assert_non_null(c->xlat);

	const struct cfg_neighbor *n = &c->neighbors[0];
	assert_int_equal(n->port, 179);
	assert_false(n->has_local);
	assert_null(n->description);
	assert_false(n->rr_client);
	assert_true(n->fam[0].import);
	assert_false(n->fam[0].export);
	assert_true(n->fam[1].import);
	assert_true(n->fam[1].export);
	assert_int_equal(n->hold_time, 90);
	assert_int_equal(n->connect_retry, 30);
	assert_false(n->passive);
	assert_null(n->password);
	assert_false(n->ttl_security);
	assert_null(n->tcp_ao.key);
	assert_int_equal(n->max_prefixes.limit, 0);
	/* per family: a full table with headroom, restart after a minute */
	assert_int_equal(n->fam[0].max_prefixes.limit, CFG_MAX_PREFIXES_V4);
	assert_int_equal(n->fam[1].max_prefixes.limit, CFG_MAX_PREFIXES_V6);
	for (int f = 0; f < 2; f++) {
		assert_int_equal(n->fam[f].max_prefixes.action, CFG_LIMIT_RESTART);
		assert_int_equal(n->fam[f].max_prefixes.restart_time, 60);
	}
	assert_true(n->graceful_restart);
	assert_int_equal(n->gr_restart_time, 120);
	assert_int_equal(n->gr_stale_time, 360);
	assert_int_equal(n->eorr_time, 360);
	assert_false(n->has_nexthop6);
	assert_false(n->has_nexthop6_ll);
	assert_false(n->extended_nexthop);
	assert_false(n->allow_wkp_specifics);
	assert_false(n->copy_unknown_attrs);

	assert_false(c->fib.enabled);
	assert_int_equal(c->fib.table, 254);
	assert_int_equal(c->fib.protocol, 64);
	assert_int_equal(c->fib.metric, 20);
	assert_false(c->fib.keep_on_exit);
	assert_string_equal(c->control.socket, "/run/bgp64d/bgp64d.sock");
	assert_int_equal(c->control.mode, 0660);
	assert_null(c->control.group);
	assert_false(c->metrics.enabled);
	cfg_free(c);

	/* Sub-objects given in part keep the defaults of the keys left out; empty arrays and
	 * null are taken as given. */
	c = parse("{" BASE ",'listen':[],'metrics':null,'neighbors':[{'address':'192.0.2.10',"
		  "'remote-as':64500,'families':{'ipv6':{'import':false}},"
		  "'tcp-ao':{'key':'k','send-id':0,'recv-id':0}}]}");
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->n_listen, 0);
	assert_false(c->metrics.enabled);
	n = &c->neighbors[0];
	assert_true(n->fam[0].import);
	assert_false(n->fam[0].export);
	assert_false(n->fam[1].import);
	assert_true(n->fam[1].export);
	assert_string_equal(n->tcp_ao.algorithm, "hmac(sha1)");
	cfg_free(c);
}

/* Prefix limits: an integer or an object, per family and (as before) in total. */
static void
test_prefix_limits(void **state)
{
	(void)state;
	struct cfg *c = parse("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
			      "'families':{'ipv4':{'max-prefixes':{'limit':10,'action':'block'}},"
			      "'ipv6':{'max-prefixes':7}},"
			      "'max-prefixes':{'limit':15,'action':'restart','restart-time':0}},"
			      "{'address':'192.0.2.11','remote-as':64500,'families':{'ipv4':{"
			      "'max-prefixes':{'action':'warn','restart-time':5}}}}]}");
	if (c == NULL)
		fail_msg("refused: %s", err);
	const struct cfg_neighbor *n = &c->neighbors[0];
	assert_int_equal(n->fam[0].max_prefixes.limit, 10);
	assert_int_equal(n->fam[0].max_prefixes.action, CFG_LIMIT_BLOCK);
	assert_int_equal(n->fam[0].max_prefixes.restart_time, 60);
	assert_int_equal(n->fam[1].max_prefixes.limit, 7);
	assert_int_equal(n->fam[1].max_prefixes.action, CFG_LIMIT_RESTART);
	assert_int_equal(n->max_prefixes.limit, 15);
	assert_int_equal(n->max_prefixes.restart_time, 0);
	/* an object without "limit" keeps the default limit */
	n = &c->neighbors[1];
	assert_int_equal(n->fam[0].max_prefixes.limit, CFG_MAX_PREFIXES_V4);
	assert_int_equal(n->fam[0].max_prefixes.action, CFG_LIMIT_WARN);
	assert_int_equal(n->fam[0].max_prefixes.restart_time, 5);
	assert_false(cfg_limit_eq(&c->neighbors[0].fam[0].max_prefixes, &n->fam[0].max_prefixes));
	assert_true(cfg_neighbor_changed(&c->neighbors[0], n));
	cfg_free(c);

	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		   "'families':{'ipv4':{'max-prefixes':{'action':'drop'}}}}]}",
		   "t.json: neighbors[0].families.ipv4.max-prefixes.action: expected one of "
		   "\"warn\", \"block\", \"restart\", got \"drop\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		   "'max-prefixes':-1}]}",
		   "t.json: neighbors[0].max-prefixes: expected integer 0..4294967295 or a limit "
		   "object, got -1");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		   "'max-prefixes':{'limit':'x'}}]}",
		   "t.json: neighbors[0].max-prefixes.limit: expected integer 0..4294967295, got "
		   "\"x\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		   "'max-prefixes':{'limt':3}}]}",
		   "t.json: neighbors[0].max-prefixes.limt: unknown key (did you mean "
		   "\"limit\"?)");
	/* attribute limits and the memory budget */
	c = parse("{" BASE ",'limits':{'memory-budget':1048576},'neighbors':[{'address':"
		  "'192.0.2.10','remote-as':64500,'limits':{'attribute-bytes':{'limit':1000,"
		  "'action':'warn'},'communities':{'action':'restart','restart-time':0}}},"
		  "{'address':'192.0.2.11','remote-as':64500}]}");
	if (c == NULL)
		fail_msg("refused: %s", err);
	assert_int_equal(c->memory_budget, 1048576);
	n = &c->neighbors[0];
	assert_int_equal(n->limits.attr_bytes.limit, 1000);
	assert_int_equal(n->limits.attr_bytes.action, CFG_LIMIT_WARN);
	assert_int_equal(n->limits.communities.limit, CFG_COMMUNITIES);
	assert_int_equal(n->limits.communities.action, CFG_LIMIT_RESTART);
	assert_int_equal(n->limits.communities.restart_time, 0);
	assert_int_equal(n->limits.aspath_len.limit, CFG_ASPATH_LEN);
	assert_true(cfg_neighbor_changed(n, &c->neighbors[1]));
	n = &c->neighbors[1]; /* the defaults */
	assert_int_equal(n->limits.attr_bytes.limit, CFG_ATTR_BYTES);
	assert_int_equal(n->limits.attr_bytes.action, CFG_LIMIT_RESTART);
	assert_int_equal(n->limits.aspath_len.action, CFG_LIMIT_BLOCK);
	assert_int_equal(n->limits.communities.action, CFG_LIMIT_BLOCK);
	cfg_free(c);
	c = parse("{" BASE "}");
	assert_non_null(c);
	assert_int_equal(c->memory_budget, 0); /* half of the physical memory, at start */
	cfg_free(c);
	expect_err("{" BASE ",'limits':{'memory-budget':1000}}",
		   "t.json: limits.memory-budget: expected integer 0 or 1048576..2^50 (bytes), "
		   "got 1000");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		   "'limits':{'as-path-lenght':3}}]}",
		   "t.json: neighbors[0].limits.as-path-lenght: unknown key (did you mean "
		   "\"as-path-length\"?)");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		   "'max-prefixes':{'restart-time':86401}}]}",
		   "t.json: neighbors[0].max-prefixes.restart-time: expected integer 0..86400, "
		   "got 86401");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote_as':64500}]}",
		   "t.json: neighbors[0].remote_as: unknown key (did you mean \"remote-as\"?)");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		   "'families':{'ipv4':{'exprot':true}}}]}",
		   "t.json: neighbors[0].families.ipv4.exprot: unknown key (did you mean "
		   "\"export\"?)");
	expect_err("{" BASE ",'Log_Level':'info'}",
		   "t.json: Log_Level: unknown key (did you mean \"log-level\"?)");
	expect_err("{" BASE ",'bogus':1}", "t.json: bogus: unknown key");
	expect_err("{" BASE ",'fib':{'enabled':true,'routing-table':5}}",
		   "t.json: fib.routing-table: unknown key");
	/* Before a missing required key: the typo is what the user needs to see. */
	expect_err("{'routerid':'192.0.2.1'}",
		   "t.json: routerid: unknown key (did you mean \"router-id\"?)");
}

static void
test_bad_address(void **state)
{
	(void)state;
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.300','remote-as':1}]}",
		   "t.json: neighbors[0].address: expected IP address, got \"192.0.2.300\"");
	expect_err("{" BASE ",'neighbors':[{'address':'ff02::1','remote-as':1}]}",
		   "t.json: neighbors[0].address: expected unicast IP address (not link-local), "
		   "got \"ff02::1\"");
	expect_err("{'router-id':'2001:db8::1','local-as':1}",
		   "t.json: router-id: expected IPv4 address other than 0.0.0.0, got "
		   "\"2001:db8::1\"");
	expect_err("{'router-id':'0.0.0.0','local-as':1}",
		   "t.json: router-id: expected IPv4 address other than 0.0.0.0, got \"0.0.0.0\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','local-address':'2001:db8::1',"
		   "'remote-as':1}]}",
		   "t.json: neighbors[0].local-address: expected IPv4 address (the family of "
		   "\"address\"), got \"2001:db8::1\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,"
		   "'ipv6-next-hop':'fe80::1'}]}",
		   "t.json: neighbors[0].ipv6-next-hop: expected global IPv6 address, got "
		   "\"fe80::1\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,"
		   "'ipv6-link-local-next-hop':'2001:db8::1'}]}",
		   "t.json: neighbors[0].ipv6-link-local-next-hop: expected link-local IPv6 "
		   "address (fe80::/10), got \"2001:db8::1\"");
	expect_err("{" HDR
		   ",'translation':{'prefix':'64:ff9b::/96','next-hops':[{'ipv4':'0.0.0.0/0',"
		   "'ipv6':'fe80::1'}]}}",
		   "t.json: translation.next-hops[0].ipv6: expected IPv6 address that is not "
		   "link-local (a link-local one needs \"device\"), got \"fe80::1\"");
	expect_err("{" HDR
		   ",'translation':{'prefix':'64:ff9b::/96','next-hops':[{'ipv4':'0.0.0.0/0',"
		   "'ipv6':'2001:db8::1','device':'a/b'}]}}",
		   "t.json: translation.next-hops[0].device: expected interface name of 1..15 "
		   "bytes, got \"a/b\"");
}

static void
test_host_bits(void **state)
{
	(void)state;
	expect_err("{" HDR ",'translation':{'prefix':'64:ff9b::/96','next-hops':[{'ipv4':"
		   "'192.0.2.1/24','ipv6':'2001:db8::1'}]}}",
		   "t.json: translation.next-hops[0].ipv4: expected IPv4 prefix without host bits, "
		   "got \"192.0.2.1/24\" (did you mean \"192.0.2.0/24\"?)");
	expect_err(
	    "{" HDR ",'translation':{'prefix':'64:ff9b::/96','explicit-mappings':[{'ipv4':"
	    "'203.0.113.0/24','ipv6':'2001:db8::1/120'}]}}",
	    "t.json: translation.explicit-mappings[0].ipv6: expected IPv6 prefix without host "
	    "bits, got \"2001:db8::1/120\" (did you mean \"2001:db8::/120\"?)");
	expect_err("{" HDR ",'translation':{'prefix':'64:ff9b::1/96'}}",
		   "t.json: translation.prefix: expected IPv6 prefix without host bits, got "
		   "\"64:ff9b::1/96\" (did you mean \"64:ff9b::/96\"?)");
	expect_err("{" HDR ",'translation':{'prefix':'64:ff9b::/96','next-hops':[{'ipv4':"
		   "'192.0.2.0','ipv6':'2001:db8::1'}]}}",
		   "t.json: translation.next-hops[0].ipv4: expected IPv4 prefix, got "
		   "\"192.0.2.0\"");
}

static void
test_xlat_prefix(void **state)
{
	(void)state;
	expect_err("{" HDR ",'translation':{'prefix':'2001:db8::/33'}}",
		   "t.json: translation.prefix: expected IPv6 prefix of length 32, 40, 48, 56, 64 "
		   "or 96, got \"2001:db8::/33\"");
	expect_err("{" HDR ",'translation':{'prefix':'192.0.2.0/24'}}",
		   "t.json: translation.prefix: expected IPv6 prefix, got \"192.0.2.0/24\"");
	expect_ok("{" HDR ",'translation':{'prefix':'2001:db8::/32'}}");
	expect_ok("{" HDR ",'translation':{'prefix':'2001:db8:1:2::/64'}}");
}

static void
test_u_octet(void **state)
{
	(void)state;
	expect_err(
	    "{" HDR ",'translation':{'prefix':'2001:db8:0:0:100::/96'}}",
	    "t.json: translation.prefix: expected IPv6 prefix with bits 64..71 (the u-octet) "
	    "zero, got \"2001:db8:0:0:100::/96\"");
	expect_ok("{" HDR ",'translation':{'prefix':'2001:db8:0:0:1::/96'}}");
}

static void
test_as_number(void **state)
{
	(void)state;
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1},"
		   "{'address':'192.0.2.11','remote-as':2},"
		   "{'address':'192.0.2.12','remote-as':'abc'}]}",
		   "t.json: neighbors[2].remote-as: expected integer 1..4294967295, got \"abc\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':4294967296}]}",
		   "t.json: neighbors[0].remote-as: expected integer 1..4294967295, got "
		   "4294967296");
	expect_err("{'router-id':'192.0.2.1','local-as':0}",
		   "t.json: local-as: expected integer 1..4294967295, got 0");
	expect_err("{'router-id':'192.0.2.1','local-as':-1}",
		   "t.json: local-as: expected integer 1..4294967295, got -1");
	expect_err("{'router-id':'192.0.2.1','local-as':64500.0}",
		   "t.json: local-as: expected integer 1..4294967295, got 64500.0");
	expect_ok("{'router-id':'192.0.2.1','local-as':4294967295,'translation':{'prefix':"
		  "'64:ff9b::/96'}}");
}

static void
test_duplicates(void **state)
{
	(void)state;
	expect_err("{" BASE ",'neighbors':[{'address':'2001:db8::1','remote-as':1},"
		   "{'address':'2001:db8:0::1','remote-as':2}]}",
		   "t.json: neighbors[1].address: expected address not used by neighbors[0], got "
		   "\"2001:db8:0::1\"");
	expect_err("{" BASE ",'listen':[{'address':'::'},{'address':'0::','port':179}]}",
		   "t.json: listen[1]: expected an address and port not in listen[0] already, got "
		   "\"::\" port 179");
	expect_ok("{" BASE ",'listen':[{'address':'::'},{'address':'::','port':1179}]}");
	expect_err("{" HDR ",'translation':{'prefix':'64:ff9b::/96','next-hops':["
		   "{'ipv4':'192.0.2.0/24','ipv6':'2001:db8::1'},"
		   "{'ipv4':'192.0.2.0/24','ipv6':'2001:db8::2'}]}}",
		   "t.json: translation.next-hops[1].ipv4: expected IPv4 prefix not in "
		   "translation.next-hops[0] already, got \"192.0.2.0/24\"");
	/* Duplicate keys are a JSON-level error. */
	struct cfg *c = parse("{" BASE ",'local-as':1}");
	assert_null(c);
	assert_non_null(strstr(err, "duplicate object key"));
	assert_true(strncmp(err, "t.json:1:", 9) == 0);
}

static void
test_missing_required(void **state)
{
	(void)state;
	expect_err("{'local-as':64500,'translation':{'prefix':'64:ff9b::/96'}}",
		   "t.json: missing required key \"router-id\"");
	expect_err("{" HDR "}", "t.json: missing required key \"translation\"");
	expect_err("{" HDR ",'translation':{}}",
		   "t.json: translation: missing required key \"prefix\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10'}]}",
		   "t.json: neighbors[0]: missing required key \"remote-as\"");
	expect_err("{" BASE ",'metrics':{}}", "t.json: metrics: missing required key \"listen\"");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,"
		   "'tcp-ao':{'key':'k','send-id':1}}]}",
		   "t.json: neighbors[0].tcp-ao: missing required key \"recv-id\"");
}

static void
test_syntax_error(void **state)
{
	(void)state;
	struct cfg *c = parse("{\n  'router-id': '192.0.2.1',\n  'local-as': 64500,,\n}\n");
	assert_null(c);
	/* file:line:column: jansson's message. The column is where jansson stopped, at or just
	 * past the second comma (column 20). */
	int line = 0, col = 0, n = 0;
	assert_int_equal(sscanf(err, "t.json:%d:%d: %n", &line, &col, &n), 2);
	assert_int_equal(line, 3);
	assert_in_range(col, 19, 21);
	assert_non_null(strstr(err + n, "','"));
	c = parse("[1]");
	assert_null(c);
	assert_string_equal(err, "t.json: expected object, got an array");
	c = parse("");
	assert_null(c);
	assert_true(strncmp(err, "t.json:", 7) == 0);
}

static void
test_password_tcp_ao(void **state)
{
	(void)state;
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'password':'pw',"
		   "'tcp-ao':{'key':'k','send-id':1,'recv-id':1}}]}",
		   "t.json: neighbors[0].tcp-ao: expected null when \"password\" is set (TCP MD5 "
		   "and TCP-AO exclude each other), got an object");
	/* A secret is never echoed. */
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'password':"
		   "'0123456789012345678901234567890123456789012345678901234567890123456789"
		   "01234567890123456789'}]}",
		   "t.json: neighbors[0].password: expected string of 1..80 bytes or null, got a "
		   "string of 90 bytes");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'tcp-ao':"
		   "{'key':'','send-id':1,'recv-id':1}}]}",
		   "t.json: neighbors[0].tcp-ao.key: expected string of 1..80 bytes, got a string "
		   "of 0 bytes");
	expect_err("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'password':7}]}",
		   "t.json: neighbors[0].password: expected string of 1..80 bytes or null, got 7");
	expect_ok("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'password':null,"
		  "'tcp-ao':{'key':'k','send-id':1,'recv-id':1}}]}");
	expect_ok("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'password':'pw',"
		  "'tcp-ao':null}]}");
}

static void
test_default_next_hop(void **state)
{
	(void)state;
	expect_err("{" HDR ",'translation':{'prefix':'64:ff9b::/96','unknown-next-hop':'default'}}",
		   "t.json: translation: missing required key \"default-next-hop\" "
		   "(unknown-next-hop is \"default\")");
	expect_err("{" HDR ",'translation':{'prefix':'64:ff9b::/96','default-next-hop':"
		   "{'ipv6':'2001:db8::1'}}}",
		   "t.json: translation.default-next-hop: expected no default next hop when "
		   "unknown-next-hop is \"reject\", got an object");
	expect_err("{" HDR ",'translation':{'prefix':'64:ff9b::/96','unknown-next-hop':'drop'}}",
		   "t.json: translation.unknown-next-hop: expected one of \"reject\", \"default\", "
		   "got \"drop\"");
	struct cfg *c = parse("{" HDR ",'translation':{'prefix':'64:ff9b::/96','unknown-next-hop':"
			      "'default','default-next-hop':{'ipv6':'2001:db8::1'}}}");
	if (c == NULL)
		fail_msg("%s", err);
	uint8_t v4[4] = {198, 51, 100, 1};
	const struct xlat_nh *nh = xlat_map_nexthop(c->xlat, v4);
	assert_non_null(nh);
	assert_addr(AF_INET6, nh->v6, "2001:db8::1");
	cfg_free(c);
}

/* The remaining per-field checks, one line each. */
static void
test_fields(void **state)
{
	(void)state;
	static const struct {
		const char *json, *msg;
	} cases[] = {
	    {"{" BASE ",'log-level':'verbose'}",
	     "t.json: log-level: expected one of \"error\", \"warning\", \"info\", \"debug\", got "
	     "\"verbose\""},
	    {"{" BASE ",'cluster-id':5}",
	     "t.json: cluster-id: expected IPv4 address other than 0.0.0.0, got 5"},
	    {"{" BASE ",'listen':{}}", "t.json: listen: expected array, got an object"},
	    {"{" BASE ",'listen':[{'address':'::','port':0}]}",
	     "t.json: listen[0].port: expected integer 1..65535, got 0"},
	    {"{" BASE ",'listen':['::']}", "t.json: listen[0]: expected object, got \"::\""},
	    {"{" BASE ",'listen':[{'address':'224.0.0.1'}]}",
	     "t.json: listen[0].address: expected unicast or wildcard IP address, got "
	     "\"224.0.0.1\""},
	    {"{" HDR ",'translation':{'prefix':'64:ff9b::/96','wkp-global-only':'yes'}}",
	     "t.json: translation.wkp-global-only: expected true or false, got \"yes\""},
	    {"{" HDR ",'translation':{'prefix':'64:ff9b::/96','eor-wait':3601}}",
	     "t.json: translation.eor-wait: expected integer 0..3600, got 3601"},
	    {"{" HDR ",'translation':{'prefix':'64:ff9b::/96','next-hops':[{'ipv4':'10.0.0.0/8',"
	     "'ipv6':'ff02::1'}]}}",
	     "t.json: translation.next-hops[0].ipv6: expected unicast IPv6 address, got "
	     "\"ff02::1\""},
	    {"{" HDR ",'translation':{'prefix':'64:ff9b::/96','explicit-mappings':[{'ipv4':"
	     "'203.0.113.0/24','ipv6':'2001:db8::/120'},{'ipv4':'203.0.113.128/25','ipv6':"
	     "'2001:db8:1::/121'}]}}",
	     "t.json: translation.explicit-mappings[1]: explicit mapping 203.0.113.128/25: "
	     "overlaps the mapping 203.0.113.0/24 <-> 2001:db8::/120"},
	    {"{" HDR ",'translation':{'prefix':'64:ff9b::/64'}}",
	     "t.json: translation.prefix: expected RFC 6052 translation prefix (64:ff9b::/64: "
	     "covers the well-known prefix 64:ff9b::/96, usable only as /96), got "
	     "\"64:ff9b::/64\""},
	    {"{" BASE ",'neighbors':{}}", "t.json: neighbors: expected array, got an object"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'hold-time':2}]}",
	     "t.json: neighbors[0].hold-time: expected integer 0 or 3..65535, got 2"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'connect-retry':0}]}",
	     "t.json: neighbors[0].connect-retry: expected integer 1..3600, got 0"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'passive':1}]}",
	     "t.json: neighbors[0].passive: expected true or false, got 1"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'families':"
	     "{'ipv4':true}}]}",
	     "t.json: neighbors[0].families.ipv4: expected object, got true"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'graceful-restart':"
	     "{'restart-time':4096}}]}",
	     "t.json: neighbors[0].graceful-restart.restart-time: expected integer 0..4095, got "
	     "4096"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'graceful-restart':"
	     "{'stale-time':0}}]}",
	     "t.json: neighbors[0].graceful-restart.stale-time: expected integer 1..65535, got 0"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'eorr-time':65536}]}",
	     "t.json: neighbors[0].eorr-time: expected integer 1..65535, got 65536"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'tcp-ao':"
	     "{'key':'k','send-id':256,'recv-id':1}}]}",
	     "t.json: neighbors[0].tcp-ao.send-id: expected integer 0..255, got 256"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'tcp-ao':'k'}]}",
	     "t.json: neighbors[0].tcp-ao: expected object or null, got a string of 1 byte"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,"
	     "'route-reflector-client':true}]}",
	     "t.json: neighbors[0].route-reflector-client: expected false for an eBGP neighbor "
	     "(remote-as 1 is not local-as 64500), got true"},
	    {"{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':1,'description':5}]}",
	     "t.json: neighbors[0].description: expected string of at most 255 bytes, got 5"},
	    {"{" BASE ",'fib':{'protocol':256}}",
	     "t.json: fib.protocol: expected integer 1..255 or \"bgp64d\", got 256"},
	    {"{" BASE ",'fib':{'protocol':'bgp65d'}}",
	     "t.json: fib.protocol: expected integer 1..255 or \"bgp64d\", got \"bgp65d\""},
	    /* issue 8 item 5: protocols of the system and of other routing daemons */
	    {"{" BASE ",'fib':{'protocol':'boot'}}",
	     "t.json: fib.protocol: protocol 3 (\"boot\") belongs to the system (routes added at "
	     "boot and by ip route): bgp64d deletes the routes of its protocol in its table that "
	     "it did not install; use \"bgp64d\" (64) or another number not in rt_protos"},
	    {"{" BASE ",'fib':{'protocol':4}}",
	     "t.json: fib.protocol: protocol 4 (\"static\") belongs to the system (static routes "
	     "of the administrator): bgp64d deletes the routes of its protocol in its table that "
	     "it did not install; use \"bgp64d\" (64) or another number not in rt_protos"},
	    {"{" BASE ",'fib':{'protocol':'bgp'}}",
	     "t.json: fib.protocol: protocol 186 (\"bgp\") belongs to FRR bgpd: bgp64d deletes "
	     "the routes of its protocol in its table that it did not install; use \"bgp64d\" "
	     "(64) or another number not in rt_protos"},
	    {"{" BASE ",'fib':{'protocol':196}}",
	     "t.json: fib.protocol: protocol 196 belongs to FRR (ldp, sharp, pbr, static, "
	     "openfabric, srte): bgp64d deletes the routes of its protocol in its table that it "
	     "did not install; use \"bgp64d\" (64) or another number not in rt_protos"},
	    {"{" BASE ",'fib':{'table':0}}",
	     "t.json: fib.table: expected integer 1..4294967295, got 0"},
	    {"{" BASE ",'fib':[]}", "t.json: fib: expected object, got an array"},
	    {"{" BASE ",'control':{'socket':'run/x.sock'}}",
	     "t.json: control.socket: expected absolute path of at most 107 bytes, got "
	     "\"run/x.sock\""},
	    {"{" BASE ",'control':{'mode':'0680'}}",
	     "t.json: control.mode: expected octal mode string 000..0777 such as \"0660\", got "
	     "\"0680\""},
	    {"{" BASE ",'control':{'mode':432}}",
	     "t.json: control.mode: expected octal mode string 000..0777 such as \"0660\", got "
	     "432"},
	    {"{" BASE ",'control':{'mode':'0666'}}",
	     "t.json: control.mode: expected a mode not writable by others (\"0660\"): with o+w "
	     "any local user could reset sessions, got \"0666\""},
	    {"{" BASE ",'control':{'read-only':{'mode':'0640'}}}",
	     "t.json: control.read-only: missing required key \"socket\""},
	    {"{" BASE ",'control':{'idle-timeout':0}}",
	     "t.json: control.idle-timeout: expected integer 1..3600, got 0"},
	    {"{" BASE ",'user':''}",
	     "t.json: user: expected string of 1..31 bytes or null, got \"\""},
	    {"{" BASE ",'control':{'group':''}}",
	     "t.json: control.group: expected string of 1..31 bytes or null, got \"\""},
	    {"{" BASE ",'metrics':{'listen':'::1:9179'}}",
	     "t.json: metrics.listen: expected \"ADDR:PORT\" with IPv6 as \"[ADDR]:PORT\", got "
	     "\"::1:9179\""},
	    {"{" BASE ",'metrics':{'listen':'127.0.0.1:65536'}}",
	     "t.json: metrics.listen: expected \"ADDR:PORT\" with IPv6 as \"[ADDR]:PORT\", got "
	     "\"127.0.0.1:65536\""},
	    {"{" BASE ",'metrics':{'listen':'[127.0.0.1]:80'}}",
	     "t.json: metrics.listen: expected \"ADDR:PORT\" with IPv6 as \"[ADDR]:PORT\", got "
	     "\"[127.0.0.1]:80\""},
	    {"{" BASE ",'metrics':true}", "t.json: metrics: expected object or null, got true"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_err(cases[i].json, cases[i].msg);

	/* And the accepted forms next to them. */
	struct cfg *c = parse("{" BASE ",'fib':{'protocol':19},'control':{'mode':'600'},"
			      "'metrics':{'listen':'127.0.0.1:9179'}}");
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->fib.protocol, 19);
	assert_int_equal(c->control.mode, 0600);
	assert_int_equal(c->metrics.af, AF_INET);
	assert_addr(AF_INET, c->metrics.addr, "127.0.0.1");
	assert_int_equal(c->metrics.port, 9179);
	cfg_free(c);
	c = parse("{" BASE ",'fib':{'protocol':'bgp64d'}}");
	assert_non_null(c);
	assert_int_equal(c->fib.protocol, 64);
	cfg_free(c);
	/* every rt_protos name of iproute2 is refused, by name and by number */
	static const struct {
		const char *name;
		int proto;
	} taken[] = {{"unspec", 0}, {"redirect", 1}, {"kernel", 2},	 {"boot", 3},
		     {"static", 4}, {"gated", 8},    {"ra", 9},		 {"mrt", 10},
		     {"zebra", 11}, {"bird", 12},    {"dnrouted", 13},	 {"xorp", 14},
		     {"ntk", 15},   {"dhcp", 16},    {"keepalived", 18}, {"babel", 42},
		     {"openr", 99}, {"bgp", 186},    {"isis", 187},	 {"ospf", 188},
		     {"rip", 189},  {"eigrp", 192}};
	for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) {
		char json[256], want[64];
		snprintf(want, sizeof want, "protocol %d (\"%s\") belongs to ", taken[i].proto,
			 taken[i].name);
		snprintf(json, sizeof json, "{" BASE ",'fib':{'protocol':'%s'}}", taken[i].name);
		assert_null(parse(json));
		if (strstr(err, want) == NULL)
			fail_msg("'%s': %s", taken[i].name, err);
		snprintf(json, sizeof json, "{" BASE ",'fib':{'protocol':%d}}", taken[i].proto);
		assert_null(parse(json));
		if (strstr(err, want) == NULL)
			fail_msg("%d: %s", taken[i].proto, err);
	}
}

static void
test_load(void **state)
{
	(void)state;
	struct cfg *c = cfg_load("/nonexistent/bgp64d.json", err, sizeof err);
	assert_null(c);
	assert_string_equal(err, "/nonexistent/bgp64d.json: No such file or directory");

	/* The shipped example: the reference deployment. */
	c = cfg_load("../../etc/bgp64d.json", err, sizeof err);
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->path, "../../etc/bgp64d.json");
	assert_int_equal(c->router_id, 0xc0000201u);
	assert_int_equal(c->local_as, 64500);
	assert_true(xlat_is_wkp(&c->xlat_prefix));
	assert_true(c->n_nexthops > 0);
	assert_int_equal(c->n_eams, 1);
	assert_int_equal(c->n_neighbors, 1);
	uint8_t a[16];
	addr(AF_INET, "192.0.2.10", a);
	const struct cfg_neighbor *n = cfg_neighbor_find(c, AF_INET, a);
	assert_non_null(n);
	assert_int_equal(n->remote_as, 64500);
	assert_true(n->rr_client);
	assert_true(n->fam[0].import);
	assert_false(n->fam[0].export);
	assert_true(n->fam[1].export);
	assert_false(c->fib.enabled);
	assert_string_equal(c->control.socket, "/run/bgp64d/bgp64d.sock");
	cfg_free(c);

	/* A file with an error names the file as given. */
	c = cfg_load("../unit", err, sizeof err);
	assert_null(c);
	assert_true(strncmp(err, "../unit: ", 9) == 0);
}

static void
test_diff(void **state)
{
	(void)state;
	struct cfg *a = parse(full);
	assert_non_null(a);
	uint8_t x[16];
	addr(AF_INET6, "2001:db8::10", x);
	assert_ptr_equal(cfg_neighbor_find(a, AF_INET6, x), &a->neighbors[0]);
	addr(AF_INET, "192.0.2.10", x);
	assert_ptr_equal(cfg_neighbor_find(a, AF_INET, x), &a->neighbors[1]);
	addr(AF_INET, "192.0.2.11", x);
	assert_null(cfg_neighbor_find(a, AF_INET, x));

	struct cfg *b = parse(full);
	assert_non_null(b);
	assert_false(cfg_xlat_changed(a, b));
	for (size_t i = 0; i < a->n_neighbors; i++)
		assert_false(cfg_neighbor_changed(&a->neighbors[i], &b->neighbors[i]));

	/* The description is the one field that needs no reset. */
	free(b->neighbors[0].description);
	b->neighbors[0].description = NULL;
	assert_false(cfg_neighbor_changed(&a->neighbors[0], &b->neighbors[0]));
	char diff[256];
	assert_string_equal(
	    cfg_neighbor_diff(&a->neighbors[0], &b->neighbors[0], diff, sizeof diff), "");
	unsigned ht = a->neighbors[0].hold_time;
	b->neighbors[0].hold_time = 90;
	assert_true(cfg_neighbor_changed(&a->neighbors[0], &b->neighbors[0]));
	b->neighbors[0].passive = !a->neighbors[0].passive;
	char want[64];
	snprintf(want, sizeof want, "hold-time %u -> 90, passive", ht);
	assert_string_equal(
	    cfg_neighbor_diff(&a->neighbors[0], &b->neighbors[0], diff, sizeof diff), want);
	b->neighbors[0].passive = a->neighbors[0].passive;
	b->neighbors[0].hold_time = a->neighbors[0].hold_time;
	b->neighbors[0].tcp_ao.key[0] = 'S';
	assert_true(cfg_neighbor_changed(&a->neighbors[0], &b->neighbors[0]));
	b->neighbors[0].tcp_ao.key[0] = 's';
	b->neighbors[1].fam[1].export = false;
	assert_true(cfg_neighbor_changed(&a->neighbors[1], &b->neighbors[1]));
	b->neighbors[1].fam[1].export = true;
	free(b->neighbors[1].password);
	b->neighbors[1].password = NULL;
	assert_true(cfg_neighbor_changed(&a->neighbors[1], &b->neighbors[1]));

	/* Translation: the order of entries does not matter, their content does; eor-wait is
	 * not a translation setting. */
	struct cfg_nexthop t = b->nexthops[0];
	b->nexthops[0] = b->nexthops[1];
	b->nexthops[1] = t;
	b->eor_wait = 1;
	assert_false(cfg_xlat_changed(a, b));
	b->nexthops[1].v6[15] = 9;
	assert_true(cfg_xlat_changed(a, b));
	b->nexthops[1].v6[15] = 1;
	assert_false(cfg_xlat_changed(a, b));
	b->unknown_default.v6[15] = 9;
	assert_true(cfg_xlat_changed(a, b));
	b->unknown_default.v6[15] = 2;
	b->wkp_global_only = true;
	assert_true(cfg_xlat_changed(a, b));
	b->wkp_global_only = false;
	b->eams[0].v6.len = 121;
	assert_true(cfg_xlat_changed(a, b));
	b->eams[0].v6.len = 120;
	b->xlat_prefix.len = 48;
	assert_true(cfg_xlat_changed(a, b));
	cfg_free(a);
	cfg_free(b);
}

/* cfg_check_host: the group and user must exist on the host (bgp64d -n catches a typo). */
static void
test_check_host(void **state)
{
	(void)state;
	struct cfg *c = parse("{" BASE ",'control':{'group':'root'},'user':'root'}");
	assert_int_equal(cfg_check_host(c, err, sizeof err), 0);
	cfg_free(c);
	c = parse("{" BASE ",'control':{'socket':'/tmp/a.sock','idle-timeout':5,'read-only':"
		  "{'socket':'/tmp/a.sock'}}}");
	assert_int_equal(c->control.idle_timeout, 5);
	assert_string_equal(c->control.ro_socket, "/tmp/a.sock");
	assert_int_equal(c->control.ro_mode, 0660);
	assert_int_equal(cfg_check_host(c, err, sizeof err), -1);
	assert_string_equal(err,
			    "t.json: control.read-only.socket: the same path as control.socket");
	cfg_free(c);
	c = parse("{" BASE ",'control':{'read-only':{'socket':'/tmp/r.sock','group':'nx-b64'}}}");
	assert_int_equal(cfg_check_host(c, err, sizeof err), -1);
	assert_string_equal(err,
			    "t.json: control.read-only.group: no group \"nx-b64\" on this host");
	cfg_free(c);
	c = parse("{" BASE ",'neighbors':[{'address':'192.0.2.10','remote-as':64500,"
		  "'password':'pw-secret'},{'address':'192.0.2.11','remote-as':64500,"
		  "'tcp-ao':{'key':'ao-secret','send-id':1,'recv-id':1}}]}");
	if (c == NULL)
		fail_msg("%s", err);
	assert_non_null(c->source);
	assert_null(strstr(c->source, "secret"));
	assert_non_null(strstr(c->source, "\"password\":\"(hidden)\""));
	assert_non_null(strstr(c->source, "\"key\":\"(hidden)\""));
	cfg_free(c);
	c = parse("{" BASE "}");
	assert_int_equal(c->control.idle_timeout, 30);
	assert_null(c->control.ro_socket);
	cfg_free(c);
	c = parse("{" BASE ",'control':{'group':'no-such-group-b64'}}");
	assert_int_equal(cfg_check_host(c, err, sizeof err), -1);
	assert_string_equal(err,
			    "t.json: control.group: no group \"no-such-group-b64\" on this host");
	cfg_free(c);
	c = parse("{" BASE ",'user':'no-such-user-b64'}");
	assert_int_equal(cfg_check_host(c, err, sizeof err), -1);
	assert_string_equal(err, "t.json: user: no user \"no-such-user-b64\" on this host");
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_prefix_limits),
	    cmocka_unit_test(test_bad_address),
	    cmocka_unit_test(test_host_bits),
	    cmocka_unit_test(test_xlat_prefix),
	    cmocka_unit_test(test_u_octet),
	    cmocka_unit_test(test_as_number),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_missing_required),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_password_tcp_ao),
	    cmocka_unit_test(test_default_next_hop),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_check_host),
	    cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
