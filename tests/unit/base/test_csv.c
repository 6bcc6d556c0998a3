/* Unit tests for the CSV reader: quoting, line numbers, BOM, CRLF, every strictness check, headers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "csv.h"
#include "err.h"

static struct ec_csv *
open_s(const char *s)
{
	struct ec_csv *c = NULL;

	assert_int_equal(ec_csv_open(s, strlen(s), "t.csv", &c), 0);
	return c;
}

/* The next record must be exactly the n given fields, starting on line want_line. */
static void
expect_row(struct ec_csv *c, size_t want_line, size_t n, ...)
{
	const char *const *f;
	size_t got, line, i;
	va_list ap;
	int rc = ec_csv_next(c, &f, &got, &line);

	if (rc != 1)
		fail_msg("no record (%d): %s", rc, ec_err_msg(rc));
	assert_int_equal(line, want_line);
	assert_int_equal(got, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(f[i], va_arg(ap, const char *));
	va_end(ap);
}

static void
expect_err(struct ec_csv *c, int code, const char *msg)
{
	int rc = ec_csv_next(c, NULL, NULL, NULL);

	assert_int_equal(rc, code);
	if (strcmp(ec_err_msg(rc), msg) != 0)
		fail_msg("detail '%s', wanted '%s'", ec_err_msg(rc), msg);
}

static void
test_plain(void **state)
{
	struct ec_csv *c = open_s("a,b,c\n1,2,3\n,,\n");

	(void)state;
	expect_row(c, 1, 3, "a", "b", "c");
	expect_row(c, 2, 3, "1", "2", "3");
	expect_row(c, 3, 3, "", "", "");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	assert_string_equal(ec_csv_name(c), "t.csv");
	ec_csv_close(c);
	/* no final line break; trailing empty lines ignored */
	c = open_s("a,b\n1,2");
	expect_row(c, 1, 2, "a", "b");
	expect_row(c, 2, 2, "1", "2");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
	c = open_s("a,b\n1,2\n\n\r\n\n");
	expect_row(c, 1, 2, "a", "b");
	expect_row(c, 2, 2, "1", "2");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
	ec_csv_close(NULL);
}

static void
test_quoting(void **state)
{
	struct ec_csv *c = open_s("\"a\",\"b,c\",\"say \"\"hi\"\"\",\"\"\n"
	    "\"\"\"\",x,\" sp \",\"O'Brien\"\n");

	(void)state;
	expect_row(c, 1, 4, "a", "b,c", "say \"hi\"", "");
	expect_row(c, 2, 4, "\"", "x", " sp ", "O'Brien");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
}

static void
test_embedded_newlines(void **state)
{
	struct ec_csv *c = open_s("h1,h2\n"
	    "\"line one\nline two\",x\n"
	    "\"a\r\nb\n\nc\",y\n"
	    "last,z\n");

	(void)state;
	expect_row(c, 1, 2, "h1", "h2");
	expect_row(c, 2, 2, "line one\nline two", "x");
	expect_row(c, 4, 2, "a\r\nb\n\nc", "y");
	expect_row(c, 8, 2, "last", "z");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
}

static void
test_bom_crlf(void **state)
{
	struct ec_csv *c = open_s("\xef\xbb\xbfname,city\r\nZo\xc3\xab,\xe5\x8c\x97\xe4\xba\xac\r\n\"a\r\nb\",c\r\nd,e\r\n");

	(void)state;
	expect_row(c, 1, 2, "name", "city");
	expect_row(c, 2, 2, "Zo\xc3\xab", "\xe5\x8c\x97\xe4\xba\xac");
	expect_row(c, 3, 2, "a\r\nb", "c");
	expect_row(c, 5, 2, "d", "e");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
	/* only a BOM: empty */
	c = open_s("\xef\xbb\xbf");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
	/* a BOM anywhere else is data, and a second one is not skipped */
	c = open_s("\xef\xbb\xbf\xef\xbb\xbf" "a\n");
	expect_row(c, 1, 1, "\xef\xbb\xbf" "a");
	ec_csv_close(c);
}

static void
test_strict_errors(void **state)
{
	struct ec_csv *c;

	(void)state;
	c = open_s("a,b\nab\"c,d\n");
	expect_row(c, 1, 2, "a", "b");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: a quote inside an unquoted field (quote the whole field "
	    "and double the quote)");
	/* sticky */
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: a quote inside an unquoted field (quote the whole field "
	    "and double the quote)");
	ec_csv_close(c);

	c = open_s("a,b\n\"ab\"c,d\n");
	expect_row(c, 1, 2, "a", "b");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: text after the closing quote of a field");
	ec_csv_close(c);

	c = open_s("a,b\n\"ab\" ,d\n");
	expect_row(c, 1, 2, "a", "b");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: text after the closing quote of a field");
	ec_csv_close(c);

	c = open_s("a,b\nx,\"open\nmore\nlines\n");
	expect_row(c, 1, 2, "a", "b");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: unterminated quoted field");
	ec_csv_close(c);

	c = open_s("a,b\rc,d\n");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:1: a carriage return not followed by a line feed");
	ec_csv_close(c);

	assert_int_equal(ec_csv_open("a,b\nc,\0\n", 7, "t.csv", &c), 0);
	expect_row(c, 1, 2, "a", "b");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: a NUL byte in the data");
	ec_csv_close(c);

	assert_int_equal(ec_csv_open("a,b\nc,\"\0\"\n", 9, "t.csv", &c), 0);
	expect_row(c, 1, 2, "a", "b");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: a NUL byte in the data");
	ec_csv_close(c);
}

static void
test_invalid_utf8(void **state)
{
	struct ec_csv *c = open_s("a,b\nok,\xc3\n\"\xed\xa0\x80\",x\n\xc0\xaf,y\nfine,\xe6\x9d\x8e\n");

	(void)state;
	expect_row(c, 1, 2, "a", "b");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: field 2 is not valid UTF-8");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:3: field 1 is not valid UTF-8");     /* a surrogate */
	expect_err(c, EC_ERR_SYNTAX, "t.csv:4: field 1 is not valid UTF-8");     /* overlong */
	expect_row(c, 5, 2, "fine", "\xe6\x9d\x8e");                            /* reading goes on */
	ec_csv_close(c);
}

