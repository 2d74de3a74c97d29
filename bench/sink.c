/*
 * sink - bench tool: a BGP speaker that receives routes from the device under test, timestamps
 * convergence and checks the set it ends up with.
 *
 * Every UPDATE is parsed through a checked reader: withdrawn routes, classic IPv4 NLRI, and
 * MP_REACH_NLRI / MP_UNREACH_NLRI for IPv4 and IPv6 unicast. The prefixes currently announced
 * live in one open-addressing hash set (linear probing, backward-shift deletion) keyed by
 * family, length and address, each with an interned next hop (IPv6: the first 16 bytes of the
 * MP next hop). Events go to stdout as "<EVENT> <CLOCK_MONOTONIC seconds> [values]" (README.md).
 *
 * The expected set is built from the table (gen_table.py format) before the session opens:
 * the RFC 6052 /96 translation (--xlat6, --nexthop6) and/or the table itself (--verify-ipv4).
 * Verification runs after DONE, after SETTLED (table minus the first withdrawn fraction, as
 * the feeder defines it) and with --verify-at-exit at exit.
 *
 * --sessions N opens N sessions from N consecutive local addresses, each verified on its own
 * against the one expected set. A session then keeps no set of its own: a bit per expected
 * entry (received, received with a wrong next hop) and a set of the unexpected prefixes only:
 * 25 MiB for a hundred sessions of a 1M table, besides their receive buffers. Withdrawal
 * checks and --dump need the full set of the one-session mode.
 *
 * Standalone C11 + POSIX: no dependency on the daemon's sources.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#define BENCH_PROG "sink"
#include "benchbgp.h"

#include <getopt.h>
#include <sys/mman.h>

#define NH_NONE UINT32_MAX
#define FAM_V4	1 /* = AFI */
#define FAM_V6	2
#define SAMPLES 5

/* Exit status: 0 all reached and verified, 1 verification failed, 2 usage, 3 incomplete. */
enum { EXIT_VERIFY = 1, EXIT_INCOMPLETE = EXIT_SESSION };

enum count_mode { COUNT_ALL, COUNT_V4, COUNT_V6 };

struct opts {
	struct bench_conn conn;
	const char *table, *xlat6, *nexthop6, *nexthop4, *dump;
	long expect; /* -1: from the table */
	long settle; /* -1: not asked, -2: auto */
	double withdraw_fraction, exit_after_done;
	const char *nexthop6_ll; /* comma-separated; session i expects element i % count */
	bool verify_ipv4, verify_at_exit;
	int count_mode; /* -1: derived */
	int rcvbuf;
	double read_rate;  /* --read-rate: bytes per second, 0 for no limit */
	unsigned sessions; /* 0: the one-session mode */
};

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

/* ---- checked reader: every getter returns -1 on overrun and leaves the reader as it was ---- */

struct rd {
	const uint8_t *p;
	size_t len;
};

static int
rd_u8(struct rd *r, unsigned *v)
{
	if (r->len < 1)
		return -1;
	*v = r->p[0];
	r->p++;
	r->len--;
	return 0;
}

static int
rd_u16(struct rd *r, unsigned *v)
{
	if (r->len < 2)
		return -1;
	*v = (unsigned)r->p[0] << 8 | r->p[1];
	r->p += 2;
	r->len -= 2;
	return 0;
}

/* Cuts the next n bytes off as a sub-reader. */
static int
rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	if (r->len < n)
		return -1;
	sub->p = r->p;
	sub->len = n;
	r->p += n;
	r->len -= n;
	return 0;
}

/* ---- prefix keys and the hash set ---- */

struct key {
	uint8_t fam, plen;
	uint8_t addr[16]; /* bits past plen are zero */
};

/* One slot: fam == 0 is empty. nh is an index into the next-hop table; in the expected set ord
 * is the table order, in the received set nh2 the link-local second next hop (NH_NONE). */
struct ent {
	uint32_t hash;
	struct key k;
	uint8_t pad[2];
	uint32_t nh;
	union {
		uint32_t ord;
		uint32_t nh2;
	};
};

struct kset {
	struct ent *e;
	size_t mask, n, nfam[3];
};

/* Hash of a key: the 18 key bytes folded into 64 bits, then MurmurHash3's fmix64 finalizer. */
static uint32_t
key_hash(const struct key *k)
{
	uint64_t a, b, h;

	memcpy(&a, k->addr, 8);
	memcpy(&b, k->addr + 8, 8);
	h = a ^ (b * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(k->fam << 8 | k->plen) << 40);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Slot arrays come from mmap with transparent huge pages where the kernel allows it: the set
 * is probed at random, and with 4 KiB pages every probe of a large set is a TLB miss. */
static struct ent *
slots_alloc(size_t n)
{
	size_t size = n * sizeof(struct ent);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die(EXIT_USAGE, "out of memory");
	madvise(p, size, MADV_HUGEPAGE);
	memset(p, 0, size); /* page faults now, not during the timed part */
	return p;
}

static void
slots_free(struct ent *e, size_t n)
{
	munmap(e, n * sizeof(*e));
}

/* Sizes the set for 'cap' keys at most half full. */
static void
kset_init(struct kset *s, size_t cap)
{
	size_t c = 1024;

	while (c < cap * 2)
		c *= 2;
	s->e = slots_alloc(c);
	s->mask = c - 1;
	s->n = 0;
	memset(s->nfam, 0, sizeof(s->nfam));
}

static bool
key_eq(const struct key *a, const struct key *b)
{
	return a->fam == b->fam && a->plen == b->plen && !memcmp(a->addr, b->addr, 16);
}

static struct ent *
kset_find_h(const struct kset *s, const struct key *k, uint32_t h)
{
	for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
		struct ent *e = &s->e[i];

		if (!e->k.fam)
			return NULL;
		if (e->hash == h && key_eq(&e->k, k))
			return e;
	}
}

static struct ent *
kset_find(const struct kset *s, const struct key *k)
{
	return kset_find_h(s, k, key_hash(k));
}

static void
kset_rehash(struct kset *s, size_t cap)
{
	struct kset old = *s;

	kset_init(s, cap);
	for (size_t i = 0; i <= old.mask; i++) {
		size_t j;

		if (!old.e[i].k.fam)
			continue;
		for (j = old.e[i].hash & s->mask; s->e[j].k.fam; j = (j + 1) & s->mask)
			;
		s->e[j] = old.e[i];
	}
	s->n = old.n;
	memcpy(s->nfam, old.nfam, sizeof(s->nfam));
	slots_free(old.e, old.mask + 1);
}

