/*
 * Fuzz the TZif reader of lib/base/date.c (zone_read, zone_parse, the POSIX TZ footer rule): the
 * input is the zone file $TZDIR/Fuzz/Zone, asked for by name through ec_date_at at fixed instants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ZONE "Fuzz/Zone"

/*
 * The reader only takes a zone name under $TZDIR (else /usr/share/zoneinfo), so the harness points
 * TZDIR at the helper's scratch directory and rewrites the zone file in it for every input.
 *
 * Instants before any real transition, around the 32-bit limit, in the table of most zones, on both
 * sides of a DST change and far past the table (where the footer rule answers). Each falls in its own
 * minute: the reader caches the last answer per zone name and minute, and a cache hit would skip the
 * parse (the previous input's last instant never repeats as the next one's first either).
 */
static const int64_t instants[] = {
	-5000000000LL,          /* 1811 */
	-2147483648LL,          /* 1901-12-13, the 32-bit data's bottom */
	0,
	1742000000LL,           /* 2025-03-15 00:53Z: winter north of the equator */
	1751328000LL,           /* 2025-07-01 00:00Z: summer */
	2147483647LL,           /* 2038-01-19, the 32-bit data's top */
	4102444800LL,           /* 2100-01-01 00:00Z: past every table, the footer rule */
	4118054400LL,           /* 2100-06-30 16:00Z */
	253402300799LL,         /* 9999-12-31 23:59:59Z */
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	ec_day d, again;
	size_t i;
	int rc;

	if (!ready && setenv("TZDIR", fuzz_scratch_dir(), 1) != 0)
		abort();
	ready = 1;
	fuzz_scratch_write(ZONE, data, size);
	for (i = 0; i < sizeof instants / sizeof instants[0]; i++) {
		rc = ec_date_at(ZONE, instants[i], &d);
		if (rc == EC_OK) {
			/* Asked again within the minute, the cache must give the same day as the parse did. */
			if (ec_date_at(ZONE, instants[i], &again) != EC_OK || again != d)
				abort();
		} else if (rc != EC_ERR_ARG && rc != EC_ERR_NOMEM) {
			abort();   /* a zone that cannot be used is EC_ERR_ARG, whatever is wrong with it */
		}
	}
	return 0;
}
