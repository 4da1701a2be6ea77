// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU drives a vGPU.  Debian's own qemu-system-x86_64 attaches vGPUs with
 * -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID and this program
 * plays the guest through QEMU's qtest protocol (-qtest stdio, with -S so
 * that no firmware runs): PCI config space through ports 0xcf8/0xcfc, BAR0
 * and the VRAM BAR through guest physical addresses, the INTx line through
 * "irq_intercept_in ioapic".  One more QEMU boots SeaBIOS under TCG to see
 * the firmware place the BARs.
 * Each QEMU also has a QMP socket, for the monitor's "info pci" and an
 * orderly "quit".  QEMU's stderr goes to a file: whatever QEMU prints
 * there is a warning or an error.
 *
 * Runs in the VM with mvgpu loaded with its defaults (one GPU, 256 MiB),
 * on mvgpu0, or on the GPU of $MVGPU_TEST_PARENT (a bochs-display PCI
 * parent: tests/suites/21-pci.sh), where the guest's VRAM is also checked
 * in the physical BAR.
 * Every QEMU started here is killed and every vGPU created here removed by
 * the group teardown, whatever failed; PR_SET_PDEATHSIG kills the QEMUs
 * should this program die first.
 *
 * Tests of one QEMU instance run in order and build on each other (the
 * first starts QEMU, the third programs the BARs, ...); a test whose
 * predecessor failed says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

#define QEMU_BIN	"qemu-system-x86_64"
#define TIMEOUT_MS	60000		/* any single wait on QEMU or the vGPU */

/* The guest: an i440FX PC, the vGPU at 00:04.0, the PIIX3 at 00:01.0 */
#define GPU_SLOT	4
#define PIIX3_SLOT	1
#define PIIX3_PIRQRC	0x60		/* PIRQ[A-D] routing, one byte each */
#define GUEST_GSI	11		/* where we route every PIRQ, as SeaBIOS */
#define BAR0_GPA	0xe0000000ull	/* in the 32-bit PCI window */
#define VRAM_GPA	0x100000000ull	/* above 4 GiB */

/* Where the guest puts things in VRAM (GPU VA == VRAM offset, no paging) */
#define RING_VA		0x10000
#define FENCE_VA	0x20000
#define FILL_VA		0x200000
#define FILL_SIZE	0x13000		/* crosses the engine's 64 KiB chunks */
#define PATTERN_VA	0x100000

#define QEMU_MAX_GSI	24

/* ------------------------------------------------------------------ */
/* Reading lines from a pipe or socket with a deadline                 */
/* ------------------------------------------------------------------ */