/* Returns the entry of k, adding it (nh and ord zero) if absent; *added tells which. */
static struct ent *
kset_add(struct kset *s, const struct key *k, bool *added)
{
	uint32_t h = key_hash(k);
	size_t i;

	if ((s->n + 1) * 2 > s->mask + 1)
		kset_rehash(s, s->n * 2);
	for (i = h & s->mask; s->e[i].k.fam; i = (i + 1) & s->mask) {
		if (s->e[i].hash == h && key_eq(&s->e[i].k, k)) {
			*added = false;
			return &s->e[i];
		}
	}
	memset(&s->e[i], 0, sizeof(s->e[i]));
	s->e[i].hash = h;
	s->e[i].k = *k;
	s->n++;
	s->nfam[k->fam]++;
	*added = true;
	return &s->e[i];
}

/* Removes k if present (backward-shift deletion keeps probe chains intact). */
static bool
kset_del(struct kset *s, const struct key *k)
{
	struct ent *e = kset_find(s, k);
	size_t i, j;

	if (!e)
		return false;
	s->n--;
	s->nfam[k->fam]--;
	i = (size_t)(e - s->e);
	for (j = (i + 1) & s->mask; s->e[j].k.fam; j = (j + 1) & s->mask) {
		size_t home = s->e[j].hash & s->mask;

		/* move j back to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			s->e[i] = s->e[j];
			i = j;
		}
	}
	s->e[i].k.fam = 0;
	return true;
}

/* ---- next hops: interned, an index per distinct (family, address) ---- */

struct nhtab {
	struct kset set;
	struct key *list;
	size_t n, cap;
};

static uint32_t
nh_intern(struct nhtab *t, int fam, const uint8_t *addr)
{
	struct key k = {.fam = (uint8_t)fam};
	struct ent *e;
	bool added;

	memcpy(k.addr, addr, fam == FAM_V4 ? 4 : 16);
	e = kset_add(&t->set, &k, &added);
	if (added) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->list = xrealloc(t->list, t->cap * sizeof(*t->list));
		}
		e->nh = (uint32_t)t->n;
		t->list[t->n++] = k;
	}
	return e->nh;
}

static const char *
key_str(const struct key *k, bool with_len, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(k->fam == FAM_V4 ? AF_INET : AF_INET6, k->addr, a, sizeof(a));
	if (with_len)
		snprintf(buf, size, "%s/%u", a, k->plen);
	else
		snprintf(buf, size, "%s", a);
	return buf;
}

static const char *
nh_str(const struct nhtab *t, uint32_t nh, char *buf, size_t size)
{
	if (nh == NH_NONE || nh >= t->n)
		return "-";
	return key_str(&t->list[nh], false, buf, size);
}

/* "global" or "global,link-local" (RFC 2545); buf holds 2 * INET6_ADDRSTRLEN + 2. */
static const char *
nh2_str(const struct nhtab *t, uint32_t nh, uint32_t nh2, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN + 2], b[INET6_ADDRSTRLEN + 2];

	if (nh2 == NH_NONE)
		return nh_str(t, nh, buf, size);
	snprintf(buf, size, "%s,%s", nh_str(t, nh, a, sizeof(a)), nh_str(t, nh2, b, sizeof(b)));
	return buf;
}

/* ---- state ---- */

struct counters {
	unsigned long updates, announced, withdrawn, malformed;
};

enum { VER_NONE, VER_OK, VER_FAILED };

/* One session of --sessions: what it received, as bits over the expected entries. */
struct rx {
	struct sink *s;
	struct bench_conn conn; /* its own --bind and --id */
	char bind[INET6_ADDRSTRLEN], id[INET_ADDRSTRLEN], tag[22];
	struct bgp_sess sess;
	uint64_t *have, *wrong; /* by expected entry (bit_base[fam] + ord) */
	struct kset extra;	/* received, not expected; allocated on the first */
	size_t n_have[3], n_wrong[3];
	uint32_t nh2; /* expected link-local next hop, NH_NONE: unchecked */
	struct counters c;
	double ka_next, t_done;
	bool up, first, done;
	int verified; /* VER_*, the latest verification */
};

struct sink {
	struct opts o;
	struct kset rib;  /* received */
	struct kset exp;  /* expected, from the table; empty without one */
	struct nhtab nhs; /* next hops of both */
	size_t table_pfx; /* prefixes in the table, in file order */
	size_t wd;	  /* the feeder's withdrawn count: first wd of them */
	bool have_exp[3]; /* families verified */
	long expect, settle;
	int count_mode;
	uint8_t xlat96[12];
	uint32_t nh6, nh4; /* expected next hops (NH_NONE: unchecked / from the table) */
	uint32_t *ll;	   /* --nexthop6-ll, interned; n_ll of them */
	size_t n_ll;
	struct bgp_sess sess;
	/* progress */
	struct counters c;
	bool first, done, settled, verify_failed, session_failed;
	double t_milestone;
	/* --sessions */
	struct rx *rx;
	size_t n_rx, n_live, n_done;
	size_t bit_base[3], nbits;
	bool all_done;
};

/* The expected link-local next hop of session i (NH_NONE: none asked). */
static uint32_t
expected_ll(const struct sink *s, size_t i)
{
	return s->n_ll ? s->ll[i % s->n_ll] : NH_NONE;
}

static size_t
counted(const struct sink *s)
{
	switch (s->count_mode) {
	case COUNT_V4:
		return s->rib.nfam[FAM_V4];
	case COUNT_V6:
		return s->rib.nfam[FAM_V6];
	default:
		return s->rib.n;
	}
}

/* ---- the table and the expected set ---- */

static void
mask_key(struct key *k)
{
	unsigned full = k->plen / 8, rem = k->plen % 8;

	if (rem)
		k->addr[full++] &= (uint8_t)(0xff00 >> rem);
	memset(k->addr + full, 0, 16 - full);
}

static void
expect_add(struct sink *s, const struct key *k, uint32_t nh, size_t ord)
{
	bool added;
	struct ent *e = kset_add(&s->exp, k, &added);

	e->nh = nh;
	e->ord = (uint32_t)ord;
}