static void
test_ragged(void **state)
{
	struct ec_csv *c = open_s("a,b,c,d,e,f,g,h\n1,2,3,4,5,6,7\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,8,9\n\n1,2,3,4,5,6,7,8\n");

	(void)state;
	expect_row(c, 1, 8, "a", "b", "c", "d", "e", "f", "g", "h");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:2: expected 8 fields, found 7");
	expect_row(c, 3, 8, "1", "2", "3", "4", "5", "6", "7", "8");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:4: expected 8 fields, found 9");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:5: expected 8 fields, found 1");     /* an empty line inside */
	expect_row(c, 6, 8, "1", "2", "3", "4", "5", "6", "7", "8");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
}

static void
test_bounds(void **state)
{
	struct ec_csv *c;
	char *s = malloc(EC_CSV_FIELD_MAX * 2 + 300);
	size_t i, o = 0;

	(void)state;
	assert_non_null(s);
	/* a field of exactly the bound passes, one byte more fails but reading goes on */
	memset(s, 'x', EC_CSV_FIELD_MAX);
	o = EC_CSV_FIELD_MAX;
	s[o++] = '\n';
	s[o++] = '"';
	memset(s + o, 'y', EC_CSV_FIELD_MAX + 1);
	o += EC_CSV_FIELD_MAX + 1;
	memcpy(s + o, "\"\nz\n", 4);
	o += 4;
	assert_int_equal(ec_csv_open(s, o, "t.csv", &c), 0);
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 1);
	expect_err(c, EC_ERR_TOOBIG, "t.csv:2: field 1 is longer than 4096 bytes");
	expect_row(c, 3, 1, "z");
	ec_csv_close(c);

	/* 64 fields pass, 65 fail */
	for (o = 0, i = 0; i < EC_CSV_FIELDS_MAX; i++) {
		s[o++] = 'f';
		s[o++] = ',';
	}
	s[o - 1] = '\n';
	assert_int_equal(ec_csv_open(s, o, "t.csv", &c), 0);
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 1);
	ec_csv_close(c);
	s[o - 1] = ',';
	s[o++] = 'g';
	assert_int_equal(ec_csv_open(s, o, "t.csv", &c), 0);
	expect_err(c, EC_ERR_TOOBIG, "t.csv:1: more than 64 fields");
	ec_csv_close(c);

	/* every field at the bound in one record */
	free(s);
	s = malloc(EC_CSV_FIELDS_MAX * (EC_CSV_FIELD_MAX + 1) + 1);
	assert_non_null(s);
	for (o = 0, i = 0; i < EC_CSV_FIELDS_MAX; i++) {
		memset(s + o, 'a', EC_CSV_FIELD_MAX);
		o += EC_CSV_FIELD_MAX;
		s[o++] = ',';
	}
	s[o - 1] = '\n';
	assert_int_equal(ec_csv_open(s, o, "t.csv", &c), 0);
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 1);
	ec_csv_close(c);
	free(s);
}