struct lines {
	int fd;
	char *buf;		/* bytes read, not yet returned */
	size_t len, cap;
	char *line;		/* the last line returned */
	size_t line_cap;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void lines_init(struct lines *l, int fd)
{
	free(l->buf);
	free(l->line);
	memset(l, 0, sizeof(*l));
	l->fd = fd;
}

static void lines_free(struct lines *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->buf);
	free(l->line);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

/*
 * The next line, without its newline, valid until the next call; NULL with
 * errno ETIMEDOUT when none came within timeout_ms, EPIPE at end of file.
 */
static char *lines_next(struct lines *l, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		char *nl = l->len ? memchr(l->buf, '\n', l->len) : NULL;
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int64_t left;
		ssize_t n;

		if (nl) {
			size_t len = nl - l->buf;

			if (len + 1 > l->line_cap) {
				char *line = realloc(l->line, len + 1);

				if (!line)
					return NULL;
				l->line = line;
				l->line_cap = len + 1;
			}
			memcpy(l->line, l->buf, len);
			l->line[len] = '\0';
			if (len && l->line[len - 1] == '\r')
				l->line[len - 1] = '\0';
			l->len -= len + 1;
			memmove(l->buf, nl + 1, l->len);
			return l->line;
		}
		if (l->cap - l->len < 65536) {
			size_t cap = l->cap * 2 + 65536;
			char *buf = realloc(l->buf, cap);

			if (!buf)
				return NULL;
			l->buf = buf;
			l->cap = cap;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		if (n == 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		n = read(l->fd, l->buf + l->len, l->cap - l->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return NULL;
		if (n == 0) {
			errno = EPIPE;
			return NULL;
		}
		l->len += n;
	}
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* One QEMU: start, qtest, QMP, stop                                    */
/* ------------------------------------------------------------------ */

struct qemu {
	const char *name;	/* for messages */
	pid_t pid;		/* 0: not running */
	int in;			/* qtest commands to QEMU (its stdin) */
	struct lines out;	/* qtest replies (its stdout) */
	struct lines qmp;	/* the QMP socket */
	char err_path[PATH_MAX];	/* its stderr */
	char qmp_path[108];
	int exit_status;	/* waitpid() status once it is gone */
	/* INTx as qtest reports it: level and raise count per GSI */
	int irq_level[QEMU_MAX_GSI];
	unsigned int irq_raised[QEMU_MAX_GSI];
};

/* QEMU's stderr so far, in a static buffer */
static const char *qemu_stderr(const struct qemu *q)
{
	static char buf[8192];
	int fd = open(q->err_path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* reap QEMU if it has exited; true when it is gone */
static bool qemu_reap(struct qemu *q, bool block)
{
	int status;
	pid_t r;

	if (q->pid <= 0)
		return true;
	do
		r = waitpid(q->pid, &status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	q->exit_status = r == q->pid ? status : -1;
	q->pid = 0;
	return true;
}

static void qemu_close_fds(struct qemu *q)
{
	if (q->in >= 0)
		close(q->in);
	q->in = -1;
	lines_free(&q->out);
	lines_free(&q->qmp);
}

/* SIGKILL and reap; safe on a stopped QEMU.  Removes its files. */
static void qemu_kill(struct qemu *q)
{
	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		qemu_reap(q, true);
	}
	qemu_close_fds(q);
	if (q->qmp_path[0])
		unlink(q->qmp_path);
	if (q->err_path[0])
		unlink(q->err_path);
	q->qmp_path[0] = q->err_path[0] = '\0';
}

/* the next QMP reply ({"return"...} or {"error"...}), events skipped */
static char *qmp_reply(struct qemu *q)
{
	for (;;) {
		char *line = lines_next(&q->qmp, TIMEOUT_MS);

		if (!line)
			return NULL;
		if (strstr(line, "\"return\"") || strstr(line, "\"error\""))
			return line;
	}
}

static int qmp_connect(struct qemu *q)
{
	int64_t deadline = now_ms() + TIMEOUT_MS;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *caps = "{\"execute\": \"qmp_capabilities\"}\n";
	char *line;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", q->qmp_path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		if (qemu_reap(q, false))
			return -ECHILD;		/* QEMU exited at startup */
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
	lines_init(&q->qmp, fd);
	/* the greeting comes once the machine is created */
	line = lines_next(&q->qmp, TIMEOUT_MS);
	if (!line)
		return -errno;
	if (!strstr(line, "\"QMP\""))
		return -EPROTO;
	if (write_all(fd, caps, strlen(caps)))
		return -EIO;
	line = qmp_reply(q);
	if (!line)
		return -errno;
	return strstr(line, "\"return\"") ? 0 : -EPROTO;
}

/*
 * Start QEMU on one vGPU at 00:04.0, id "gpu0": under qtest (qtest) or as a
 * TCG machine running SeaBIOS.  Returns once QMP has greeted us, that is,
 * once the machine and the vGPU are realized: 0, or a negative errno
 * (-ECHILD: QEMU exited, see its stderr).
 */
static int qemu_start(struct qemu *q, const char *name, const char *uuid,
		      bool qtest)
{
	static unsigned int seq;
	char dev[256], qmp[160];
	const char *argv[32];
	int in[2], out[2], err, n = 0, ret;
	pid_t pid;

	memset(q, 0, sizeof(*q));
	q->name = name;
	q->in = -1;
	q->out.fd = q->qmp.fd = -1;
	snprintf(q->err_path, sizeof(q->err_path), "/tmp/mvgpu-qemu-%d-%u.err",
		 getpid(), seq);
	snprintf(q->qmp_path, sizeof(q->qmp_path), "/tmp/mvgpu-qemu-%d-%u.qmp",
		 getpid(), seq++);
	unlink(q->qmp_path);
	snprintf(dev, sizeof(dev),
		 "vfio-pci,sysfsdev=" MT_MDEV_DEVICES "/%s,addr=%02x.0,id=gpu0",
		 uuid, GPU_SLOT);
	snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", q->qmp_path);

	argv[n++] = QEMU_BIN;
	argv[n++] = "-machine";
	argv[n++] = "pc";
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-m";
	argv[n++] = "64";
	argv[n++] = "-L";
	argv[n++] = "/usr/share/seabios";
	if (qtest) {
		/*
		 * Debian's QEMU has no qtest accelerator: -qtest gives the
		 * protocol, but the CPU would run SeaBIOS under TCG and
		 * reprogram the BARs under our feet.  -S keeps it stopped.
		 */
		argv[n++] = "-S";
		argv[n++] = "-qtest";
		argv[n++] = "stdio";
		argv[n++] = "-qtest-log";
		argv[n++] = "/dev/null";
	} else {
		argv[n++] = "-accel";
		argv[n++] = "tcg";
	}
	argv[n++] = "-qmp";
	argv[n++] = qmp;
	argv[n++] = "-device";
	argv[n++] = dev;
	argv[n] = NULL;

	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		ret = -errno;
		goto err_in;
	}
	err = open(q->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (err < 0) {
		ret = -errno;
		goto err_out;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(err);
		goto err_out;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(126);
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	q->pid = pid;
	close(err);
	close(in[0]);
	close(out[1]);
	q->in = in[1];
	lines_init(&q->out, out[0]);
	ret = qmp_connect(q);
	if (ret && q->pid > 0)
		qemu_kill(q);
	return ret;
err_out:
	close(out[0]);
	close(out[1]);
err_in:
	close(in[0]);
	close(in[1]);
	return ret;
}

/* start, or fail the test with what QEMU said */
static void qemu_start_ok(struct qemu *q, const char *name, const char *uuid,
			  bool qtest)
{
	int ret = qemu_start(q, name, uuid, qtest);

	if (ret) {
		const char *err = qemu_stderr(q);

		fail_msg("%s: QEMU did not come up (%s), exit status 0x%x, stderr:\n%s",
			 name, strerror(-ret), q->exit_status, err);
	}
}

/* "quit" over QMP and wait for the exit: its status, or -1 (then killed) */
static int qemu_quit(struct qemu *q)
{
	const char *quit = "{\"execute\": \"quit\"}\n";
	int64_t deadline = now_ms() + TIMEOUT_MS;

	if (q->pid <= 0)
		return -1;
	if (write_all(q->qmp.fd, quit, strlen(quit)))
		goto kill;
	while (!qemu_reap(q, false)) {
		if (now_ms() > deadline)
			goto kill;
		sleep_ms(20);
	}
	qemu_close_fds(q);
	return q->exit_status;
kill:
	kill(q->pid, SIGKILL);
	qemu_reap(q, true);
	qemu_close_fds(q);
	return -1;
}

/* record "IRQ raise N" / "IRQ lower N"; false for any other line */
static bool qt_irq_line(struct qemu *q, const char *line)
{
	int gsi;

	if (sscanf(line, "IRQ raise %d", &gsi) == 1 && gsi >= 0 &&
	    gsi < QEMU_MAX_GSI) {
		q->irq_level[gsi] = 1;
		q->irq_raised[gsi]++;
		return true;
	}
	if (sscanf(line, "IRQ lower %d", &gsi) == 1 && gsi >= 0 &&
	    gsi < QEMU_MAX_GSI) {
		q->irq_level[gsi] = 0;
		return true;
	}
	return false;
}

/*
 * One qtest command; the reply line (IRQ messages on the way recorded) or
 * NULL with errno.  The reply is valid until the next command.
 */
static char *qt_cmd_str(struct qemu *q, const char *cmd)
{
	char *line;

	if (q->pid <= 0) {
		errno = ESRCH;
		return NULL;
	}
	if (write_all(q->in, cmd, strlen(cmd)) || write_all(q->in, "\n", 1))
		return NULL;
	for (;;) {
		line = lines_next(&q->out, TIMEOUT_MS);
		if (!line || !qt_irq_line(q, line))
			return line;
	}
}

/* a qtest command that must answer OK; the reply's value, if any */
static uint64_t qt(struct qemu *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static uint64_t qt(struct qemu *q, const char *fmt, ...)
{
	char cmd[256];
	const char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = qt_cmd_str(q, cmd);
	if (!r) {
		fail_msg("%s: qtest '%s': no reply (%s); QEMU stderr:\n%s",
			 q->name, cmd, strerror(errno), qemu_stderr(q));
		return 0;
	}
	if (strncmp(r, "OK", 2))
		fail_msg("%s: qtest '%s' answered '%s'", q->name, cmd, r);
	return strtoull(r + 2, NULL, 0);
}

static uint32_t qt_inl(struct qemu *q, uint16_t port)
{
	return qt(q, "inl 0x%x", port);
}

static uint32_t qt_readl(struct qemu *q, uint64_t gpa)
{
	return qt(q, "readl 0x%" PRIx64, gpa);
}

static uint64_t qt_readq(struct qemu *q, uint64_t gpa)
{
	return qt(q, "readq 0x%" PRIx64, gpa);
}

static void qt_writel(struct qemu *q, uint64_t gpa, uint32_t val)
{
	qt(q, "writel 0x%" PRIx64 " 0x%x", gpa, val);
}

static void qt_writeq(struct qemu *q, uint64_t gpa, uint64_t val)
{
	qt(q, "writeq 0x%" PRIx64 " 0x%" PRIx64, gpa, val);
}

/* guest physical memory: write and read any length */
static void qt_write(struct qemu *q, uint64_t gpa, const void *buf, size_t len)
{
	size_t cmd_len = 64 + 2 * len, i, n;
	char *cmd = malloc(cmd_len);
	const uint8_t *p = buf;
	const char *r;

	assert_non_null(cmd);
	n = snprintf(cmd, cmd_len, "write 0x%" PRIx64 " 0x%zx 0x", gpa, len);
	for (i = 0; i < len; i++)
		n += snprintf(cmd + n, cmd_len - n, "%02x", p[i]);
	r = qt_cmd_str(q, cmd);
	free(cmd);
	if (!r || strcmp(r, "OK"))
		fail_msg("%s: qtest write of %zu bytes at 0x%" PRIx64 ": %s",
			 q->name, len, gpa, r ? r : strerror(errno));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void qt_read(struct qemu *q, uint64_t gpa, void *buf, size_t len)
{
	char cmd[96];
	const char *r;
	uint8_t *p = buf;
	size_t i;

	snprintf(cmd, sizeof(cmd), "read 0x%" PRIx64 " 0x%zx", gpa, len);
	r = qt_cmd_str(q, cmd);
	if (!r || strncmp(r, "OK 0x", 5) || strlen(r) != 5 + 2 * len)
		fail_msg("%s: qtest '%s': %.80s", q->name, cmd,
			 r ? r : strerror(errno));
	for (i = 0; i < len; i++) {
		int hi = hexval(r[5 + 2 * i]), lo = hexval(r[6 + 2 * i]);

		assert_true(hi >= 0 && lo >= 0);
		p[i] = hi << 4 | lo;
	}
}

/* wait for the raise count of gsi to pass 'seen'; false on timeout */
static bool qt_wait_raise(struct qemu *q, int gsi, unsigned int seen)
{
	int64_t deadline = now_ms() + TIMEOUT_MS;

	while (q->irq_raised[gsi] <= seen) {
		int64_t left = deadline - now_ms();
		const char *line;

		if (left <= 0)
			return false;
		line = lines_next(&q->out, (int)left);
		if (!line)
			return false;
		if (!qt_irq_line(q, line))
			fail_msg("%s: unexpected qtest line '%s'", q->name, line);
	}
	return true;
}

/* ---------------------- guest PCI configuration ---------------------- */

static uint32_t cfg_addr(unsigned int slot, unsigned int off)
{
	return 0x80000000u | slot << 11 | (off & 0xfc);
}

static uint32_t cfg_read32(struct qemu *q, unsigned int slot, unsigned int off)
{
	qt(q, "outl 0xcf8 0x%x", cfg_addr(slot, off));
	return qt_inl(q, 0xcfc);
}

static uint16_t cfg_read16(struct qemu *q, unsigned int slot, unsigned int off)
{
	qt(q, "outl 0xcf8 0x%x", cfg_addr(slot, off));
	return qt(q, "inw 0x%x", 0xcfc + (off & 2));
}

static uint8_t cfg_read8(struct qemu *q, unsigned int slot, unsigned int off)
{
	qt(q, "outl 0xcf8 0x%x", cfg_addr(slot, off));
	return qt(q, "inb 0x%x", 0xcfc + (off & 3));
}

static void cfg_write32(struct qemu *q, unsigned int slot, unsigned int off,
			uint32_t val)
{
	qt(q, "outl 0xcf8 0x%x", cfg_addr(slot, off));
	qt(q, "outl 0xcfc 0x%x", val);
}

static void cfg_write16(struct qemu *q, unsigned int slot, unsigned int off,
			uint16_t val)
{
	qt(q, "outl 0xcf8 0x%x", cfg_addr(slot, off));
	qt(q, "outw 0x%x 0x%x", 0xcfc + (off & 2), val);
}

static void cfg_write8(struct qemu *q, unsigned int slot, unsigned int off,
		       uint8_t val)
{
	qt(q, "outl 0xcf8 0x%x", cfg_addr(slot, off));
	qt(q, "outb 0x%x 0x%x", 0xcfc + (off & 3), val);
}

/* --------------------------- QMP / HMP ------------------------------- */

/* the text of a {"return": "..."} line, unescaped, malloc'd; or NULL */
static char *qmp_return_string(const char *line)
{
	const char *p = strstr(line, "\"return\"");
	char *out, *o;

	if (!p)
		return NULL;
	p += strlen("\"return\"");
	while (*p == ' ' || *p == ':')
		p++;
	if (*p++ != '"')
		return NULL;
	out = malloc(strlen(p) + 1);
	if (!out)
		return NULL;
	for (o = out; *p && *p != '"'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':	/* \uXXXX: only ASCII matters here */
			*o++ = (char)strtol((char[]){ p[1], p[2], p[3], p[4], 0 },
					    NULL, 16);
			p += 4;
			break;
		case '\0':
			p--;
			break;
		default:	/* \" \\ \/ */
			*o++ = *p;
			break;
		}
	}
	*o = '\0';
	return out;
}

/* an HMP command through QMP human-monitor-command; malloc'd output */
static char *hmp(struct qemu *q, const char *cmd)
{
	char req[256];
	const char *line;
	char *text;

	snprintf(req, sizeof(req),
		 "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"%s\"}}\n",
		 cmd);
	if (write_all(q->qmp.fd, req, strlen(req)))
		fail_msg("%s: QMP write failed", q->name);
	line = qmp_reply(q);
	text = line ? qmp_return_string(line) : NULL;
	if (!text)
		fail_msg("%s: QMP '%s': %s", q->name, cmd,
			 line ? line : strerror(errno));
	return text;
}

/* the "info pci" block of the device with qdev id "gpu0", malloc'd */
static char *info_pci_gpu(struct qemu *q)
{
	char *all = hmp(q, "info pci"), *end, *start, *block;

	end = strstr(all, "id \"gpu0\"");
	if (!end)
		fail_msg("%s: no id \"gpu0\" in info pci:\n%s", q->name, all);
	*end = '\0';
	start = strstr(all, "  Bus ");
	while (start) {
		char *next = strstr(start + 1, "  Bus ");

		if (!next)
			break;
		start = next;
	}
	block = strdup(start ? start : all);
	free(all);
	assert_non_null(block);
	return block;
}

/* ---------------------------- helpers -------------------------------- */

static void pattern(void *buf, size_t len, uint32_t seed)
{
	uint32_t *p = buf, x = seed | 1;
	size_t i;

	for (i = 0; i < len / 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
}

static void expect_bytes(const char *what, const void *got, const void *want,
			 size_t len)
{
	const uint8_t *g = got, *w = want;
	size_t i;

	for (i = 0; i < len; i++)
		if (g[i] != w[i])
			fail_msg("%s: byte %zu is 0x%02x, want 0x%02x", what, i,
				 g[i], w[i]);
}

static const char *vgpu_state(const char *uuid)
{
	static char buf[64];
	char path[256];

	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/state", uuid);
	if (mt_read_str(path, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "(unreadable)");
	return buf;
}

/* poll the vGPU's state until it is 'want'; false on timeout */
static bool vgpu_wait_state(const char *uuid, const char *want)
{
	int64_t deadline = now_ms() + TIMEOUT_MS;

	while (strcmp(vgpu_state(uuid), want)) {
		if (now_ms() > deadline)
			return false;
		sleep_ms(20);
	}
	return true;
}

static uint64_t vgpu_vram_size(const char *uuid)
{
	uint64_t v = 0;

	assert_int_equal(mt_readf_u64(&v, MT_MDEV_DEVICES "/%s/mvgpu/vram_size",
				      uuid), 0);
	return v;
}

/*
 * What a BIOS does: route every PIIX3 PIRQ to GSI 11, give the vGPU its
 * interrupt line, BAR0 at BAR0_GPA, the VRAM BAR at VRAM_GPA, then turn on
 * memory decoding and bus mastering.
 */
static void guest_setup(struct qemu *q)
{
	cfg_write32(q, PIIX3_SLOT, PIIX3_PIRQRC, GUEST_GSI * 0x01010101u);
	cfg_write8(q, GPU_SLOT, PCI_INTERRUPT_LINE, GUEST_GSI);
	cfg_write32(q, GPU_SLOT, PCI_BASE_ADDRESS_0, (uint32_t)BAR0_GPA);
	cfg_write32(q, GPU_SLOT, PCI_BASE_ADDRESS_1, BAR0_GPA >> 32);
	cfg_write32(q, GPU_SLOT, PCI_BASE_ADDRESS_2, (uint32_t)VRAM_GPA);
	cfg_write32(q, GPU_SLOT, PCI_BASE_ADDRESS_3, VRAM_GPA >> 32);
	cfg_write16(q, GPU_SLOT, PCI_COMMAND,
		    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (qt_readl(q, BAR0_GPA + MVGPU_REG_ID) != MVGPU_ID_MAGIC)
		fail_msg("%s: BAR0 ID reads 0x%08x after setup", q->name,
			 qt_readl(q, BAR0_GPA + MVGPU_REG_ID));
}

static uint32_t reg32(struct qemu *q, uint32_t off)
{
	return qt_readl(q, BAR0_GPA + off);
}

static uint64_t reg64(struct qemu *q, uint32_t off)
{
	return qt_readq(q, BAR0_GPA + off);
}

static void put_cmd(struct qemu *q, unsigned int slot,
		    const struct mvgpu_cmd *c)
{
	qt_write(q, VRAM_GPA + RING_VA + slot * MVGPU_CMD_SIZE, c, sizeof(*c));
}

/*
 * From the guest: FILL [FILL_VA, +FILL_SIZE) with 'fill', then a FENCE of
 * 'fence' (IRQ and WRITE_MEM to FENCE_VA), ring at RING_VA.  Waits for
 * RING_HEAD to reach the tail and checks FENCE, the fence write and every
 * byte of the fill and of a page on each side of it.
 */
static void guest_fill_fence(struct qemu *q, struct mvgpu_cmd cmds[2],
			     uint32_t fill, uint64_t fence)
{
	size_t span = FILL_SIZE + 2 * 4096, i;
	uint8_t *want = malloc(span), *got = malloc(span);
	int64_t deadline = now_ms() + TIMEOUT_MS;
	uint64_t zero = 0, fence_mem = 0;
	uint32_t head;

	assert_non_null(want);
	assert_non_null(got);
	/* the surroundings and the fence slot get known contents first */
	memset(want, 0x5a, span);
	qt_write(q, VRAM_GPA + FILL_VA - 4096, want, span);
	qt_write(q, VRAM_GPA + FENCE_VA, &zero, sizeof(zero));
	for (i = 0; i < FILL_SIZE / 4; i++)
		memcpy(want + 4096 + 4 * i, &fill, 4);

	memset(cmds, 0, 2 * sizeof(*cmds));
	cmds[0].opcode = MVGPU_OP_FILL;
	cmds[0].dst = FILL_VA;
	cmds[0].size = FILL_SIZE;
	cmds[0].value = fill;
	cmds[1].opcode = MVGPU_OP_FENCE;
	cmds[1].flags = MVGPU_CMD_F_IRQ | MVGPU_CMD_F_WRITE_MEM;
	cmds[1].dst = FENCE_VA;
	cmds[1].value = fence;
	put_cmd(q, 0, &cmds[0]);
	put_cmd(q, 1, &cmds[1]);

	qt_writel(q, BAR0_GPA + MVGPU_REG_RING_SIZE, 0);
	qt_writeq(q, BAR0_GPA + MVGPU_REG_RING_BASE, RING_VA);
	qt_writel(q, BAR0_GPA + MVGPU_REG_RING_SIZE, MVGPU_RING_MIN_SIZE);
	assert_int_equal(reg32(q, MVGPU_REG_RING_HEAD), 0);
	qt_writel(q, BAR0_GPA + MVGPU_REG_RING_TAIL, 2 * MVGPU_CMD_SIZE);
	while ((head = reg32(q, MVGPU_REG_RING_HEAD)) != 2 * MVGPU_CMD_SIZE) {
		if (reg32(q, MVGPU_REG_STATUS) & MVGPU_STATUS_FAULTED)
			fail_msg("%s: the ring faulted: FAULT_STATUS 0x%x at head %u",
				 q->name, reg32(q, MVGPU_REG_FAULT_STATUS), head);
		if (now_ms() > deadline)
			fail_msg("%s: RING_HEAD stuck at %u: RING_TAIL %u RING_SIZE %u STATUS 0x%x ID 0x%x COMMAND 0x%x",
				 q->name, head, reg32(q, MVGPU_REG_RING_TAIL),
				 reg32(q, MVGPU_REG_RING_SIZE),
				 reg32(q, MVGPU_REG_STATUS), reg32(q, MVGPU_REG_ID),
				 cfg_read16(q, GPU_SLOT, PCI_COMMAND));
		sleep_ms(10);
	}
	if (reg64(q, MVGPU_REG_FENCE) != fence)
		fail_msg("%s: RING_HEAD %u but FENCE 0x%" PRIx64 ", want 0x%" PRIx64
			 "; again: FENCE 0x%" PRIx64 " RING_HEAD %u STATUS 0x%x CMDS_DONE %" PRIu64,
			 q->name, head, reg64(q, MVGPU_REG_FENCE), fence,
			 reg64(q, MVGPU_REG_FENCE), reg32(q, MVGPU_REG_RING_HEAD),
			 reg32(q, MVGPU_REG_STATUS), reg64(q, MVGPU_REG_CMDS_DONE));
	qt_read(q, VRAM_GPA + FENCE_VA, &fence_mem, sizeof(fence_mem));
	assert_int_equal(fence_mem, fence);
	qt_read(q, VRAM_GPA + FILL_VA - 4096, got, span);
	expect_bytes("FILL result read through the VRAM BAR (from 4 KiB before it)",
		     got, want, span);
	free(want);
	free(got);
}

/* ------------------------------------------------------------------ */
/* State shared by the tests                                           */
/* ------------------------------------------------------------------ */

#define QEMU_INIT { .in = -1, .out = { .fd = -1 }, .qmp = { .fd = -1 } }
static struct qemu q_main = QEMU_INIT, q_fw = QEMU_INIT, q_a = QEMU_INIT,
	q_b = QEMU_INIT, q_again = QEMU_INIT;
static struct qemu *all_qemus[] = { &q_main, &q_fw, &q_a, &q_b, &q_again };
static char uuid_main[MT_UUID_LEN], uuid_fw[MT_UUID_LEN];
static char uuid_a[MT_UUID_LEN], uuid_b[MT_UUID_LEN];
static char *all_uuids[] = { uuid_main, uuid_fw, uuid_a, uuid_b };
static char stderr_at_realize[8192];
static bool main_bars_set;
static uint8_t pattern_a[4096], pattern_b[4096];

static void need(const struct qemu *q, bool cond, const char *what)
{
	if (q->pid <= 0)
		fail_msg("%s: QEMU is not running (an earlier test failed)",
			 q->name);
	if (!cond)
		fail_msg("%s: needs %s (an earlier test failed)", q->name, what);
}

static int group_teardown(void **state)
{
	unsigned int i;

	for (i = 0; i < sizeof(all_qemus) / sizeof(all_qemus[0]); i++)
		qemu_kill(all_qemus[i]);
	for (i = 0; i < sizeof(all_uuids) / sizeof(all_uuids[0]); i++)
		if (all_uuids[i][0] && mt_exists(MT_MDEV_DEVICES "/%s",
						  all_uuids[i]))
			mt_remove(all_uuids[i]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* One QEMU, the guest played through qtest                             */
/* ------------------------------------------------------------------ */

static void test_realize_without_warnings(void **state)
{
	const char *err;

	assert_int_equal(mt_create_new(0, 4, uuid_main), 0);
	qemu_start_ok(&q_main, "qemu", uuid_main, true);
	/* the vGPU answers at 00:04.0: QEMU realized it */
	assert_int_equal(cfg_read32(&q_main, GPU_SLOT, PCI_VENDOR_ID),
			 MVGPU_PCI_DEVICE_ID << 16 | MVGPU_PCI_VENDOR_ID);
	assert_string_equal(vgpu_state(uuid_main), "open");
	err = qemu_stderr(&q_main);
	snprintf(stderr_at_realize, sizeof(stderr_at_realize), "%s", err);
	if (strstr(err, "Could not enable error recovery"))
		fail_msg("QEMU printed on stderr while realizing the vGPU:\n%s"
			 "(QEMU warns so when VFIO_DEVICE_GET_IRQ_INFO for the ERR index succeeds with a count other than 1; vfio-pci fails it with -EINVAL on a conventional PCI device)",
			 err);
	if (err[0])
		fail_msg("QEMU printed on stderr while realizing the vGPU:\n%s",
			 err);
}

static void test_guest_config_identity(void **state)
{
	struct qemu *q = &q_main;
	uint8_t pm, msi;

	need(q, true, "");
	assert_int_equal(cfg_read16(q, GPU_SLOT, PCI_VENDOR_ID),
			 MVGPU_PCI_VENDOR_ID);
	assert_int_equal(cfg_read16(q, GPU_SLOT, PCI_DEVICE_ID),
			 MVGPU_PCI_DEVICE_ID);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_CLASS_REVISION),
			 MVGPU_PCI_CLASS_CODE << 8 | MVGPU_PCI_REVISION);
	assert_int_equal(cfg_read8(q, GPU_SLOT, PCI_HEADER_TYPE), 0);
	assert_int_equal(cfg_read16(q, GPU_SLOT, PCI_SUBSYSTEM_VENDOR_ID),
			 MVGPU_PCI_SUBSYS_VENDOR_ID);
	assert_int_equal(cfg_read16(q, GPU_SLOT, PCI_SUBSYSTEM_ID),
			 MVGPU_PCI_SUBSYS_ID_BASE | 4);
	assert_int_equal(cfg_read8(q, GPU_SLOT, PCI_INTERRUPT_PIN), 1);
	assert_true(cfg_read16(q, GPU_SLOT, PCI_STATUS) & PCI_STATUS_CAP_LIST);
	/* the capability list: PM at 0x40, then MSI at 0x48, then the end */
	pm = cfg_read8(q, GPU_SLOT, PCI_CAPABILITY_LIST);
	assert_int_equal(pm, MVGPU_CFG_PM_CAP);
	assert_int_equal(cfg_read8(q, GPU_SLOT, pm), PCI_CAP_ID_PM);
	msi = cfg_read8(q, GPU_SLOT, pm + 1);
	assert_int_equal(msi, MVGPU_CFG_MSI_CAP);
	assert_int_equal(cfg_read8(q, GPU_SLOT, msi), PCI_CAP_ID_MSI);
	assert_int_equal(cfg_read8(q, GPU_SLOT, msi + 1), 0);
	assert_int_equal(cfg_read16(q, GPU_SLOT, msi + PCI_MSI_FLAGS) &
			 PCI_MSI_FLAGS_64BIT, PCI_MSI_FLAGS_64BIT);
}

static void test_guest_bar_sizing_and_assignment(void **state)
{
	struct qemu *q = &q_main;
	uint64_t vram = vgpu_vram_size(uuid_main);
	unsigned int off;

	need(q, true, "");
	assert_int_equal(vram, 64ull << 20);
	/* sizing as a BIOS does it: write all ones, read the mask back */
	for (off = PCI_BASE_ADDRESS_0; off <= PCI_BASE_ADDRESS_5; off += 4)
		cfg_write32(q, GPU_SLOT, off, 0xffffffff);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_0),
			 (uint32_t)~(MVGPU_BAR0_SIZE - 1) |
			 PCI_BASE_ADDRESS_MEM_TYPE_64);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_1), 0xffffffff);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_2),
			 (uint32_t)~(vram - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64 |
			 PCI_BASE_ADDRESS_MEM_PREFETCH);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_3), 0xffffffff);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_4), 0);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_5), 0);
	cfg_write32(q, GPU_SLOT, PCI_ROM_ADDRESS, 0xfffff800);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_ROM_ADDRESS), 0);

	guest_setup(q);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_0),
			 (uint32_t)BAR0_GPA | PCI_BASE_ADDRESS_MEM_TYPE_64);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_1), 0);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_2),
			 (uint32_t)VRAM_GPA | PCI_BASE_ADDRESS_MEM_TYPE_64 |
			 PCI_BASE_ADDRESS_MEM_PREFETCH);
	assert_int_equal(cfg_read32(q, GPU_SLOT, PCI_BASE_ADDRESS_3),
			 VRAM_GPA >> 32);
	assert_int_equal(cfg_read16(q, GPU_SLOT, PCI_COMMAND) &
			 (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	main_bars_set = true;
}

static void test_guest_bar0_registers(void **state)
{
	struct qemu *q = &q_main;
	uint64_t engines = 0;

	need(q, main_bars_set, "the BARs programmed");
	assert_int_equal(mt_readf_u64(&engines, MT_CLASS "/%s/engines",
				      mt_gpu_name(0)), 0);
	assert_int_equal(reg32(q, MVGPU_REG_ID), MVGPU_ID_MAGIC);
	assert_int_equal(reg32(q, MVGPU_REG_VERSION), MVGPU_VERSION);
	assert_int_equal(reg32(q, MVGPU_REG_CAPS), 0x3f);
	assert_int_equal(reg32(q, MVGPU_REG_TYPE_DIVISOR), 4);
	assert_int_equal(reg64(q, MVGPU_REG_VRAM_SIZE), vgpu_vram_size(uuid_main));
	assert_int_equal(reg32(q, MVGPU_REG_ENGINES), engines);
	assert_int_equal(reg32(q, MVGPU_REG_SHARE_PERMILLE), 250);
	assert_int_equal(reg32(q, MVGPU_REG_INT_MASK), MVGPU_INT_ALL);
	assert_int_equal(reg32(q, MVGPU_REG_STATUS), 0);
	/* guest MMIO writes reach the registers: SCRATCH, 64 and 32 bits */
	qt_writeq(q, BAR0_GPA + MVGPU_REG_SCRATCH, 0x0123456789abcdefull);
	assert_int_equal(reg64(q, MVGPU_REG_SCRATCH), 0x0123456789abcdefull);
	qt_writel(q, BAR0_GPA + MVGPU_REG_SCRATCH + 4, 0xfeedface);
	assert_int_equal(reg64(q, MVGPU_REG_SCRATCH), 0xfeedface89abcdefull);
	assert_int_equal(reg32(q, MVGPU_REG_SCRATCH), 0x89abcdef);
}

static void test_guest_vram_through_bar(void **state)
{
	struct qemu *q = &q_main;
	uint64_t vram = vgpu_vram_size(uuid_main);
	const uint64_t offs[] = { 0, PATTERN_VA, vram / 2 + 12288, vram - 4096 };
	static uint8_t want[4096], got[4096];
	unsigned int i;

	need(q, main_bars_set, "the BARs programmed");
	for (i = 0; i < 4; i++) {
		pattern(want, sizeof(want), 0x9e3779b9u * (i + 1));
		qt_write(q, VRAM_GPA + offs[i], want, sizeof(want));
	}
	for (i = 0; i < 4; i++) {
		char what[96];

		pattern(want, sizeof(want), 0x9e3779b9u * (i + 1));
		qt_read(q, VRAM_GPA + offs[i], got, sizeof(got));
		snprintf(what, sizeof(what), "VRAM page at 0x%" PRIx64, offs[i]);
		expect_bytes(what, got, want, sizeof(want));
	}
	/* single guest loads and stores of 4 and 8 bytes */
	qt_writel(q, VRAM_GPA + 0x8000, 0xdeadbeef);
	qt_writel(q, VRAM_GPA + 0x8004, 0x0badf00d);
	assert_int_equal(qt_readq(q, VRAM_GPA + 0x8000), 0x0badf00ddeadbeefull);
	qt_writeq(q, VRAM_GPA + vram - 8, 0x1122334455667788ull);
	assert_int_equal(qt_readl(q, VRAM_GPA + vram - 4), 0x11223344);
	assert_int_equal(qt_readl(q, VRAM_GPA + vram - 8), 0x55667788);
}

/*
 * A vGPU on a PCI parent ($MVGPU_TEST_PARENT names a PCI address): what
 * the guest wrote through the VRAM BAR is in the physical BAR (the parent's
 * resource0, mapped as iomem=relaxed allows) at the vGPU's own slices, and
 * what is written there the guest reads back through QEMU.
 */
static void test_guest_vram_in_physical_bar(void **state)
{
	struct qemu *q = &q_main;
	uint64_t vram = vgpu_vram_size(uuid_main);
	const uint64_t offs[] = { 0, PATTERN_VA, vram / 2 + 12288, vram - 4096 };
	static uint8_t want[4096], got[4096];
	const uint64_t last8 = 0x1122334455667788ull;	/* little endian */
	uint64_t slice[64], bar_size, slice_size, off;
	char path[256], buf[2048], what[128], *p, *end;
	const char *parent = mt_parent(0);
	unsigned int i, n = 0;
	struct stat st;
	uint8_t *bar;
	int fd;

	if (!strchr(parent, ':'))
		fail_msg("%s is not a PCI parent: no physical BAR", parent);
	need(q, main_bars_set, "the BARs programmed");
	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/%s", uuid_main,
		 MVGPU_ATTR_VRAM_SLICES);
	assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
	for (p = buf; *p && n < 64; p = end) {
		slice[n] = strtoull(p, &end, 0);
		if (end == p)
			break;
		n++;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", parent);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		fail_msg("open %s: %s", path, strerror(errno));
	bar_size = (uint64_t)st.st_size;
	slice_size = bar_size / 64;	/* MVGPU_SLICES */
	bar = mmap(NULL, bar_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (bar == MAP_FAILED)
		fail_msg("mmap %s (%" PRIu64 " bytes): %s (iomem=relaxed?)",
			 path, bar_size, strerror(errno));
	if (!slice_size || n != vram / slice_size) {
		munmap(bar, bar_size);
		fail_msg("%s lists %u slices of %" PRIu64 " bytes for %" PRIu64 " bytes of VRAM",
			 MVGPU_ATTR_VRAM_SLICES, n, slice_size, vram);
	}
	printf("# %s: vGPU VRAM 0 is at physical BAR offset %#" PRIx64 "\n",
	       parent, slice[0]);
	/* the pages test_guest_vram_through_bar wrote, in the physical BAR */
	for (i = 0; i < 4; i++) {
		off = slice[offs[i] / slice_size] + offs[i] % slice_size;
		pattern(want, sizeof(want), 0x9e3779b9u * (i + 1));
		if (i == 3)	/* and the guest's 8-byte store at vram - 8 */
			memcpy(want + sizeof(want) - 8, &last8, 8);
		memcpy(got, bar + off, sizeof(got));
		snprintf(what, sizeof(what),
			 "physical BAR at 0x%" PRIx64 " (vGPU VRAM 0x%" PRIx64 ")",
			 off, offs[i]);
		expect_bytes(what, got, want, sizeof(want));
	}
	/* written in the physical BAR, read by the guest through QEMU */
	for (i = 0; i < 4; i++) {
		off = slice[offs[i] / slice_size] + offs[i] % slice_size;
		pattern(want, sizeof(want), 0x7f4a7c15u * (i + 1));
		memcpy(bar + off, want, sizeof(want));
	}
	for (i = 0; i < 4; i++) {
		pattern(want, sizeof(want), 0x7f4a7c15u * (i + 1));
		qt_read(q, VRAM_GPA + offs[i], got, sizeof(got));
		snprintf(what, sizeof(what),
			 "guest VRAM page at 0x%" PRIx64 " after a physical write",
			 offs[i]);
		expect_bytes(what, got, want, sizeof(want));
	}
	munmap(bar, bar_size);
}

static void test_guest_intx_software_interrupt(void **state)
{
	struct qemu *q = &q_main;
	int64_t deadline = now_ms() + TIMEOUT_MS;
	unsigned int seen;

	need(q, main_bars_set, "the BARs programmed");
	qt(q, "irq_intercept_in ioapic");
	qt_writel(q, BAR0_GPA + MVGPU_REG_INT_MASK, 0);
	assert_int_equal(reg32(q, MVGPU_REG_INT_STATUS), 0);
	assert_false(cfg_read16(q, GPU_SLOT, PCI_STATUS) & PCI_STATUS_INTERRUPT);

	seen = q->irq_raised[GUEST_GSI];
	qt_writel(q, BAR0_GPA + MVGPU_REG_SW_INT, 1);
	if (!qt_wait_raise(q, GUEST_GSI, seen))
		fail_msg("no 'IRQ raise %d' after the SW_INT write", GUEST_GSI);
	/* config space shows the asserted line; no BAR access in between */
	assert_true(cfg_read16(q, GPU_SLOT, PCI_STATUS) & PCI_STATUS_INTERRUPT);
	/* the guest's handler: read the cause, acknowledge it */
	assert_int_equal(reg32(q, MVGPU_REG_INT_STATUS), MVGPU_INT_SOFTWARE);
	qt_writel(q, BAR0_GPA + MVGPU_REG_INT_ACK, MVGPU_INT_SOFTWARE);
	/*
	 * The line goes down once QEMU has seen a BAR access with nothing
	 * pending (its end-of-interrupt path); an eventfd still in flight from
	 * before the ack can raise it once more, the next access lowers it.
	 */
	while (reg32(q, MVGPU_REG_INT_STATUS) != 0 ||
	       q->irq_level[GUEST_GSI]) {
		if (now_ms() > deadline)
			fail_msg("INTx still up after INT_ACK: INT_STATUS 0x%x, level %d",
				 reg32(q, MVGPU_REG_INT_STATUS),
				 q->irq_level[GUEST_GSI]);
		sleep_ms(10);
	}
	assert_false(cfg_read16(q, GPU_SLOT, PCI_STATUS) & PCI_STATUS_INTERRUPT);

	/* INTx was unmasked again: a second interrupt arrives too */
	seen = q->irq_raised[GUEST_GSI];
	qt_writel(q, BAR0_GPA + MVGPU_REG_SW_INT, 1);
	if (!qt_wait_raise(q, GUEST_GSI, seen))
		fail_msg("no second 'IRQ raise %d' after SW_INT", GUEST_GSI);
	assert_int_equal(reg32(q, MVGPU_REG_INT_STATUS), MVGPU_INT_SOFTWARE);
	qt_writel(q, BAR0_GPA + MVGPU_REG_INT_ACK, MVGPU_INT_SOFTWARE);
	assert_int_equal(reg32(q, MVGPU_REG_INT_STATUS), 0);
}

static void test_guest_fill_and_fence(void **state)
{
	struct qemu *q = &q_main;
	struct mvgpu_cmd cmds[2];
	unsigned int seen;

	need(q, main_bars_set, "the BARs programmed");
	qt(q, "irq_intercept_in ioapic");
	qt_writel(q, BAR0_GPA + MVGPU_REG_INT_MASK, 0);
	seen = q->irq_raised[GUEST_GSI];
	guest_fill_fence(q, cmds, 0xa5c3f00d, 0x1122334455667788ull);
	/* the commands the device ran are the bytes the guest wrote */
	{
		struct mvgpu_cmd back[2];

		qt_read(q, VRAM_GPA + RING_VA, back, sizeof(back));
		expect_bytes("ring slots read back", back, cmds, sizeof(back));
	}
	assert_int_equal(reg32(q, MVGPU_REG_RING_TAIL), 2 * MVGPU_CMD_SIZE);
	assert_int_equal(reg32(q, MVGPU_REG_STATUS) & MVGPU_STATUS_FAULTED, 0);
	/* the FENCE's IRQ flag: INT_STATUS.FENCE and the INTx line */
	if (!qt_wait_raise(q, GUEST_GSI, seen))
		fail_msg("no 'IRQ raise %d' after the FENCE with IRQ", GUEST_GSI);
	assert_int_equal(reg32(q, MVGPU_REG_INT_STATUS) & MVGPU_INT_FENCE,
			 MVGPU_INT_FENCE);
	qt_writel(q, BAR0_GPA + MVGPU_REG_INT_ACK, MVGPU_INT_ALL);
	assert_int_equal(reg32(q, MVGPU_REG_INT_STATUS), 0);
}

static void test_monitor_info_pci(void **state)
{
	struct qemu *q = &q_main;
	uint64_t vram = vgpu_vram_size(uuid_main);
	char *block, want[160];

	need(q, main_bars_set, "the BARs programmed");
	block = info_pci_gpu(q);
	snprintf(want, sizeof(want), "Bus  0, device   %d, function 0:\n",
		 GPU_SLOT);
	if (!strstr(block, want))
		goto bad;
	snprintf(want, sizeof(want), "    3D controller: PCI device %04x:%04x\n",
		 MVGPU_PCI_VENDOR_ID, MVGPU_PCI_DEVICE_ID);
	if (!strstr(block, want))
		goto bad;
	snprintf(want, sizeof(want), "      PCI subsystem %04x:%04x\n",
		 MVGPU_PCI_SUBSYS_VENDOR_ID, MVGPU_PCI_SUBSYS_ID_BASE | 4);
	if (!strstr(block, want))
		goto bad;
	snprintf(want, sizeof(want), "      IRQ %d, pin A\n", GUEST_GSI);
	if (!strstr(block, want))
		goto bad;
	/* BAR sizes: the range is [address, address + size - 1] */
	snprintf(want, sizeof(want),
		 "      BAR0: 64 bit memory at 0x%08llx [0x%08llx].\n",
		 BAR0_GPA, BAR0_GPA + MVGPU_BAR0_SIZE - 1);
	if (!strstr(block, want))
		goto bad;
	snprintf(want, sizeof(want),
		 "      BAR2: 64 bit prefetchable memory at 0x%08llx [0x%08llx].\n",
		 VRAM_GPA, VRAM_GPA + vram - 1);
	if (!strstr(block, want))
		goto bad;
	if (strstr(block, "BAR1") || strstr(block, "BAR3") ||
	    strstr(block, "BAR4") || strstr(block, "BAR5") ||
	    strstr(block, "ROM"))
		fail_msg("info pci shows more than BAR0 and BAR2:\n%s", block);
	free(block);
	return;
bad:
	fail_msg("info pci lacks '%s' in:\n%s", want, block);
}

static void test_quit_clean_and_vgpu_released(void **state)
{
	struct qemu *q = &q_main;
	int status;

	need(q, true, "");
	status = qemu_quit(q);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("QEMU quit with status 0x%x", status);
	/* nothing printed after the realize (reported by the first test) */
	if (strcmp(qemu_stderr(q), stderr_at_realize))
		fail_msg("QEMU printed on stderr after realizing the vGPU:\n%s",
			 qemu_stderr(q) + strlen(stderr_at_realize));
	if (!vgpu_wait_state(uuid_main, "closed"))
		fail_msg("vGPU state is '%s' after QEMU quit",
			 vgpu_state(uuid_main));
	assert_int_equal(mt_remove(uuid_main), 0);
	assert_false(mt_exists(MT_MDEV_DEVICES "/%s", uuid_main));
	qemu_kill(q);
}

/* ------------------------------------------------------------------ */
/* A TCG machine with firmware                                         */
/* ------------------------------------------------------------------ */

/* the address in an info pci "BARn: ... at 0xA [0xB]." line, size in *size */
static uint64_t info_bar(const char *block, const char *bar, uint64_t *size)
{
	const char *p = strstr(block, bar);
	unsigned long long a = 0, b = 0;

	if (!p || !(p = strstr(p, " at ")) ||
	    sscanf(p, " at 0x%llx [0x%llx]", &a, &b) != 2)
		return ~0ull;
	*size = b - a + 1;
	return a;
}

static void test_seabios_assigns_bars(void **state)
{
	struct qemu *q = &q_fw;
	int64_t deadline = now_ms() + 2 * TIMEOUT_MS;
	uint64_t bar0, bar2, size0 = 0, size2 = 0;
	char *block, cmd[64], *out;
	unsigned int val;

	assert_int_equal(mt_create_new(0, 8, uuid_fw), 0);
	qemu_start_ok(q, "qemu-tcg", uuid_fw, false);
	/* SeaBIOS enumerates the bus and places the BARs */
	for (;;) {
		block = info_pci_gpu(q);
		bar0 = info_bar(block, "BAR0: 64 bit memory", &size0);
		bar2 = info_bar(block, "BAR2: 64 bit prefetchable memory",
				&size2);
		if (bar0 != ~0ull && bar2 != ~0ull &&
		    bar0 != 0xffffffffffffffffull && bar2 != 0xffffffffffffffffull)
			break;
		if (now_ms() > deadline)
			fail_msg("SeaBIOS did not assign the BARs:\n%s", block);
		free(block);
		sleep_ms(200);
	}
	free(block);
	assert_int_equal(size0, MVGPU_BAR0_SIZE);
	assert_int_equal(size2, vgpu_vram_size(uuid_fw));
	assert_int_equal(bar0 % size0, 0);
	assert_int_equal(bar2 % size2, 0);
	/* guest physical loads, as the CPU does them, reach BAR0 */
	snprintf(cmd, sizeof(cmd), "xp /1wx 0x%" PRIx64, bar0 + MVGPU_REG_ID);
	out = hmp(q, cmd);
	if (!strstr(out, ": 0x") ||
	    sscanf(strstr(out, ": 0x"), ": 0x%x", &val) != 1 ||
	    val != MVGPU_ID_MAGIC)
		fail_msg("%s gave '%s', want the ID 0x%08x", cmd, out,
			 MVGPU_ID_MAGIC);
	free(out);
	snprintf(cmd, sizeof(cmd), "xp /1wx 0x%" PRIx64,
		 bar0 + MVGPU_REG_TYPE_DIVISOR);
	out = hmp(q, cmd);
	if (!strstr(out, ": 0x") ||
	    sscanf(strstr(out, ": 0x"), ": 0x%x", &val) != 1 || val != 8)
		fail_msg("%s gave '%s', want TYPE_DIVISOR 8", cmd, out);
	free(out);
	assert_int_equal(qemu_quit(q), 0);
	assert_true(vgpu_wait_state(uuid_fw, "closed"));
	assert_int_equal(mt_remove(uuid_fw), 0);
	qemu_kill(q);
}

/* ------------------------------------------------------------------ */
/* Two QEMUs, one killed                                               */
/* ------------------------------------------------------------------ */

static bool both_up;

static void test_two_qemus_at_once(void **state)
{
	uint8_t got[4096];

	assert_int_equal(mt_create_new(0, 4, uuid_a), 0);
	assert_int_equal(mt_create_new(0, 4, uuid_b), 0);
	qemu_start_ok(&q_a, "qemu-a", uuid_a, true);
	qemu_start_ok(&q_b, "qemu-b", uuid_b, true);
	assert_string_equal(vgpu_state(uuid_a), "open");
	assert_string_equal(vgpu_state(uuid_b), "open");
	guest_setup(&q_a);
	guest_setup(&q_b);
	pattern(pattern_a, sizeof(pattern_a), 0xaaaa1111);
	pattern(pattern_b, sizeof(pattern_b), 0xbbbb2222);
	qt_write(&q_a, VRAM_GPA + PATTERN_VA, pattern_a, sizeof(pattern_a));
	qt_write(&q_b, VRAM_GPA + PATTERN_VA, pattern_b, sizeof(pattern_b));
	/* each sees its own VRAM, not the other's */
	qt_read(&q_a, VRAM_GPA + PATTERN_VA, got, sizeof(got));
	expect_bytes("qemu-a VRAM", got, pattern_a, sizeof(got));
	qt_read(&q_b, VRAM_GPA + PATTERN_VA, got, sizeof(got));
	expect_bytes("qemu-b VRAM", got, pattern_b, sizeof(got));
	both_up = true;
}

static void test_sigkill_leaves_other_working(void **state)
{
	struct mvgpu_cmd cmds[2];
	uint8_t got[4096];
	int status;

	need(&q_a, both_up, "both QEMUs up");
	need(&q_b, both_up, "both QEMUs up");
	assert_int_equal(kill(q_a.pid, SIGKILL), 0);
	assert_true(qemu_reap(&q_a, true));
	status = q_a.exit_status;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	qemu_kill(&q_a);

	/* the survivor: MMIO, its VRAM, and the engine */
	assert_int_equal(reg32(&q_b, MVGPU_REG_ID), MVGPU_ID_MAGIC);
	qt_writeq(&q_b, BAR0_GPA + MVGPU_REG_SCRATCH, 0xb0b0b0b0c0c0c0c0ull);
	assert_int_equal(reg64(&q_b, MVGPU_REG_SCRATCH), 0xb0b0b0b0c0c0c0c0ull);
	qt_read(&q_b, VRAM_GPA + PATTERN_VA, got, sizeof(got));
	expect_bytes("qemu-b VRAM after qemu-a was killed", got, pattern_b,
		     sizeof(got));
	guest_fill_fence(&q_b, cmds, 0x0b0b0b0b, 0xb);
	assert_string_equal(vgpu_state(uuid_b), "open");
}

static void test_killed_vgpu_reattached(void **state)
{
	struct mvgpu_cmd cmds[2];
	static const uint8_t zero[4096];
	uint8_t got[4096];

	need(&q_b, both_up, "both QEMUs up");
	assert_int_equal(q_a.pid, 0);
	if (!vgpu_wait_state(uuid_a, "closed"))
		fail_msg("the killed QEMU's vGPU stays '%s'", vgpu_state(uuid_a));
	qemu_start_ok(&q_again, "qemu-a2", uuid_a, true);
	guest_setup(&q_again);
	assert_int_equal(reg32(&q_again, MVGPU_REG_TYPE_DIVISOR), 4);
	/* the same vGPU, a new owner: the killed tenant's VRAM was scrubbed */
	qt_read(&q_again, VRAM_GPA + PATTERN_VA, got, sizeof(got));
	expect_bytes("VRAM of the reattached vGPU (scrubbed at close)", got,
		     zero, sizeof(got));
	guest_fill_fence(&q_again, cmds, 0x2a2a2a2a, 0x2a);
	assert_int_equal(qemu_quit(&q_again), 0);
	qemu_kill(&q_again);
	assert_true(vgpu_wait_state(uuid_a, "closed"));
}

static void test_killed_vgpu_recreated(void **state)
{
	struct mvgpu_cmd cmds[2];
	static const uint8_t zero[4096];
	uint8_t got[4096];

	need(&q_b, both_up, "both QEMUs up");
	assert_true(vgpu_wait_state(uuid_a, "closed"));
	assert_int_equal(mt_remove(uuid_a), 0);
	assert_false(mt_exists(MT_MDEV_DEVICES "/%s", uuid_a));
	assert_int_equal(mt_create(0, 4, uuid_a), 0);
	qemu_start_ok(&q_again, "qemu-a3", uuid_a, true);
	guest_setup(&q_again);
	/* a new vGPU: the old tenant's data is gone */
	qt_read(&q_again, VRAM_GPA + PATTERN_VA, got, sizeof(got));
	expect_bytes("VRAM of the recreated vGPU", got, zero, sizeof(got));
	guest_fill_fence(&q_again, cmds, 0x3c3c3c3c, 0x3c);
	assert_int_equal(qemu_quit(&q_again), 0);
	qemu_kill(&q_again);
	assert_true(vgpu_wait_state(uuid_a, "closed"));
	assert_int_equal(mt_remove(uuid_a), 0);
}

static void test_survivor_quits_clean(void **state)
{
	uint8_t got[4096];

	need(&q_b, both_up, "both QEMUs up");
	assert_int_equal(reg32(&q_b, MVGPU_REG_ID), MVGPU_ID_MAGIC);
	qt_read(&q_b, VRAM_GPA + PATTERN_VA, got, sizeof(got));
	expect_bytes("qemu-b VRAM at the end", got, pattern_b, sizeof(got));
	assert_int_equal(qemu_quit(&q_b), 0);
	qemu_kill(&q_b);
	assert_true(vgpu_wait_state(uuid_b, "closed"));
	assert_int_equal(mt_remove(uuid_b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realize_without_warnings),
		cmocka_unit_test(test_guest_config_identity),
		cmocka_unit_test(test_guest_bar_sizing_and_assignment),
		cmocka_unit_test(test_guest_bar0_registers),
		cmocka_unit_test(test_guest_vram_through_bar),
		cmocka_unit_test(test_guest_vram_in_physical_bar),
		cmocka_unit_test(test_guest_intx_software_interrupt),
		cmocka_unit_test(test_guest_fill_and_fence),
		cmocka_unit_test(test_monitor_info_pci),
		cmocka_unit_test(test_quit_clean_and_vgpu_released),
		cmocka_unit_test(test_seabios_assigns_bars),
		cmocka_unit_test(test_two_qemus_at_once),
		cmocka_unit_test(test_sigkill_leaves_other_working),
		cmocka_unit_test(test_killed_vgpu_reattached),
		cmocka_unit_test(test_killed_vgpu_recreated),
		cmocka_unit_test(test_survivor_quits_clean),
	};

	struct CMUnitTest run[sizeof(tests) / sizeof(tests[0])];
	/* the physical BAR test only where there is one: a PCI parent */
	bool pci = strchr(mt_parent(0), ':');
	size_t i, n = 0;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (pci || tests[i].test_func != test_guest_vram_in_physical_bar)
			run[n++] = tests[i];
	signal(SIGPIPE, SIG_IGN);
	return mt_run("qemu", run, n, NULL, group_teardown);
}
