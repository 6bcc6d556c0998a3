/*
 * The refusals a candidate can meet on a page, in English and Chinese. Kept in lib beside the rules
 * that raise them, so the portal gives a candidate the same refusal as ecert-issue gives the office,
 * in the page's language. Every argument is a string, referred to by position, so a language may
 * order them as its grammar wants.
 */
#include <stddef.h>

#include "msg.h"

static const char *const table[EC_MSG_COUNT][EC_LANG_COUNT] = {
	[EC_MSG_FORMAT_WORD] = { "'%1$s' is neither electronic nor paper", "“%1$s”既不是电子版也不是纸质版" },
	[EC_MSG_CONSENT] = { "no consent to the privacy statement: nothing can be stored without it",
		"未同意隐私声明：未经同意，无法保存任何信息" },
	[EC_MSG_NO_RESULT] = { "no exam result for registration number '%1$s'", "没有报名号“%1$s”的考试成绩" },
	[EC_MSG_NOT_PASSED] = { "registration number '%1$s': the %2$s exam was not passed",
		"报名号“%1$s”：%2$s 考试未通过" },
	[EC_MSG_APPLIED_E_WAITING] = { "registration number '%1$s' already has an application, submitted %2$s: "
		"electronic, name '%3$s', email %4$s, waiting for issuance (a submitted application never changes)",
		"报名号“%1$s”已于 %2$s 提交过申请：电子版，姓名“%3$s”，邮箱 %4$s，等待发证（已提交的申请不可更改）" },
	[EC_MSG_APPLIED_P_WAITING] = { "registration number '%1$s' already has an application, submitted %2$s: "
		"paper, name '%3$s', email %4$s, waiting for issuance (a submitted application never changes)",
		"报名号“%1$s”已于 %2$s 提交过申请：纸质版，姓名“%3$s”，邮箱 %4$s，等待发证（已提交的申请不可更改）" },
	[EC_MSG_APPLIED_E_ISSUED] = { "registration number '%1$s' already has an application, submitted %2$s: "
		"electronic, name '%3$s', email %4$s, issued as %5$s (a submitted application never changes)",
		"报名号“%1$s”已于 %2$s 提交过申请：电子版，姓名“%3$s”，邮箱 %4$s，已发证，证书编号 %5$s（已提交的申请不可更改）" },
	[EC_MSG_APPLIED_P_ISSUED] = { "registration number '%1$s' already has an application, submitted %2$s: "
		"paper, name '%3$s', email %4$s, issued as %5$s (a submitted application never changes)",
		"报名号“%1$s”已于 %2$s 提交过申请：纸质版，姓名“%3$s”，邮箱 %4$s，已发证，证书编号 %5$s（已提交的申请不可更改）" },
	[EC_MSG_NOT_OFFERED] = { "certification '%1$s' is no longer in the catalogue", "认证“%1$s”已不再提供" },
	[EC_MSG_SIBLING] = { "'%1$s' already applied for %2$s under registration number '%3$s': one application per "
		"person and certification", "“%1$s”已用报名号“%3$s”申请过 %2$s：每人每个认证只能申请一次" },
	[EC_MSG_NOT_EARNED] = { "registration number '%1$s': %2$s also needs exam%5$s %3$s passed by '%4$s'",
		"报名号“%1$s”：%2$s 还需要“%4$s”通过考试 %3$s" },
	[EC_MSG_TOO_EARLY] = { "too early: registration number '%1$s' can apply from %2$s, one working day after "
		"the exam on %3$s", "申请过早：报名号“%1$s”可于 %2$s 起申请，即 %3$s 考试后的一个工作日" },
	[EC_MSG_LIVE] = { "registration number '%1$s': '%2$s' already holds %3$s certificate %4$s, valid until %5$s: "
		"renew it (ecert-issue renew %4$s) instead of applying again",
		"报名号“%1$s”：“%2$s”已持有 %3$s 证书 %4$s，有效期至 %5$s：请续期该证书，无需重新申请" },
	[EC_MSG_PAPER_ONLY] = { "%1$s is issued as paper only", "%1$s 只颁发纸质证书" },
	[EC_MSG_ELECTRONIC_ONLY] = { "%1$s is issued as electronic only", "%1$s 只颁发电子证书" },
	[EC_MSG_NO_ADDRESS] = { "a paper certificate needs a postal address", "纸质证书需要填写邮寄地址" },
	[EC_MSG_NAME_BYTES] = { "name is longer than %1$s bytes", "姓名超过 %1$s 字节" },
	[EC_MSG_NAME_QR] = { "name '%1$s' is too long for the QR code: the verification URL would be %2$s bytes, "
		"over %3$s", "姓名“%1$s”过长，二维码容纳不下：验证网址将有 %2$s 字节，超过 %3$s" },
	[EC_MSG_NAME_INPUT] = { "name '%1$s': too long (%2$s bytes)", "姓名“%1$s”过长（%2$s 字节）" },
	[EC_MSG_NAME_UTF8] = { "name '%1$s': invalid UTF-8 at byte %2$s", "姓名“%1$s”：第 %2$s 字节不是有效的 UTF-8" },
	[EC_MSG_CP_ASTRAL] = { "name '%1$s': %2$s is outside the Basic Multilingual Plane (emoji and rare characters "
		"cannot be printed)", "姓名“%1$s”：%2$s 不在基本多文种平面内（表情符号和生僻字无法打印）" },
	[EC_MSG_CP_CONTROL] = { "name '%1$s': %2$s is a control character", "姓名“%1$s”：%2$s 是控制字符" },
	[EC_MSG_CP_SEPARATOR] = { "name '%1$s': %2$s is a line or paragraph separator",
		"姓名“%1$s”：%2$s 是行或段落分隔符" },
	[EC_MSG_CP_FORMAT] = { "name '%1$s': %2$s is a format character that can hide or reorder text",
		"姓名“%1$s”：%2$s 是可隐藏或重排文字的格式字符" },
	[EC_MSG_CP_UNASSIGNED] = { "name '%1$s': %2$s is not an assigned character", "姓名“%1$s”：%2$s 不是已分配的字符" },
	[EC_MSG_CP_PRIVATE] = { "name '%1$s': %2$s is a private-use or surrogate code point",
		"姓名“%1$s”：%2$s 是私用区或代理码位" },
	[EC_MSG_CP_INVISIBLE] = { "name '%1$s': %2$s is an invisible character", "姓名“%1$s”：%2$s 是不可见字符" },
	[EC_MSG_CP_MARK] = { "name '%1$s': %2$s is a combining mark with no letter to combine with",
		"姓名“%1$s”：%2$s 是组合符号，但前面没有可组合的字母" },
	[EC_MSG_NAME_EMPTY] = { "name is empty", "姓名为空" },
	[EC_MSG_NAME_COUNT] = { "name '%1$s': %2$s characters, at most %3$s", "姓名“%1$s”有 %2$s 个字符，最多 %3$s 个" },
	[EC_MSG_NO_FONT] = { "no font covers %1$s", "没有字体能打印 %1$s" },
	[EC_MSG_NO_FONT_MORE] = { "no font covers %1$s and %2$s more", "没有字体能打印 %1$s 以及另外 %2$s 个字符" },
	[EC_MSG_TEXT_EMPTY] = { "empty value", "不能为空" },
	[EC_MSG_TEXT_LONG] = { "longer than %1$s bytes", "超过 %1$s 字节" },
	[EC_MSG_TEXT_UTF8] = { "not valid UTF-8", "不是有效的 UTF-8" },
	[EC_MSG_TEXT_CONTROL] = { "control character %1$s", "含有控制字符 %1$s" },
	[EC_MSG_TEXT_SEPARATOR] = { "character %1$s is not allowed (a line separator, bidirectional control or byte "
		"order mark)", "不允许使用字符 %1$s（行分隔符、双向控制符或字节顺序标记）" },
	[EC_MSG_ADDRESS_LINES] = { "%1$s lines, at most %2$s", "共 %1$s 行，最多 %2$s 行" },
	[EC_MSG_ADDRESS_LINE] = { "line %1$s", "第 %1$s 行" },
	[EC_MSG_EMAIL_EMPTY] = { "empty email address", "邮箱地址为空" },
	[EC_MSG_EMAIL_BAD] = { "'%1$s' is not an email address", "“%1$s”不是邮箱地址" },
	[EC_MSG_TEL_BAD] = { "'%1$s' is not a telephone number", "“%1$s”不是电话号码" },
};

const char *
ec_msg_colon(enum ec_lang lang)
{
	return lang == EC_LANG_ZH ? "：" : ": ";
}

const char *
ec_msg_format(enum ec_msg id, enum ec_lang lang)
{
	if ((int)id <= 0 || id >= EC_MSG_COUNT || (int)lang < 0 || lang >= EC_LANG_COUNT)
		return NULL;
	return table[id][lang];
}
