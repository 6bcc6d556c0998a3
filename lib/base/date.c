/* Calendar arithmetic on day counts, today in an IANA time zone (read from TZif files), working days. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "err.h"

#define ZONE_NAME_MAX 128
#define TZIF_MAX (256 * 1024)     /* real TZif files are a few KiB */
#define FOOTER_MAX 128

/* The era-based algorithms of H. Hinnant: exact for every int32 day count without mktime or time zones. */
int64_t
ec_date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
ec_date_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(int64_t y, unsigned m)
{
	static const unsigned char n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

static int
digits(const char *s, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

/* At most 32 bytes of s for a message, anything but printable ASCII (and the quote) as '?'. */
static const char *
quote(const char *s, char out[36])
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i < 32; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' ? s[i] : '?';
	if (s != NULL && i == 32 && s[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

int
ec_date_parse(const char *s, ec_day *out)
{
	unsigned y, m, d;
	char q[36];

	if (s == NULL || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return ec_err_set(EC_ERR_SYNTAX, "date '%s': expected YYYY-MM-DD", quote(s, q));
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return ec_err_set(EC_ERR_SYNTAX, "date '%s': no such calendar day", s);
	*out = (ec_day)ec_date_days_from_civil(y, m, d);
	return 0;
}

/* Years outside 0..9999 cannot be written in ten characters: they come out as "0000-00-00". */
void
ec_date_format(ec_day d, char out[11])
{
	int64_t y;
	unsigned m, dd;

	ec_date_civil_from_days(d, &y, &m, &dd);
	if (y < 0 || y > 9999)
		y = m = dd = 0;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y, m, dd);
}

int
ec_date_weekday(ec_day d)
{
	/* 1970-01-01 was a Thursday (3 counting from Monday = 0). */
	return (int)((((int64_t)d + 3) % 7 + 7) % 7);
}

ec_day
ec_date_add_years(ec_day d, int years)
{
	int64_t y;
	unsigned m, dd;

	ec_date_civil_from_days(d, &y, &m, &dd);
	y += years;
	if (m == 2 && dd == 29 && !leap(y))
		dd = 28;
	return (ec_day)ec_date_days_from_civil(y, m, dd);
}

/*
 * The last day of a period of years starting on d. A period starting on 29 February ends on
 * 28 February of a common year (its anniversary is taken as 1 March), so no day is lost.
 */
static ec_day
period_end(ec_day d, int years)
{
	int64_t y;
	unsigned m, dd;

	ec_date_civil_from_days(d, &y, &m, &dd);
	y += years;
	if (m == 2 && dd == 29 && !leap(y))
		return (ec_day)ec_date_days_from_civil(y, 2, 28);
	return (ec_day)(ec_date_days_from_civil(y, m, dd) - 1);
}

ec_day
ec_date_expiry(ec_day effective, int years)
{
	return period_end(effective, years);
}

ec_day
ec_date_renewal_expiry(ec_day old_expires, ec_day today, int years)
{
	ec_day from = old_expires + 1 > today ? old_expires + 1 : today;

	return period_end(from, years);
}

static int
is_holiday(ec_day d, const ec_day *holidays, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (holidays[i] == d)
			return 1;
	return 0;
}

ec_day
ec_date_add_working_days(ec_day d, int n, const ec_day *holidays, size_t nholidays)
{
	while (n > 0) {
		d++;
		if (ec_date_weekday(d) < 5 && !is_holiday(d, holidays, nholidays))
			n--;
	}
	return d;
}

int64_t
ec_date_to_time(ec_day d)
{
	return (int64_t)d * 86400;
}

ec_day
ec_date_from_time(int64_t t)
{
	return (ec_day)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

/* ECERT_NOW as a day: 1 when set and valid, 0 when unset, EC_ERR_ARG when malformed. */
static int
env_now(ec_day *out)
{
	const char *s = getenv("ECERT_NOW");
	char q[36];

	if (s == NULL || *s == '\0')
		return 0;
	if (ec_date_parse(s, out) != 0)
		return ec_err_set(EC_ERR_ARG, "ECERT_NOW '%s': expected a date YYYY-MM-DD", quote(s, q));
	return 1;
}

int64_t
ec_time_now(void)
{
	ec_day d;

	if (env_now(&d) == 1)
		return ec_date_to_time(d) + 12 * 3600;
	return (int64_t)time(NULL);
}

/*
 * Time zones. Setting TZ and calling localtime_r is not thread safe (the verification endpoint
 * runs handlers on several threads), so the zone's TZif file (RFC 8536) is read directly: the
 * 64-bit transition table, and for instants after the last transition the POSIX TZ rule in the
 * footer. Leap-second records are ignored (civil time, not TAI).
 */
struct zone {
	int64_t *times;          /* transition instants, ascending */
	unsigned char *idx;      /* local time type of each transition */
	size_t ntimes;
	int32_t off[256];        /* UT offset of each local time type, seconds */
	size_t ntypes;
	char footer[FOOTER_MAX];
};

/* A POSIX TZ rule as in the footer: std offset, optional dst with its start and end rules. */
struct rule_date {
	char kind;               /* 'J' (1..365, no 29 Feb), 'D' (0..365), 'M' (month.week.day) */
	int a, b, c;
	int32_t time;            /* seconds after local midnight, may be negative or past 24h */
};

struct posix_tz {
	int32_t std, dst;        /* UT offsets, east positive */
	int has_dst;
	struct rule_date start, end;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static const char *
tz_name(const char *s, int *ok)
{
	const char *p;

	if (*s == '<') {
		for (p = s + 1; *p && *p != '>'; p++)
			;
		*ok = *p == '>' && p - s >= 4;
		return *ok ? p + 1 : p;
	}
	for (p = s; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++)
		;
	*ok = p - s >= 3;
	return p;
}

/* [+-]hh[:mm[:ss]] into seconds; max_h bounds the hours. NULL when malformed. */
static const char *
tz_time(const char *s, int max_h, int32_t *out)
{
	int sign = 1, part = 0;
	int32_t v[3] = { 0, 0, 0 };

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (;;) {
		int n = 0;

		while (*s >= '0' && *s <= '9' && n < 3) {
			v[part] = v[part] * 10 + (*s++ - '0');
			n++;
		}
		if (n == 0 || (part == 0 && v[0] > max_h) || (part > 0 && (n != 2 || v[part] > 59)))
			return NULL;
		if (*s != ':' || part == 2)
			break;
		s++;
		part++;
	}
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return s;
}

static const char *
tz_date(const char *s, struct rule_date *r)
{
	char *e;
	long a, b, c;

	r->time = 7200;
	if (*s == 'M') {
		a = strtol(s + 1, &e, 10);
		if (*e != '.' || a < 1 || a > 12)
			return NULL;
		b = strtol(e + 1, &e, 10);
		if (*e != '.' || b < 1 || b > 5)
			return NULL;
		c = strtol(e + 1, &e, 10);
		if (c < 0 || c > 6)
			return NULL;
		r->kind = 'M';
		r->a = (int)a;
		r->b = (int)b;
		r->c = (int)c;
	} else {
		r->kind = *s == 'J' ? 'J' : 'D';
		if (*s == 'J')
			s++;
		if (*s < '0' || *s > '9')
			return NULL;
		a = strtol(s, &e, 10);
		if (a < (r->kind == 'J') || a > 365)
			return NULL;
		r->a = (int)a;
	}
	if (*e == '/' && (e = (char *)tz_time(e + 1, 167, &r->time)) == NULL)
		return NULL;
	return e;
}

static int
tz_parse(const char *s, struct posix_tz *p)
{
	int ok;
	int32_t o;

	memset(p, 0, sizeof *p);
	s = tz_name(s, &ok);
	if (!ok || (s = tz_time(s, 24, &o)) == NULL)
		return -1;
	p->std = -o;
	if (*s == '\0')
		return 0;
	s = tz_name(s, &ok);
	if (!ok)
		return -1;
	p->has_dst = 1;
	p->dst = p->std + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = tz_time(s, 24, &o)) == NULL)
			return -1;
		p->dst = -o;
	}
	if (*s++ != ',' || (s = tz_date(s, &p->start)) == NULL || *s++ != ',' ||
	    (s = tz_date(s, &p->end)) == NULL || *s != '\0')
		return -1;
	return 0;
}

/* The local midnight day of rule date r in year y. */
static int64_t
rule_day(const struct rule_date *r, int64_t y)
{
	int64_t first, day;
	int wd;

	if (r->kind == 'J')
		return ec_date_days_from_civil(y, 1, 1) + r->a - 1 + (leap(y) && r->a >= 60);
	if (r->kind == 'D')
		return ec_date_days_from_civil(y, 1, 1) + r->a;
	first = ec_date_days_from_civil(y, (unsigned)r->a, 1);
	wd = (ec_date_weekday((ec_day)first) + 1) % 7;          /* 0 = Sunday, as POSIX counts */
	day = first + (r->c - wd + 7) % 7 + (int64_t)(r->b - 1) * 7;
	while (day >= first + month_days(y, (unsigned)r->a))
		day -= 7;
	return day;
}

static int32_t
tz_offset(const struct posix_tz *p, int64_t t)
{
	int64_t y, start, end;
	unsigned m, d;

	if (!p->has_dst)
		return p->std;
	ec_date_civil_from_days(ec_date_from_time(t + p->std), &y, &m, &d);
	start = rule_day(&p->start, y) * 86400 + p->start.time - p->std;
	end = rule_day(&p->end, y) * 86400 + p->end.time - p->dst;
	if (start < end)
		return t >= start && t < end ? p->dst : p->std;
	return t >= end && t < start ? p->std : p->dst;
}

static int
zone_read(const char *path, const char *name, unsigned char **buf, size_t *len)
{
	struct stat st;
	unsigned char *b = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = ec_err_set(EC_ERR_ARG, "time zone '%s': %s", name,
		    errno == ENOENT || errno == ENOTDIR ? "unknown zone" : strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TZIF_MAX) {
		rc = ec_err_set(EC_ERR_ARG, "time zone '%s': not a valid TZif file", name);
		goto out;
	}
	if ((b = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	while (n < (size_t)st.st_size && (r = read(fd, b + n, (size_t)st.st_size - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = ec_err_set(EC_ERR_ARG, "time zone '%s': %s", name, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Parse TZif data into z (z->times and z->idx malloc'd, freed by the caller). */
static int
zone_parse(const unsigned char *b, size_t len, const char *name, struct zone *z)
{
	uint32_t isut, isstd, leapc, timec, typec, charc;
	size_t i, tsz = 4, need;
	const unsigned char *p = b;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if ((size_t)(p - b) + 44 > len || memcmp(p, "TZif", 4) != 0)
			goto bad;
		isut = be32(p + 20);
		isstd = be32(p + 24);
		leapc = be32(p + 28);
		timec = be32(p + 32);
		typec = be32(p + 36);
		charc = be32(p + 40);
		if (typec == 0 || typec > 256 || timec > 100000 || leapc > 10000 || charc > 1000 ||
		    (isut != 0 && isut != typec) || (isstd != 0 && isstd != typec))
			goto bad;
		need = (size_t)timec * (tsz + 1) + (size_t)typec * 6 + charc +
		    (size_t)leapc * (tsz + 4) + isstd + isut;
		if (len - (size_t)(p - b) - 44 < need)
			goto bad;
		if (pass == 0 && p[4] >= '2') {
			p += 44 + need;
			tsz = 8;
			continue;
		}
		break;
	}
	p += 44;
	z->ntimes = timec;
	z->ntypes = typec;
	z->times = malloc(timec ? timec * sizeof *z->times : 1);
	z->idx = malloc(timec ? timec : 1);
	if (z->times == NULL || z->idx == NULL)
		return EC_ERR_NOMEM;
	for (i = 0; i < timec; i++) {
		z->times[i] = tsz == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
		if (i > 0 && z->times[i] <= z->times[i - 1])
			goto bad;
	}
	p += timec * tsz;
	for (i = 0; i < timec; i++)
		if ((z->idx[i] = p[i]) >= typec)
			goto bad;
	p += timec;
	for (i = 0; i < typec; i++) {
		z->off[i] = (int32_t)be32(p + i * 6);
		/* RFC 8536 bounds UT offsets to about a day either way: anything else is a damaged file. */
		if (z->off[i] < -89999 || z->off[i] > 93599)
			goto bad;
	}
	p += typec * 6 + charc + leapc * (tsz + 4) + isstd + isut;
	z->footer[0] = '\0';
	if (tsz == 8 && p < b + len && *p == '\n') {
		const unsigned char *e = memchr(p + 1, '\n', (size_t)(b + len - p - 1));

		if (e == NULL || (size_t)(e - p - 1) >= FOOTER_MAX)
			goto bad;
		memcpy(z->footer, p + 1, (size_t)(e - p - 1));
		z->footer[e - p - 1] = '\0';
	}
	return 0;
bad:
	return ec_err_set(EC_ERR_ARG, "time zone '%s': not a valid TZif file", name);
}

/* The UT offset in zone z at instant t, as RFC 8536 section 3.2 assigns local time types. */
static int
zone_offset(const struct zone *z, const char *name, int64_t t, int32_t *off)
{
	struct posix_tz p;
	size_t lo = 0, hi = z->ntimes;

	if (z->ntimes > 0 && t < z->times[0]) {
		*off = z->off[0];
		return 0;
	}
	if (z->ntimes == 0 || t >= z->times[z->ntimes - 1]) {
		if (z->footer[0] == '\0') {
			*off = z->off[z->ntimes ? z->idx[z->ntimes - 1] : 0];
			return 0;
		}
		if (tz_parse(z->footer, &p) != 0)
			return ec_err_set(EC_ERR_ARG, "time zone '%s': unsupported rule '%s'", name,
			    z->footer);
		*off = tz_offset(&p, t);
		return 0;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	*off = z->off[z->idx[lo]];
	return 0;
}

static int
zone_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > ZONE_NAME_MAX || s[0] == '/' || s[0] == '.' || strstr(s, "/.") != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("/_+-.", s[i]) != NULL))
			return 0;
	return 1;
}

/*
 * The UT offset of zone name at t. One parse per thread per minute and zone: UT offsets change only
 * on whole minutes in any zone still in use, and a request-serving thread asks again and again.
 */
static int
zone_lookup(const char *name, int64_t t, int32_t *off)
{
	static _Thread_local char c_name[ZONE_NAME_MAX + 1];
	static _Thread_local int64_t c_minute = INT64_MIN;
	static _Thread_local int32_t c_off;
	struct zone z = { 0 };
	unsigned char *buf = NULL;
	size_t len = 0;
	char path[512];
	const char *dir = getenv("TZDIR");
	char q[36];
	int rc;

	if (!zone_name_ok(name))
		return ec_err_set(EC_ERR_ARG, "time zone '%s': not a zone name such as Asia/Shanghai",
		    quote(name, q));
	if (c_minute == t / 60 && strcmp(c_name, name) == 0) {
		*off = c_off;
		return 0;
	}
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		rc = ec_err_set(EC_ERR_ARG, "time zone '%s': path too long", name);
		goto out;
	}
	if ((rc = zone_read(path, name, &buf, &len)) != 0)
		goto out;
	if ((rc = zone_parse(buf, len, name, &z)) != 0)
		goto out;
	if ((rc = zone_offset(&z, name, t, off)) != 0)
		goto out;
	memcpy(c_name, name, strlen(name) + 1);
	c_minute = t / 60;
	c_off = *off;
out:
	free(buf);
	free(z.times);
	free(z.idx);
	return rc;
}

int
ec_date_at(const char *tz, int64_t t, ec_day *out)
{
	int32_t off = 0;
	int rc;

	if (tz != NULL && *tz != '\0' && strcmp(tz, "UTC") != 0 && (rc = zone_lookup(tz, t, &off)) != 0)
		return rc;
	*out = ec_date_from_time(t + off);
	return 0;
}

int
ec_date_today(const char *tz, ec_day *out)
{
	ec_day fixed = 0, now;
	int have, rc;

	if ((have = env_now(&fixed)) < 0)
		return have;
	/* The zone is checked even under ECERT_NOW, so a rehearsal catches a misconfigured zone. */
	if ((rc = ec_date_at(tz, (int64_t)time(NULL), &now)) != 0)
		return rc;
	*out = have ? fixed : now;
	return 0;
}