/* Reads the table: counts its prefixes and fills the expected set of the verified families. */
static void
read_table(struct sink *s)
{
	FILE *fp = table_open(s->o.table);
	char *line = NULL, *l;
	size_t cap = 0;
	unsigned long lineno = 0;

	if (fseek(fp, 0, SEEK_END) == 0 && ftell(fp) > 0) {
		/* about 21 bytes a prefix; each verified family takes one entry per prefix */
		size_t est = (size_t)ftell(fp) / 16 * (s->have_exp[FAM_V4] + s->have_exp[FAM_V6]);

		if (est > s->exp.mask / 2)
			kset_rehash(&s->exp, est);
	}
	rewind(fp);
	while ((l = table_line(fp, &line, &cap, &lineno))) {
		const char *p = l, *list;
		uint8_t nh[4];
		uint32_t nh4;
		int tabs = 0;

		if (parse_ipv4(&p, nh) < 0 || *p != '\t')
			die(EXIT_USAGE, "%s:%lu: bad next hop", s->o.table, lineno);
		list = strrchr(l, '\t') + 1;
		for (const char *q = l; *q; q++)
			tabs += *q == '\t';
		if (tabs != 3 && tabs != 5)
			die(EXIT_USAGE, "%s:%lu: expected 4 or 6 TAB-separated fields", s->o.table,
			    lineno);
		nh4 = s->have_exp[FAM_V4] && s->nh4 == NH_NONE ? nh_intern(&s->nhs, FAM_V4, nh)
							       : s->nh4;
		for (p = list;;) {
			struct key k4 = {.fam = FAM_V4};
			unsigned len;
			int r = next_prefix(&p, k4.addr, &len);

			if (r == 0)
				break;
			if (r < 0)
				die(EXIT_USAGE, "%s:%lu: bad prefix", s->o.table, lineno);
			k4.plen = (uint8_t)len;
			mask_key(&k4);
			if (s->have_exp[FAM_V4])
				expect_add(s, &k4, nh4, s->table_pfx);
			if (s->have_exp[FAM_V6]) {
				struct key k6 = {.fam = FAM_V6, .plen = (uint8_t)(len + 96)};

				memcpy(k6.addr, s->xlat96, 12);
				memcpy(k6.addr + 12, k4.addr, 4);
				expect_add(s, &k6, s->nh6, s->table_pfx);
			}
			s->table_pfx++;
		}
	}
	free(line);
	fclose(fp);
}

/* Expected entries of the counted families that survive the first 'wd' withdrawals. */
static size_t
expected_count(const struct sink *s, size_t wd)
{
	size_t n = 0;

	for (size_t i = 0; i <= s->exp.mask; i++) {
		const struct ent *e = &s->exp.e[i];

		if (e->k.fam && e->ord >= wd &&
		    (s->count_mode == COUNT_ALL || e->k.fam == s->count_mode))
			n++;
	}
	return n;
}

/* ---- verification ---- */

/* Compares the received set of one family with the expected one minus the first 'wd'. */
static bool
verify_fam(struct sink *s, int fam, size_t wd, const char *phase)
{
	size_t matched = 0, extra = 0, wrong = 0, want = 0, missing, ns = 0;
	char a[64], b[100], c[100];
	double t = now();
	uint32_t ll = fam == FAM_V6 ? expected_ll(s, 0) : NH_NONE;

	for (size_t i = 0; i <= s->exp.mask; i++)
		want += s->exp.e[i].k.fam == fam && s->exp.e[i].ord >= wd;
	for (size_t i = 0; i <= s->rib.mask; i++) {
		const struct ent *r = &s->rib.e[i];
		const struct ent *e;

		if (r->k.fam != fam)
			continue;
		e = kset_find_h(&s->exp, &r->k, r->hash);
		if (!e || e->ord < wd) {
			if (extra++ < SAMPLES)
				event("VERIFY_SAMPLE", "extra %s %s",
				      key_str(&r->k, true, a, sizeof(a)),
				      nh2_str(&s->nhs, r->nh, r->nh2, b, sizeof(b)));
			continue;
		}
		matched++;
		if ((e->nh == NH_NONE || r->nh == e->nh) && (ll == NH_NONE || r->nh2 == ll))
			continue;
		if (wrong++ < SAMPLES)
			event("VERIFY_SAMPLE", "wrong_nexthop %s %s want %s",
			      key_str(&r->k, true, a, sizeof(a)),
			      nh2_str(&s->nhs, r->nh, r->nh2, b, sizeof(b)),
			      nh2_str(&s->nhs, e->nh, ll, c, sizeof(c)));
	}
	missing = want - matched;
	for (size_t i = 0; missing && i <= s->exp.mask && ns < SAMPLES; i++) {
		const struct ent *e = &s->exp.e[i];

		if (e->k.fam == fam && e->ord >= wd && !kset_find_h(&s->rib, &e->k, e->hash)) {
			event("VERIFY_SAMPLE", "missing %s", key_str(&e->k, true, a, sizeof(a)));
			ns++;
		}
	}
	event("VERIFY_INFO", "%s %s expected=%zu received=%zu withdrawn=%zu verify_s=%.3f",
	      fam == FAM_V4 ? "ipv4" : "ipv6", phase, want, s->rib.nfam[fam], wd, now() - t);
	if (!missing && !extra && !wrong) {
		printf("VERIFY ok\n");
		return true;
	}
	printf("VERIFY missing=%zu extra=%zu wrong_nexthop=%zu\n", missing, extra, wrong);
	return false;
}

static void
verify(struct sink *s, size_t wd, const char *phase)
{
	for (int fam = FAM_V6; fam >= FAM_V4; fam--)
		if (s->have_exp[fam] && !verify_fam(s, fam, wd, phase))
			s->verify_failed = true;
	fflush(stdout);
}

/* ---- dump ---- */

static int
ent_cmp(const void *x, const void *y)
{
	const struct ent *a = *(const struct ent *const *)x, *b = *(const struct ent *const *)y;
	int c;

	if (a->k.fam != b->k.fam)
		return a->k.fam - b->k.fam;
	c = memcmp(a->k.addr, b->k.addr, 16);
	return c ? c : a->k.plen - b->k.plen;
}

static void
dump(struct sink *s)
{
	FILE *fp = fopen(s->o.dump, "w");
	const struct ent **v;
	size_t n = 0;
	char a[64], b[100];

	if (!fp) {
		fprintf(stderr, "sink: %s: %s\n", s->o.dump, strerror(errno));
		return;
	}
	v = xcalloc(s->rib.n + 1, sizeof(*v));
	for (size_t i = 0; i <= s->rib.mask; i++)
		if (s->rib.e[i].k.fam)
			v[n++] = &s->rib.e[i];
	qsort(v, n, sizeof(*v), ent_cmp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s %s\n", key_str(&v[i]->k, true, a, sizeof(a)),
			nh2_str(&s->nhs, v[i]->nh, v[i]->nh2, b, sizeof(b)));
	free(v);
	if (fclose(fp) != 0)
		fprintf(stderr, "sink: %s: %s\n", s->o.dump, strerror(errno));
}

/* ---- a session of --sessions: its received set as bits over the expected entries ---- */

#define BATCH 64 /* prefixes looked up together (their slots prefetched first) */

static bool
bit_get(const uint64_t *b, size_t i)
{
	return b[i / 64] >> (i % 64) & 1;
}

static void
bit_put(uint64_t *b, size_t i, bool v)
{
	if (v)
		b[i / 64] |= 1ull << (i % 64);
	else
		b[i / 64] &= ~(1ull << (i % 64));
}

