/*
 * A native peer that really paces, for bench/engine-generator.ts: sends request i at t0 + i/rate
 * over a fixed set of keep-alive connections (epoll, a timerfd armed at the next due time), reads
 * each Content-Length response, and reports its own CPU per request. No bursts and no
 * coordinated omission: a request whose due time finds every connection busy is counted as
 * dropped, never sent late. It is what wrk2 would be, reduced to what the bench needs.
 *
 *   cc -O2 -o paced-peer bench/engine-paced-peer.c
 *   paced-peer PORT PATH RATE_PER_SEC DURATION_SEC WARMUP_SEC CONNECTIONS 'HEADER: v\r\n...' BODY
 *
 * After the warm-up it prints `warm` and waits for a byte on stdin (the caller starts its own
 * counts then; `</dev/null` goes on at once). Then one JSON line: requests, errors, dropped, cpuMs,
 * wallSec, sleeps (voluntary context switches), lagP99Ms and lagMaxMs (send time minus due time),
 * over the measured run only. Loopback only (127.0.0.1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define BUF_BYTES 16384
#define DRAIN_NS 2000000000LL

typedef struct {
  int fd;
  int busy;
  size_t got;
  long want; /* header + body bytes of the response in progress; -1 until the header is complete */
  int ok;    /* the response in progress has status 200; set with `want` */
  char buf[BUF_BYTES];
} conn_t;

static conn_t conns[MAX_CONNS];
static int idle[MAX_CONNS];
static int idle_count;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double cpu_ms(long *switches) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  if (switches) *switches = r.ru_nvcsw;
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

static void die(const char *what) {
  fprintf(stderr, "paced-peer: %s: %s\n", what, strerror(errno));
  exit(2);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Returns 1 when the response is complete (status in c->ok), 0 when more bytes are needed. */
static int parse(conn_t *c) {
  if (c->want < 0) {
    char *end = memmem(c->buf, c->got, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t header = (size_t)(end - c->buf) + 4;
    long length = 0;
    for (char *p = c->buf; p < end; p++) {
      if ((p == c->buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) {
        length = strtol(p + 15, NULL, 10);
        break;
      }
    }
    c->want = (long)header + length;
    c->ok = c->got >= 12 && memcmp(c->buf + 9, "200", 3) == 0;
  }
  return c->got >= (size_t)c->want;
}

typedef struct {
  long requests, errors, dropped;
  int64_t *lags;
  long lag_count;
} tally_t;

static void run(int ep, int tfd, const char *req, size_t req_len, double rate, double seconds, tally_t *t) {
  long total = (long)(rate * seconds);
  double interval_ns = 1e9 / rate;
  int64_t t0 = now_ns();
  long i = 0;
  long in_flight = 0;
  struct epoll_event events[64];
  while (i < total || in_flight > 0) {
    int64_t now = now_ns();
    while (i < total && t0 + (int64_t)(i * interval_ns) <= now) {
      if (idle_count == 0) {
        t->dropped++;
      } else {
        conn_t *c = &conns[idle[--idle_count]];
        if (write(c->fd, req, req_len) != (ssize_t)req_len) die("write");
        c->busy = 1;
        c->got = 0;
        c->want = -1;
        in_flight++;
        if (t->lags) t->lags[t->lag_count++] = now_ns() - (t0 + (int64_t)(i * interval_ns));
      }
      i++;
    }
    if (i >= total && now - (t0 + (int64_t)(total * interval_ns)) > DRAIN_NS) break;
    if (i < total) {
      int64_t due = t0 + (int64_t)(i * interval_ns);
      struct itimerspec its = {{0, 0}, {due / 1000000000LL, due % 1000000000LL}};
      if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0) die("timerfd_settime");
    }
    int n = epoll_wait(ep, events, 64, i < total ? -1 : 100);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < n; k++) {
      int idx = events[k].data.u32;
      if (idx < 0 || idx >= MAX_CONNS) {
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) die("read timerfd");
        continue;
      }
      conn_t *c = &conns[idx];
      ssize_t r = read(c->fd, c->buf + c->got, BUF_BYTES - c->got);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        fprintf(stderr, "paced-peer: connection %d closed by the server\n", idx);
        exit(2);
      }
      c->got += (size_t)r;
      if (c->got >= BUF_BYTES) die("response larger than the buffer");
      if (c->busy && parse(c)) {
        t->requests++;
        if (!c->ok) t->errors++;
        c->busy = 0;
        idle[idle_count++] = idx;
        in_flight--;
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr, "usage: paced-peer PORT PATH RATE DURATION_SEC WARMUP_SEC CONNECTIONS HEADERS BODY\n");
    return 64;
  }
  int port = atoi(argv[1]);
  const char *path = argv[2];
  double rate = atof(argv[3]), seconds = atof(argv[4]), warmup = atof(argv[5]);
  int connections = atoi(argv[6]);
  const char *headers = argv[7], *body = argv[8];
  if (port <= 0 || rate <= 0 || seconds <= 0 || warmup < 0 || connections <= 0 || connections > MAX_CONNS) {
    fprintf(stderr, "paced-peer: bad arguments (PORT > 0, RATE > 0, 0 < CONNECTIONS <= %d)\n", MAX_CONNS);
    return 64;
  }
  size_t cap = strlen(path) + strlen(headers) + strlen(body) + 256;
  char *req = malloc(cap);
  int req_len = snprintf(req, cap,
                         "POST %s HTTP/1.1\r\nhost: 127.0.0.1:%d\r\nconnection: keep-alive\r\n%s"
                         "content-length: %zu\r\n\r\n%s",
                         path, port, headers, strlen(body), body);

  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  for (int k = 0; k < connections; k++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conns[k].fd = fd;
    idle[idle_count++] = k;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)k};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
  }
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  if (tfd < 0) die("timerfd_create");
  struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev) != 0) die("epoll_ctl timerfd");

  tally_t warm = {0};
  if (warmup > 0) run(ep, tfd, req, (size_t)req_len, rate, warmup, &warm);
  fputs("warm\n", stdout);
  fflush(stdout);
  char go;
  if (read(STDIN_FILENO, &go, 1) < 0) die("read stdin");

  tally_t t = {0};
  t.lags = malloc(sizeof(int64_t) * (size_t)(rate * seconds + 1));
  long switches0, switches1;
  double cpu0 = cpu_ms(&switches0);
  int64_t wall0 = now_ns();
  run(ep, tfd, req, (size_t)req_len, rate, seconds, &t);
  double cpu = cpu_ms(&switches1) - cpu0;
  double wall = (now_ns() - wall0) / 1e9;
  qsort(t.lags, (size_t)t.lag_count, sizeof(int64_t), cmp_i64);
  /* Nearest rank, as the TypeScript side's percentile(): the ceil(0.99 n)-th smallest. */
  double p99 = t.lag_count ? t.lags[(t.lag_count * 99 + 99) / 100 - 1] / 1e6 : 0;
  double max = t.lag_count ? t.lags[t.lag_count - 1] / 1e6 : 0;
  printf("{\"requests\":%ld,\"errors\":%ld,\"dropped\":%ld,\"cpuMs\":%.3f,\"wallSec\":%.3f,\"sleeps\":%ld,"
         "\"lagP99Ms\":%.3f,\"lagMaxMs\":%.3f}\n",
         t.requests, t.errors, t.dropped, cpu, wall, switches1 - switches0, p99, max);
  return 0;
}
