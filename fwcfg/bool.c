/* A named fw_cfg file read as a boolean, the way EDK2's QemuFwCfgParseBool reads the
 * opt/org.tianocore/ knobs, so one -fw_cfg line means the same to both firmwares: the
 * words below in any case, optionally NUL-terminated, one trailing "\n" or "\r\n". */
#include "fwcfg.h"

static const char *const true_words[] = { "true", "yes", "y", "enable", "enabled", "1" };
static const char *const false_words[] = { "false", "no", "n", "disable", "disabled", "0" };

static bool word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len && word[i]; i++)
		if ((s[i] | 0x20) != word[i] || !s[i])
			return false;
	return i == len && !word[i];
}

static int lookup(const char *s, size_t len, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (word_is(s, len, words[i]))
			return 1;
	return 0;
}

int fwcfg_parse_bool(const char *s, size_t len, bool *value)
{
	if (len && !s[len - 1])
		len--;
	if (len && s[len - 1] == '\n')
		len -= len >= 2 && s[len - 2] == '\r' ? 2 : 1;
	if (lookup(s, len, true_words, sizeof(true_words) / sizeof(*true_words)))
		*value = true;
	else if (lookup(s, len, false_words, sizeof(false_words) / sizeof(*false_words)))
		*value = false;
	else
		return -1;
	return 0;
}