/* Prefixes of the session's counted families it holds now (expected or not). */
static size_t
rx_counted(const struct sink *s, const struct rx *x)
{
	size_t v4 = x->n_have[FAM_V4] + x->extra.nfam[FAM_V4];
	size_t v6 = x->n_have[FAM_V6] + x->extra.nfam[FAM_V6];

	return s->count_mode == COUNT_V4 ? v4 : s->count_mode == COUNT_V6 ? v6 : v4 + v6;
}

/* k announced to session x with next hops nh, nh2; e is its expected entry or NULL. */
static void
rx_announce(struct sink *s, struct rx *x, const struct key *k, const struct ent *e, uint32_t nh,
	    uint32_t nh2)
{
	size_t i;
	bool wrong, added;

	if (!e) {
		struct ent *r;

		if (!x->extra.e)
			kset_init(&x->extra, 64);
		r = kset_add(&x->extra, k, &added);
		r->nh = nh;
		r->nh2 = nh2;
		return;
	}
	i = s->bit_base[k->fam] + e->ord;
	if (!bit_get(x->have, i)) {
		bit_put(x->have, i, true);
		x->n_have[k->fam]++;
	}
	wrong = (e->nh != NH_NONE && nh != e->nh) ||
		(k->fam == FAM_V6 && x->nh2 != NH_NONE && nh2 != x->nh2);
	if (wrong != bit_get(x->wrong, i)) {
		bit_put(x->wrong, i, wrong);
		if (wrong)
			x->n_wrong[k->fam]++;
		else
			x->n_wrong[k->fam]--;
	}
}

static void
rx_withdraw(struct sink *s, struct rx *x, const struct key *k, const struct ent *e)
{
	size_t i;

	if (!e) {
		if (x->extra.e)
			kset_del(&x->extra, k);
		return;
	}
	i = s->bit_base[k->fam] + e->ord;
	if (bit_get(x->have, i)) {
		bit_put(x->have, i, false);
		x->n_have[k->fam]--;
	}
	if (bit_get(x->wrong, i)) {
		bit_put(x->wrong, i, false);
		x->n_wrong[k->fam]--;
	}
}

/* ---- UPDATE processing ---- */

static void
malformed(struct counters *c, const char *why)
{
	if (c->malformed++ < 10)
		event("MALFORMED", "%s", why);
}

/* Reads one NLRI prefix of family fam (RFC 4271 4.3, RFC 4760 5). */
static int
rd_prefix(struct rd *r, int fam, struct key *k)
{
	unsigned plen;
	struct rd a;

	if (rd_u8(r, &plen) < 0 || plen > (fam == FAM_V4 ? 32u : 128u) ||
	    rd_sub(r, (plen + 7) / 8, &a) < 0)
		return -1;
	memset(k, 0, sizeof(*k));
	k->fam = (uint8_t)fam;
	k->plen = (uint8_t)plen;
	memcpy(k->addr, a.p, a.len);
	mask_key(k);
	return 0;
}

/* Applies the prefixes of one NLRI field to session x (announced with nh, nh2 if ann, else
 * withdrawn) in batches of BATCH: each batch is parsed and its slots of the expected set
 * prefetched before any of them is looked up. Counts the prefixes in *n. */
static int
rx_nlri(struct sink *s, struct rx *x, struct rd *r, int fam, bool ann, uint32_t nh, uint32_t nh2,
	size_t *n)
{
	struct key k[BATCH];
	uint32_t h[BATCH];
	int rc = 0;

	while (r->len && rc == 0) {
		size_t m = 0;

		for (; m < BATCH && r->len; m++) {
			if (rd_prefix(r, fam, &k[m]) < 0) {
				rc = -1;
				break;
			}
			h[m] = key_hash(&k[m]);
			__builtin_prefetch(&s->exp.e[h[m] & s->exp.mask]);
		}
		for (size_t j = 0; j < m; j++) {
			const struct ent *e = kset_find_h(&s->exp, &k[j], h[j]);

			if (ann)
				rx_announce(s, x, &k[j], e, nh, nh2);
			else
				rx_withdraw(s, x, &k[j], e);
		}
		*n += m;
	}
	return rc;
}

/* Withdraws the prefixes of one NLRI field: from the received set, or from session x. */
static int
withdraw_all(struct sink *s, struct rx *x, struct rd *r, int fam)
{
	size_t n = 0;

	if (x) {
		int rc = rx_nlri(s, x, r, fam, false, NH_NONE, NH_NONE, &n);

		x->c.withdrawn += n;
		return rc;
	}
	while (r->len) {
		struct key k;

		if (rd_prefix(r, fam, &k) < 0)
			return -1;
		kset_del(&s->rib, &k);
		s->c.withdrawn++;
	}
	return 0;
}

/* Announces the prefixes of one NLRI field with next hops nh (and link-local nh2). */
static int
announce_all(struct sink *s, struct rx *x, struct rd *r, int fam, uint32_t nh, uint32_t nh2,
	     size_t *n)
{
	if (x)
		return rx_nlri(s, x, r, fam, true, nh, nh2, n);
	while (r->len) {
		struct key k;
		struct ent *e;
		bool added;

		if (rd_prefix(r, fam, &k) < 0)
			return -1;
		e = kset_add(&s->rib, &k, &added);
		e->nh = nh;
		e->nh2 = nh2;
		(*n)++;
	}
	return 0;
}

static void
check_milestones(struct sink *s)
{
	size_t n = counted(s);

	if (!s->done && (long)n >= s->expect) {
		s->done = true;
		s->t_milestone = now();
		event("DONE", "%zu", n);
		if (s->have_exp[FAM_V4] || s->have_exp[FAM_V6])
			verify(s, 0, "done");
		if (s->settle < 0)
			return;
		if (s->settle == -2)
			s->settle = (long)expected_count(s, s->wd);
	}
	if (s->done && !s->settled && s->settle >= 0 && (long)n <= s->settle) {
		s->settled = true;
		s->t_milestone = now();
		event("SETTLED", "%zu", n);
		if (s->have_exp[FAM_V4] || s->have_exp[FAM_V6])
			verify(s, s->wd, "settled");
	}
}

/* Applies one UPDATE body to the received set, or to session x if not NULL. Returns the
 * number of prefixes announced, or -1 if malformed. */