static void
test_empty(void **state)
{
	struct ec_csv *c;
	const char *req[] = { "a" };
	int idx[1];

	(void)state;
	assert_int_equal(ec_csv_open("", 0, NULL, &c), 0);
	assert_string_equal(ec_csv_name(c), "<input>");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
	c = open_s("\n\n");
	assert_int_equal(ec_csv_header(c, req, 1, idx, NULL), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "t.csv: empty file, expected a header line");
	ec_csv_close(c);
}

static const char *const exam_cols[] = {
	"registration_no", "last_name", "first_name", "email", "tel", "certification", "exam_date", "result",
};

static void
test_header(void **state)
{
	struct ec_csv *c;
	int idx[8];
	char *extra = (char *)"sentinel";

	(void)state;
	c = open_s("\xef\xbb\xbfresult,email,notes,registration_no,tel,last_name,first_name,exam_date,"
	    "certification,centre\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, &extra), 0);
	assert_int_equal(idx[0], 3);
	assert_int_equal(idx[1], 5);
	assert_int_equal(idx[3], 1);
	assert_int_equal(idx[5], 8);
	assert_int_equal(idx[7], 0);
	assert_string_equal(extra, "notes,centre");
	free(extra);
	ec_csv_close(c);

	c = open_s("registration_no,last_name,first_name,email,tel,certification,exam_date,result\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, &extra), 0);
	assert_null(extra);
	assert_int_equal(idx[6], 6);
	ec_csv_close(c);

	c = open_s("registration_no,last_name,first_name,tel,certification,exam_date,result\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, NULL), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "t.csv:1: missing column 'email'");
	ec_csv_close(c);

	c = open_s("registration_no,first_name,tel,certification,exam_date,Result\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, NULL), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX),
	    "t.csv:1: missing columns 'last_name', 'email', 'result'");
	ec_csv_close(c);

	c = open_s("registration_no,last_name,first_name,email,tel,certification,exam_date,result,email\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, NULL), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "t.csv:1: duplicate column 'email'");
	ec_csv_close(c);

	c = open_s("registration_no,,first_name\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, NULL), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "t.csv:1: column 2 has no name");
	ec_csv_close(c);

	c = open_s("registration_no,\"a\x1b[2Jb\"\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, NULL), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "t.csv:1: column 2 has a control character in its name");
	ec_csv_close(c);

	c = open_s("\"registration_no,last_name\n");
	assert_int_equal(ec_csv_header(c, exam_cols, 8, idx, NULL), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "t.csv:1: unterminated quoted field");
	ec_csv_close(c);

	/* the header fixes the field count for the records */
	c = open_s("x,y\n1,2\n3\n");
	{
		const char *const req[] = { "y" };

		assert_int_equal(ec_csv_header(c, req, 1, idx, &extra), 0);
		assert_int_equal(idx[0], 1);
		assert_string_equal(extra, "x");
		free(extra);
	}
	expect_row(c, 2, 2, "1", "2");
	expect_err(c, EC_ERR_SYNTAX, "t.csv:3: expected 2 fields, found 1");
	ec_csv_close(c);
}

static void
test_open_file(void **state)
{
	char path[] = "/tmp/test_csv_XXXXXX";
	struct ec_csv *c = NULL;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(ec_csv_open_file("/nonexistent/x.csv", &c), EC_ERR_IO);
	assert_null(c);
	assert_string_equal(ec_err_msg(EC_ERR_IO), "cannot open '/nonexistent/x.csv': No such file or directory");
	assert_int_equal(ec_csv_open_file("/", &c), EC_ERR_IO);
	assert_non_null(strstr(ec_err_msg(EC_ERR_IO), "cannot read '/'"));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("a,b\n\"x\ny\",z\n", f);
	fclose(f);
	assert_int_equal(ec_csv_open_file(path, &c), 0);
	assert_string_equal(ec_csv_name(c), path);
	expect_row(c, 1, 2, "a", "b");
	expect_row(c, 2, 2, "x\ny", "z");
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
	unlink(path);
	/* a pipe-like file of unknown size */
	assert_int_equal(ec_csv_open_file("/dev/null", &c), 0);
	assert_int_equal(ec_csv_next(c, NULL, NULL, NULL), 0);
	ec_csv_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_embedded_newlines),
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_strict_errors),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_ragged),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_open_file),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
