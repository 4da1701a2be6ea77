// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu-exporter: serves libmvgpu's management view of the GPUs and
 * vGPUs as Prometheus metrics.  This file parses the command line and
 * speaks HTTP (libmicrohttpd): GET /metrics scrapes (metrics.c), any
 * other path is 404, any other method on /metrics 405.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"

#define MVX_DEFAULT_LISTEN	"127.0.0.1:9400"
#define MVX_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

static volatile sig_atomic_t mvx_stop;

static void mvx_on_signal(int sig)
{
	mvx_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mvgpu-exporter [--listen ADDR:PORT] [--sysfs-root DIR]\n"
		"Serve the GPUs and vGPUs of mvgpu as Prometheus metrics on GET /metrics.\n"
		"  --listen ADDR:PORT  where to serve (default %s; [::1]:PORT for IPv6)\n"
		"  --sysfs-root DIR    read DIR instead of /sys (or set MVGPU_SYSFS_ROOT)\n"
		"  --once              print one scrape on stdout and exit\n",
		MVX_DEFAULT_LISTEN);
}

/* "ADDR:PORT" or "[ADDR6]:PORT" into a sockaddr: 0 or -EINVAL */
static int parse_listen(const char *arg, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *colon;
	unsigned long port;
	char *end;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	colon = strrchr(arg, ':');
	if (!colon || colon == arg)
		return -EINVAL;
	n = colon - arg;
	if (arg[0] == '[') {
		if (n < 3 || arg[n - 1] != ']')
			return -EINVAL;
		arg++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, n);
	host[n] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port == 0 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return 0;
	}
	return -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *body, size_t len, int copy,
			     const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
					    copy ? MHD_RESPMEM_MUST_COPY :
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? MVX_CONTENT_TYPE :
				"text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	static const char not_allowed[] = "method not allowed: use GET or HEAD\n";
	static const char failed[] = "scrape failed: out of memory\n";
	static struct mvx_buf buf;	/* one thread serves: reused */
	struct mvx_exporter *x = cls;

	if (!*state) {		/* first call: headers only; wait for a body */
		*state = (void *)1;
		return MHD_YES;
	}
	*upload_size = 0;	/* a body is ignored */
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, not_found,
			     sizeof(not_found) - 1, 0, NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
			     sizeof(not_allowed) - 1, 0, "GET, HEAD");
	if (mvx_scrape(x, &buf))
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, failed,
			     sizeof(failed) - 1, 0, NULL);
	return reply(c, MHD_HTTP_OK, buf.s, buf.len, 1, NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "sysfs-root", required_argument, NULL, 'r' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *listen_arg = MVX_DEFAULT_LISTEN;
	struct mvx_exporter x = { 0 };
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	struct sigaction sa;
	int c, once = 0;
	unsigned int flags;

	while ((c = getopt_long(argc, argv, "l:r:oh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen_arg = optarg;
			break;
		case 'r':
			x.sysfs_root = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mvgpu-exporter: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (once) {
		struct mvx_buf buf = { 0 };
		int ret = mvx_scrape(&x, &buf);

		if (!ret)
			fwrite(buf.s, 1, buf.len, stdout);
		mvx_buf_free(&buf);
		mvx_exporter_close(&x);
		return ret ? 1 : 0;
	}
	if (parse_listen(listen_arg, &ss)) {
		fprintf(stderr, "mvgpu-exporter: --listen wants ADDR:PORT (e.g. 127.0.0.1:9400 or [::1]:9400), not '%s'\n",
			listen_arg);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mvx_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* one internal thread: the library handle is used by it alone */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &x,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "mvgpu-exporter: cannot listen on %s: %s\n",
			listen_arg, strerror(errno));
		return 1;
	}
	fprintf(stderr, "mvgpu-exporter: serving http://%s/metrics\n",
		listen_arg);
	while (!mvx_stop)
		pause();
	MHD_stop_daemon(d);
	mvx_exporter_close(&x);
	return 0;
}