static long
update_apply(struct sink *s, struct rx *x, const uint8_t *body, size_t len)
{
	struct rd r = {body, len}, wr, ar, reach = {0}, unreach = {0};
	struct counters *c = x ? &x->c : &s->c;
	unsigned wlen, alen;
	uint32_t nh4 = NH_NONE;
	bool has_reach = false, has_unreach = false;
	size_t n = 0;

	if (rd_u16(&r, &wlen) < 0 || rd_sub(&r, wlen, &wr) < 0)
		goto bad;
	if (withdraw_all(s, x, &wr, FAM_V4) < 0)
		goto bad;
	if (rd_u16(&r, &alen) < 0 || rd_sub(&r, alen, &ar) < 0)
		goto bad;
	while (ar.len) {
		unsigned flags, type, alen1;
		struct rd v;

		if (rd_u8(&ar, &flags) < 0 || rd_u8(&ar, &type) < 0)
			goto bad;
		if (flags & 0x10 ? rd_u16(&ar, &alen1) < 0 : rd_u8(&ar, &alen1) < 0)
			goto bad;
		if (rd_sub(&ar, alen1, &v) < 0)
			goto bad;
		if (type == 3 && v.len == 4)
			nh4 = nh_intern(&s->nhs, FAM_V4, v.p);
		else if (type == 14)
			reach = v, has_reach = true;
		else if (type == 15)
			unreach = v, has_unreach = true;
	}
	if (!wlen && !alen && !r.len) {
		event("EOR", "1");
		return 0;
	}
	if (has_unreach) {
		unsigned afi, safi;

		if (rd_u16(&unreach, &afi) < 0 || rd_u8(&unreach, &safi) < 0)
			goto bad;
		if (!unreach.len && !has_reach && !r.len)
			event("EOR", "%u", afi);
		else if (safi == 1 && (afi == FAM_V4 || afi == FAM_V6) &&
			 withdraw_all(s, x, &unreach, (int)afi) < 0)
			goto bad;
	}
	if (has_reach) {
		unsigned afi, safi, nhlen, res;
		struct rd nh;
		uint32_t mpnh = NH_NONE, mpnh2 = NH_NONE;

		if (rd_u16(&reach, &afi) < 0 || rd_u8(&reach, &safi) < 0 ||
		    rd_u8(&reach, &nhlen) < 0 || rd_sub(&reach, nhlen, &nh) < 0 ||
		    rd_u8(&reach, &res) < 0)
			goto bad;
		if (nh.len == 4) {
			mpnh = nh_intern(&s->nhs, FAM_V4, nh.p);
		} else if (nh.len >= 16) { /* global; RFC 2545: + link-local in 32 bytes */
			mpnh = nh_intern(&s->nhs, FAM_V6, nh.p);
			if (nh.len >= 32)
				mpnh2 = nh_intern(&s->nhs, FAM_V6, nh.p + 16);
		}
		if (safi == 1 && (afi == FAM_V4 || afi == FAM_V6) &&
		    announce_all(s, x, &reach, (int)afi, mpnh, mpnh2, &n) < 0)
			goto bad;
	}
	if (announce_all(s, x, &r, FAM_V4, nh4, NH_NONE, &n) < 0)
		goto bad;
	c->announced += n;
	return (long)n;
bad:
	c->announced += n;
	malformed(c, "update");
	return -1;
}

/* ---- the session ---- */

/* Applies one UPDATE from the peer (sess_read()'s on_update). */
static void
on_update(void *ctx, const uint8_t *body, size_t len)
{
	struct sink *s = ctx;

	s->c.updates++;
	if (update_apply(s, NULL, body, len) > 0 && !s->first) {
		s->first = true;
		event("FIRST_UPDATE", NULL);
	}
	check_milestones(s);
}

/* Final verification, dump, Cease; exits with the status of the run. */
static void finish(struct sink *s) __attribute__((noreturn));

static void
finish(struct sink *s)
{
	int status = 0;

	if (s->o.verify_at_exit && (s->have_exp[FAM_V4] || s->have_exp[FAM_V6]))
		verify(s, s->settled ? s->wd : 0, "exit");
	if (s->o.dump)
		dump(s);
	if (!s->session_failed)
		send_cease(s->sess.fd);
	close(s->sess.fd);
	if (s->verify_failed)
		status = EXIT_VERIFY;
	else if (s->session_failed || !s->done || (s->settle >= 0 && !s->settled))
		status = EXIT_INCOMPLETE;
	event("RX_GAP_MAX", "%.3f", s->sess.max_gap);
	event("EXIT", "%d %zu %zu %lu %lu %lu %lu", status, s->rib.nfam[FAM_V4],
	      s->rib.nfam[FAM_V6], s->c.updates, s->c.announced, s->c.withdrawn, s->c.malformed);
	exit(status);
}

static void
run(struct sink *s)
{
	double t = now(), tick = t + 1, ka_ival = s->sess.hold ? s->sess.hold / 3.0 : 0;
	double ka_next = ka_ival ? t + ka_ival : NEVER;
	size_t last_count = 0;

	check_milestones(s); /* --expect 0 */
	for (;;) {
		struct pollfd pf = {.fd = s->sess.fd, .events = POLLIN};
		double t_exit = NEVER, next;
		int ms;

		if (s->done && (s->settle < 0 || s->settled) && s->o.exit_after_done >= 0)
			t_exit = s->t_milestone + s->o.exit_after_done;
		t = now();
		if (got_signal || t >= t_exit)
			finish(s);
		if (t >= tick) {
			size_t n = counted(s);

			if (n != last_count) {
				event("COUNT", "%zu", n);
				last_count = n;
			}
			while (tick <= t)
				tick += 1;
		}
		if (t >= ka_next) {
			if (send_keepalive(s->sess.fd) < 0) {
				event("SESSION_DOWN", "send-error");
				s->session_failed = true;
				finish(s);
			}
			ka_next = t + ka_ival;
		}
		if (sess_hold_expired(&s->sess, t)) {
			s->session_failed = true;
			finish(s);
		}
		next = tick < ka_next ? tick : ka_next;
		if (t_exit < next)
			next = t_exit;
		ms = (int)((next - t) * 1000) + 1;
		int wait = sess_rate_wait_ms(&s->sess);
		if (wait > 0) { /* --read-rate: the socket is left alone until the budget allows */
			pf.events = 0;
			ms = wait < ms ? wait : ms;
		}
		if (poll(&pf, 1, ms > 1000 ? 1000 : ms) >= 0 && wait == 0 &&
		    sess_read(&s->sess, 64, on_update, s) < 0) {
			s->session_failed = true;
			finish(s);
		}
	}
}

/* ---- --sessions ---- */

/* Tags the events that follow with session x's number (none for NULL). */
static void
tag(const struct rx *x)
{
	snprintf(event_tag, sizeof(event_tag), "%s", x ? x->tag : "");
}

