/*
 * Refusals a candidate reads, in each language a page offers (lib/base/msg.c). The English text is
 * the detail ec_err_msg() gives, what every tool prints; a page in another language asks for the
 * same refusal in its own with ec_err_msg_lang().
 */
#ifndef EC_MSG_H
#define EC_MSG_H

enum ec_msg {
	EC_MSG_FORMAT_WORD = 1,   /* format */
	EC_MSG_CONSENT,
	EC_MSG_NO_RESULT,         /* reg_no */
	EC_MSG_NOT_PASSED,        /* reg_no, exam */
	EC_MSG_APPLIED_E_WAITING, /* reg_no, date, name, masked email */
	EC_MSG_APPLIED_P_WAITING,
	EC_MSG_APPLIED_E_ISSUED,  /* reg_no, date, name, masked email, number */
	EC_MSG_APPLIED_P_ISSUED,
	EC_MSG_NOT_OFFERED,       /* certification */
	EC_MSG_SIBLING,           /* email, certification, the other registration number */
	EC_MSG_NOT_EARNED,        /* reg_no, certification, missing exams, email, English plural "s" or "" */
	EC_MSG_TOO_EARLY,         /* reg_no, first day, exam day */
	EC_MSG_LIVE,              /* reg_no, email, certification, number, valid until */
	EC_MSG_PAPER_ONLY,        /* certification */
	EC_MSG_ELECTRONIC_ONLY,   /* certification */
	EC_MSG_NO_ADDRESS,
	EC_MSG_NAME_BYTES,        /* limit */
	EC_MSG_NAME_QR,           /* name, URL length, limit */
	EC_MSG_NAME_INPUT,        /* name, bytes */
	EC_MSG_NAME_UTF8,         /* name, byte offset */
	EC_MSG_CP_ASTRAL,         /* name, U+XXXX */
	EC_MSG_CP_CONTROL,
	EC_MSG_CP_SEPARATOR,
	EC_MSG_CP_FORMAT,
	EC_MSG_CP_UNASSIGNED,
	EC_MSG_CP_PRIVATE,
	EC_MSG_CP_INVISIBLE,
	EC_MSG_CP_MARK,
	EC_MSG_NAME_EMPTY,
	EC_MSG_NAME_COUNT,        /* name, characters, limit */
	EC_MSG_NO_FONT,           /* the characters, "U+XXXX 'c', ..." */
	EC_MSG_NO_FONT_MORE,      /* the characters, how many more */
	EC_MSG_TEXT_EMPTY,
	EC_MSG_TEXT_LONG,         /* limit */
	EC_MSG_TEXT_UTF8,
	EC_MSG_TEXT_CONTROL,      /* U+XXXX */
	EC_MSG_TEXT_SEPARATOR,    /* U+XXXX */
	EC_MSG_ADDRESS_LINES,     /* lines, limit */
	EC_MSG_ADDRESS_LINE,      /* line number; a prefix (ec_err_prefix) */
	EC_MSG_EMAIL_EMPTY,
	EC_MSG_EMAIL_BAD,         /* value */
	EC_MSG_TEL_BAD,           /* value */
	EC_MSG_COUNT
};

/* The languages a message is kept in, English first. */
enum ec_lang { EC_LANG_EN, EC_LANG_ZH, EC_LANG_COUNT };

/*
 * The format of message id in lang: printf positional string conversions only ("%1$s"), the same
 * arguments in every language (a language may leave out trailing ones). NULL for an unknown id.
 */
const char *ec_msg_format(enum ec_msg id, enum ec_lang lang);

/*
 * Record code with message id, its arguments strings as the comment at id lists, formatted in every
 * language; ec_err_msg(code) gives the English. Returns code.
 */
int ec_err_say(int code, enum ec_msg id, ...);

/*
 * Put message id before the detail recorded for code, in every language, as "prefix: detail"; a
 * detail kept in English only follows every language's prefix as it is. Returns code.
 */
int ec_err_prefix(int code, enum ec_msg id, ...);

/* What separates a prefix from its detail in lang: ": ", or a full-width colon. */
const char *ec_msg_colon(enum ec_lang lang);

/*
 * The detail of code in lang when the last recorded error was code and recorded by ec_err_say; else
 * NULL (a detail that exists in English only, or none).
 */
const char *ec_err_msg_lang(int code, enum ec_lang lang);

#endif
