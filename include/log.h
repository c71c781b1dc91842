/* Formatted output, the log and fatal errors (boot/log.c, lib/printf.c). */
#ifndef EFILITE_LOG_H
#define EFILITE_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* The formatter behind them: emits each character through out. */
int vformat(void (*out)(char c, void *arg), void *arg, const char *fmt, va_list ap);

/* Log levels; LOGLEVEL (a build option) sets which are printed. */
#define LOG_ERR   1
#define LOG_WARN  2
#define LOG_INFO  3
#define LOG_DEBUG 4
#ifndef LOGLEVEL
#define LOGLEVEL LOG_INFO
#endif
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_at(l, ...) do { if ((l) <= LOGLEVEL) log_msg(l, __VA_ARGS__); } while (0)
#define err(...)   log_at(LOG_ERR, __VA_ARGS__)
#define warn(...)  log_at(LOG_WARN, __VA_ARGS__)
#define info(...)  log_at(LOG_INFO, __VA_ARGS__)
#define debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

/* Say what went wrong and power off. */
void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