/* Compares what session x holds of family fam with the expected set. */
static bool
rx_verify_fam(struct sink *s, struct rx *x, int fam, const char *phase)
{
	size_t want = s->exp.nfam[fam], missing = want - x->n_have[fam];
	size_t extra = x->extra.nfam[fam], wrong = x->n_wrong[fam], nx = 0, nm = 0, nw = 0;
	uint32_t ll = fam == FAM_V6 ? x->nh2 : NH_NONE;
	char a[64], b[100];
	double t = now();

	for (size_t i = 0; extra && i <= x->extra.mask && nx < SAMPLES; i++) {
		const struct ent *r = &x->extra.e[i];

		if (r->k.fam != fam)
			continue;
		event("VERIFY_SAMPLE", "extra %s %s", key_str(&r->k, true, a, sizeof(a)),
		      nh2_str(&s->nhs, r->nh, r->nh2, b, sizeof(b)));
		nx++;
	}
	/* the received next hop is not kept: a sample names the expected one */
	for (size_t i = 0;
	     i <= s->exp.mask && ((missing && nm < SAMPLES) || (wrong && nw < SAMPLES)); i++) {
		const struct ent *e = &s->exp.e[i];
		size_t bit = s->bit_base[fam] + e->ord;

		if (e->k.fam != fam)
			continue;
		if (!bit_get(x->have, bit) && nm < SAMPLES) {
			event("VERIFY_SAMPLE", "missing %s", key_str(&e->k, true, a, sizeof(a)));
			nm++;
		} else if (bit_get(x->have, bit) && bit_get(x->wrong, bit) && nw < SAMPLES) {
			event("VERIFY_SAMPLE", "wrong_nexthop %s want %s",
			      key_str(&e->k, true, a, sizeof(a)),
			      nh2_str(&s->nhs, e->nh, ll, b, sizeof(b)));
			nw++;
		}
	}
	event("VERIFY_INFO", "%s %s expected=%zu received=%zu withdrawn=0 verify_s=%.3f",
	      fam == FAM_V4 ? "ipv4" : "ipv6", phase, want, x->n_have[fam] + extra, now() - t);
	if (!missing && !extra && !wrong) {
		printf("VERIFY %s ok\n", x->tag);
		return true;
	}
	printf("VERIFY %s missing=%zu extra=%zu wrong_nexthop=%zu\n", x->tag, missing, extra,
	       wrong);
	return false;
}

static void
rx_verify(struct sink *s, struct rx *x, const char *phase)
{
	bool ok = true;

	for (int fam = FAM_V6; fam >= FAM_V4; fam--)
		if (s->have_exp[fam] && !rx_verify_fam(s, x, fam, phase))
			ok = false;
	x->verified = ok ? VER_OK : VER_FAILED;
	fflush(stdout);
}

/* DONE (and its verification) when session x reaches --expect; ALL_DONE at the last one. */
static void
rx_check_done(struct sink *s, struct rx *x)
{
	size_t n = rx_counted(s, x);

	if (x->done || (long)n < s->expect)
		return;
	x->done = true;
	x->t_done = now();
	event("DONE", "%zu", n);
	rx_verify(s, x, "done");
	if (++s->n_done == s->n_rx) {
		s->all_done = true;
		tag(NULL);
		event("ALL_DONE", "%zu", s->n_done);
		tag(x);
	}
}

static void
on_update_rx(void *ctx, const uint8_t *body, size_t len)
{
	struct rx *x = ctx;

	x->c.updates++;
	if (update_apply(x->s, x, body, len) > 0 && !x->first) {
		x->first = true;
		event("FIRST_UPDATE", NULL);
	}
	rx_check_done(x->s, x);
}

static void
rx_down(struct sink *s, struct rx *x)
{
	x->up = false;
	close(x->sess.fd);
	s->n_live--;
}

/* addr + i (IPv4; IPv6: added to the last 32 bits) into out. */
static void
addr_add(const char *addr, size_t i, char *out, size_t size)
{
	uint8_t a[16];
	uint32_t v;

	if (inet_pton(AF_INET, addr, a) == 1) {
		memcpy(&v, a, 4);
		v = htonl(ntohl(v) + (uint32_t)i);
		memcpy(a, &v, 4);
		inet_ntop(AF_INET, a, out, (socklen_t)size);
	} else if (inet_pton(AF_INET6, addr, a) == 1) {
		memcpy(&v, a + 12, 4);
		v = htonl(ntohl(v) + (uint32_t)i);
		memcpy(a + 12, &v, 4);
		inet_ntop(AF_INET6, a, out, (socklen_t)size);
	} else {
		die(EXIT_USAGE, "--sessions: bad address '%s' (no port)", addr);
	}
}

/* Opens the sessions one after the other: session i binds --bind + i, with BGP ID --id + i
 * (default: its IPv4 address), expects link-local next hop i of --nexthop6-ll. */
static void
rx_open_all(struct sink *s)
{
	size_t words = (s->nbits + 63) / 64 + 1;

	s->rx = xcalloc(s->n_rx, sizeof(*s->rx));
	for (size_t i = 0; i < s->n_rx; i++) {
		struct rx *x = &s->rx[i];

		x->s = s;
		x->conn = s->o.conn;
		addr_add(s->o.conn.bind, i, x->bind, sizeof(x->bind));
		x->conn.bind = x->bind;
		if (s->o.conn.id) {
			addr_add(s->o.conn.id, i, x->id, sizeof(x->id));
			x->conn.id = x->id;
		}
		snprintf(x->tag, sizeof(x->tag), "%zu", i);
		x->nh2 = expected_ll(s, i);
		x->have = xcalloc(words, sizeof(uint64_t));
		x->wrong = xcalloc(words, sizeof(uint64_t));
		tag(x);
		sess_connect(&x->sess, &x->conn, s->o.rcvbuf, true);
		session_open(&x->sess, &x->conn, router_id(&x->conn, 0x7f000003u + (uint32_t)i),
			     false);
		sess_established(&x->sess);
		x->up = true;
		x->ka_next = x->sess.hold ? now() + x->sess.hold / 3.0 : NEVER;
		s->n_live++;
	}
	tag(NULL);
	event("ALL_ESTABLISHED", "%zu", s->n_rx);
}

static void finish_multi(struct sink *s) __attribute__((noreturn));

/* Per session: exit verification if asked, SESSION line, Cease; then SUMMARY and EXIT. */
static void
finish_multi(struct sink *s)
{
	static const char *const ver[] = {"none", "ok", "failed"};
	struct counters c = {0};
	size_t up = 0, ok = 0, n4 = 0, n6 = 0;
	bool failed = false, incomplete = false;
	int status = 0;

	for (size_t i = 0; i < s->n_rx; i++) {
		struct rx *x = &s->rx[i];
		size_t v4 = x->n_have[FAM_V4] + x->extra.nfam[FAM_V4];
		size_t v6 = x->n_have[FAM_V6] + x->extra.nfam[FAM_V6];

		tag(x);
		if (s->o.verify_at_exit && x->up)
			rx_verify(s, x, "exit");
		event("SESSION", "%s %d %d %s %zu %zu %lu %lu %lu %lu", x->bind, x->up, x->done,
		      ver[x->verified], v4, v6, x->c.updates, x->c.announced, x->c.withdrawn,
		      x->c.malformed);
		if (x->up) {
			send_cease(x->sess.fd);
			close(x->sess.fd);
			up++;
		}
		ok += x->done && x->verified == VER_OK;
		failed |= x->verified == VER_FAILED;
		incomplete |= !x->up || !x->done;
		n4 += v4;
		n6 += v6;
		c.updates += x->c.updates;
		c.announced += x->c.announced;
		c.withdrawn += x->c.withdrawn;
		c.malformed += x->c.malformed;
	}
	tag(NULL);
	if (failed)
		status = EXIT_VERIFY;
	else if (incomplete)
		status = EXIT_INCOMPLETE;
	event("SUMMARY", "%zu %zu %zu %zu", s->n_rx, up, s->n_done, ok);
	event("EXIT", "%d %zu %zu %lu %lu %lu %lu", status, n4, n6, c.updates, c.announced,
	      c.withdrawn, c.malformed);
	exit(status);
}

/* One poll loop over every live session: reads (a few socket reads per session and round, so
 * that none starves the others), KEEPALIVEs, hold timers, PROGRESS once a second. */
static void
run_multi(struct sink *s)
{
	struct pollfd *pf = xcalloc(s->n_rx, sizeof(*pf));
	struct rx **pr = xcalloc(s->n_rx, sizeof(*pr));
	double t = now(), tick = t + 1;
	size_t last_total = 0, last_done = 0;

	for (size_t i = 0; i < s->n_rx; i++) { /* --expect 0 */
		tag(&s->rx[i]);
		rx_check_done(s, &s->rx[i]);
	}
	tag(NULL);
	for (;;) {
		double t_exit = NEVER, next;
		size_t np = 0, pending = 0;
		int ms;

		for (size_t i = 0; i < s->n_rx; i++) {
			struct rx *x = &s->rx[i];

			pending += x->up && !x->done;
			if (x->done && x->t_done > s->t_milestone)
				s->t_milestone = x->t_done;
		}
		/* nothing left to wait for: every session DONE or down */
		if (!pending && s->o.exit_after_done >= 0)
			t_exit = s->t_milestone + s->o.exit_after_done;
		t = now();
		if (got_signal || t >= t_exit || !s->n_live)
			finish_multi(s);
		if (t >= tick) {
			size_t total = 0;

			for (size_t i = 0; i < s->n_rx; i++)
				total += rx_counted(s, &s->rx[i]);
			if (total != last_total || s->n_done != last_done)
				event("PROGRESS", "%zu %zu %zu", s->n_done, s->n_live, total);
			last_total = total;
			last_done = s->n_done;
			while (tick <= t)
				tick += 1;
		}
		next = tick < t_exit ? tick : t_exit;
		for (size_t i = 0; i < s->n_rx; i++) {
			struct rx *x = &s->rx[i];

			if (!x->up)
				continue;
			tag(x);
			if (t >= x->ka_next) {
				if (send_keepalive(x->sess.fd) < 0) {
					event("SESSION_DOWN", "send-error");
					rx_down(s, x);
					continue;
				}
				x->ka_next = t + x->sess.hold / 3.0;
			}
			if (sess_hold_expired(&x->sess, t)) {
				rx_down(s, x);
				continue;
			}
			if (x->ka_next < next)
				next = x->ka_next;
			pf[np] = (struct pollfd){.fd = x->sess.fd, .events = POLLIN};
			pr[np++] = x;
		}
		tag(NULL);
		ms = next - t >= 1 ? 1000 : (int)((next - t) * 1000) + 1;
		if (poll(pf, (nfds_t)np, ms) <= 0)
			continue;
		for (size_t j = 0; j < np; j++) {
			if (!pf[j].revents)
				continue;
			tag(pr[j]);
			if (sess_read(&pr[j]->sess, 4, on_update_rx, pr[j]) < 0)
				rx_down(s, pr[j]);
		}
		tag(NULL);
	}
}

/* ---- main ---- */

static void
usage(void)
{
	fputs(
	    "usage: sink (--connect ADDR:PORT [--bind ADDR] | --listen ADDR:PORT) [--as N]\n"
	    "            [--id A.B.C.D] [--hold S] [--expect N] [--count all|ipv4|ipv6]\n"
	    "            [--table FILE [--xlat6 PREFIX/96 [--nexthop6 ADDR] [--nexthop6-ll LIST]]\n"
	    "             [--verify-ipv4 [--nexthop4 ADDR]] [--verify-at-exit]\n"
	    "             [--expect-count-after-withdraw M|auto --withdraw-fraction F]]\n"
	    "            [--exit-after-done S] [--dump FILE] [--timeout S] [--rcvbuf BYTES]\n"
	    "            [--read-rate BYTES-PER-S] [--sessions N]\n",
	    stderr);
	exit(EXIT_USAGE);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"connect", 1, NULL, 'c'},
					   {"listen", 1, NULL, 'l'},
					   {"bind", 1, NULL, 'b'},
					   {"as", 1, NULL, 'a'},
					   {"id", 1, NULL, 'i'},
					   {"hold", 1, NULL, 'H'},
					   {"expect", 1, NULL, 'E'},
					   {"count", 1, NULL, 'C'},
					   {"table", 1, NULL, 't'},
					   {"xlat6", 1, NULL, 'x'},
					   {"nexthop6", 1, NULL, 'N'},
					   {"nexthop6-ll", 1, NULL, 'L'},
					   {"sessions", 1, NULL, 's'},
					   {"verify-ipv4", 0, NULL, 'v'},
					   {"nexthop4", 1, NULL, 'n'},
					   {"verify-at-exit", 0, NULL, 'V'},
					   {"expect-count-after-withdraw", 1, NULL, 'S'},
					   {"withdraw-fraction", 1, NULL, 'w'},
					   {"exit-after-done", 1, NULL, 'e'},
					   {"dump", 1, NULL, 'd'},
					   {"timeout", 1, NULL, 'T'},
					   {"rcvbuf", 1, NULL, 'r'},
					   {"read-rate", 1, NULL, 'R'},
					   {"help", 0, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int c;

	*o = (struct opts){.conn = conn_defaults(),
			   .expect = -1,
			   .settle = -1,
			   .exit_after_done = -1,
			   .count_mode = -1};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'E':
			o->expect = (long)num_arg("expect", optarg, 0, 1e9);
			break;
		case 'C':
			if (!strcmp(optarg, "all"))
				o->count_mode = COUNT_ALL;
			else if (!strcmp(optarg, "ipv4"))
				o->count_mode = COUNT_V4;
			else if (!strcmp(optarg, "ipv6"))
				o->count_mode = COUNT_V6;
			else
				die(EXIT_USAGE, "--count: all, ipv4 or ipv6");
			break;
		case 't':
			o->table = optarg;
			break;
		case 'x':
			o->xlat6 = optarg;
			break;
		case 'N':
			o->nexthop6 = optarg;
			break;
		case 'L':
			o->nexthop6_ll = optarg;
			break;
		case 's':
			o->sessions = (unsigned)num_arg("sessions", optarg, 1, 65535);
			break;
		case 'v':
			o->verify_ipv4 = true;
			break;
		case 'n':
			o->nexthop4 = optarg;
			break;
		case 'V':
			o->verify_at_exit = true;
			break;
		case 'S':
			o->settle =
			    strcmp(optarg, "auto") == 0
				? -2
				: (long)num_arg("expect-count-after-withdraw", optarg, 0, 1e9);
			break;
		case 'w':
			o->withdraw_fraction = num_arg("withdraw-fraction", optarg, 0, 1);
			break;
		case 'e':
			o->exit_after_done = num_arg("exit-after-done", optarg, 0, 1e9);
			break;
		case 'd':
			o->dump = optarg;
			break;
		case 'r':
			o->rcvbuf = (int)num_arg("rcvbuf", optarg, 0, 1 << 30);
			break;
		case 'R':
			o->read_rate = num_arg("read-rate", optarg, 1024, 1e12);
			break;
		default:
			if (!conn_opt(&o->conn, c, optarg))
				usage();
		}
	}
	if (optind != argc || !o->conn.connect == !o->conn.listen)
		usage();
	if (o->conn.hold == 1 || o->conn.hold == 2)
		die(EXIT_USAGE, "--hold must be 0 or at least 3");
	if ((o->xlat6 || o->verify_ipv4) && !o->table)
		die(EXIT_USAGE, "--xlat6 and --verify-ipv4 need --table");
	if (o->settle == -2 && !o->table)
		die(EXIT_USAGE, "--expect-count-after-withdraw auto needs --table");
	if (o->expect < 0 && !o->table)
		die(EXIT_USAGE, "need --expect N or --table FILE");
	if (o->nexthop6_ll && !o->xlat6)
		die(EXIT_USAGE, "--nexthop6-ll needs --xlat6");
	if (o->sessions && (!o->conn.connect || !o->conn.bind || !(o->xlat6 || o->verify_ipv4) ||
			    o->settle != -1 || o->dump))
		die(EXIT_USAGE, "--sessions needs --connect, --bind and --table with --xlat6 or "
				"--verify-ipv4; no --dump, no --expect-count-after-withdraw");
}

/* Expected next hops, the translation prefix and the families to verify and count. */
static void
setup(struct sink *s)
{
	const struct opts *o = &s->o;
	uint8_t a[16];

	kset_init(&s->rib, 1 << 16);
	kset_init(&s->exp, 1 << 10);
	kset_init(&s->nhs.set, 64);
	s->nh4 = s->nh6 = NH_NONE;
	if (o->xlat6) {
		parse_xlat96(o->xlat6, s->xlat96);
		s->have_exp[FAM_V6] = true;
	}
	if (o->nexthop6) {
		if (inet_pton(AF_INET6, o->nexthop6, a) != 1)
			die(EXIT_USAGE, "--nexthop6: bad address '%s'", o->nexthop6);
		s->nh6 = nh_intern(&s->nhs, FAM_V6, a);
	}
	if (o->nexthop4) {
		if (inet_pton(AF_INET, o->nexthop4, a) != 1)
			die(EXIT_USAGE, "--nexthop4: bad address '%s'", o->nexthop4);
		s->nh4 = nh_intern(&s->nhs, FAM_V4, a);
	}
	for (const char *p = o->nexthop6_ll; p && *p;) {
		size_t n = strcspn(p, ",");
		char buf[INET6_ADDRSTRLEN];

		if (n >= sizeof(buf))
			die(EXIT_USAGE, "--nexthop6-ll: bad address");
		memcpy(buf, p, n);
		buf[n] = 0;
		if (inet_pton(AF_INET6, buf, a) != 1)
			die(EXIT_USAGE, "--nexthop6-ll: bad address '%s'", buf);
		s->ll = xrealloc(s->ll, (s->n_ll + 1) * sizeof(*s->ll));
		s->ll[s->n_ll++] = nh_intern(&s->nhs, FAM_V6, a);
		p += n + (p[n] == ',');
	}
	s->have_exp[FAM_V4] = o->verify_ipv4;
	s->count_mode = o->count_mode;
	if (s->count_mode < 0)
		s->count_mode = o->xlat6 && !o->verify_ipv4   ? COUNT_V6
				: o->verify_ipv4 && !o->xlat6 ? COUNT_V4
							      : COUNT_ALL;
	s->expect = o->expect;
	s->settle = o->settle;
}

int
main(int argc, char **argv)
{
	static struct sink s;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &s.o);
	signals_init();
	setup(&s);
	t0 = now();
	if (s.o.table) {
		read_table(&s);
		s.wd = withdraw_count(s.o.withdraw_fraction, s.table_pfx);
		if (s.expect < 0)
			s.expect = s.have_exp[FAM_V4] || s.have_exp[FAM_V6]
				       ? (long)expected_count(&s, 0)
				       : (long)s.table_pfx;
		if (s.settle == -2)
			s.settle = (long)(s.have_exp[FAM_V4] || s.have_exp[FAM_V6]
					      ? expected_count(&s, s.wd)
					      : s.table_pfx - s.wd);
	}
	if (s.o.sessions) {
		s.n_rx = s.o.sessions;
		s.bit_base[FAM_V6] = s.have_exp[FAM_V4] ? s.table_pfx : 0;
		s.nbits = s.table_pfx * (s.have_exp[FAM_V4] + s.have_exp[FAM_V6]);
		event("EXPECTED", "%ld %zu %zu %.3f", s.expect, s.table_pfx, s.wd, now() - t0);
		rx_open_all(&s);
		run_multi(&s);
	}
	/* pre-size (up to 4M keys, 256 MiB) so that no rehash falls in the timed part */
	if (s.expect > 0)
		kset_rehash(&s.rib, (size_t)(s.expect < 4000000 ? s.expect : 4000000) + 1);
	event("EXPECTED", "%ld %zu %zu %.3f", s.expect, s.table_pfx, s.wd, now() - t0);

	sess_connect(&s.sess, &s.o.conn, s.o.rcvbuf, true);
	session_open(&s.sess, &s.o.conn, router_id(&s.o.conn, 0x7f000003), false);
	sess_established(&s.sess);
	s.sess.rate = s.o.read_rate; /* after the handshake */
	s.sess.bt = now();
	s.sess.last_rx = s.sess.bt; /* RX_GAP_MAX counts from here */
	s.sess.max_gap = 0;
	run(&s);
	return 0;
}
