/*
 * arqload: an independent load generator for the `chat` server, over its reliable binary
 * protocol (default) or its plain-text protocol (`--proto text`).
 *
 * Written from docs/PROTOCOL.md. Binary (`--proto binary`): 11-byte frames (magic 0xC1, length,
 * type, seq, RFC 1071 checksum, flags), SYN / SYN-ACK / ACK handshake, DATA fragments with flag
 * LAST, Go-Back-N or Selective Repeat, ACK policy 1 (one cumulative ACK per read batch, SACK
 * ranges for SR), NACK on a bad checksum, RFC 6298 retransmission timer, FIN / FIN-ACK teardown.
 * Text (`--proto text`): the same application protocol as `\n`-terminated lines on the bare TCP
 * connection, with no ARQ at all (no frames, ACKs or retransmissions). Either way each client
 * registers a nickname, then sends `MSG <text>` where the text is the workload line of
 * lib/bench/workload.ts (`<sentMs> <sender> <seq> xxx...`), and every other client's copy of it
 * (`[cN]: <text>`) is counted as one delivery with its latency; one parser and one set of
 * counters serve both protocols.
 *
 * C11, Linux, one thread, epoll, libc only. It exists because the project's JavaScript
 * generator (`deno task chat bench`) saturates its own core near 1 M deliveries/s, so the
 * server's latency at that load cannot be measured with it.
 *
 * Build:
 *   cc -O2 -Wall -Wextra -o /tmp/arqload bench/arqload.c
 *
 * Run (server in one terminal, generator in another):
 *   deno task chat serve --port 0 --host 127.0.0.1 --flood off --quiet
 *       -> prints "listening on 127.0.0.1:PORT"; the server process is the `deno run` child:
 *          pgrep -f "main.ts serve" gives its PID
 *   /tmp/arqload --port PORT --clients 10 --mode gbn --rate 100 --duration 3
 *   /tmp/arqload --port PORT --clients 200 --mode sr --rate 25.1256 --duration 8 \
 *       --server-pid PID --json                       (N*(N-1)*R = 1.00 M deliveries/s)
 *   /tmp/arqload --port PORT --clients 50 --rate 0 --messages 2000 --inflight 26 --mode gbn
 *   /tmp/arqload --proto text --port PORT --clients 200 --rate 25.1256 --duration 8 \
 *       --server-pid PID                              (the same 1 M/s over text sessions)
 *   /tmp/arqload --proto text --port PORT --clients 50 --messages 20000 --server-pid PID
 *   Pinned like the peer harness: taskset -c 1 for the server, taskset -c 0 for arqload.
 *
 * Options:
 *   --host ADDR        server address (default 127.0.0.1)
 *   --port P           server port (required)
 *   --proto binary|text  session kind (default binary). --mode, --window and --ack-delay are
 *                      binary-only: with --proto text they are refused (usage error, exit 2)
 *   --clients N        connections, each a chat user (default 10)
 *   --mode gbn|sr      ARQ mode asked for in the SYN (default gbn)
 *   --window W         ARQ window 1..256 (default 64)
 *   --ack-delay MS     hold an owed in-order ACK up to MS ms, or until half the window is
 *                      unacknowledged; a gap or a duplicate is ACKed at once (default 0:
 *                      one ACK per read batch)
 *   --size B           chat text bytes per message (default 64)
 *   --rate R           open loop: messages/s PER CLIENT (default 0 = closed loop)
 *   --duration S       open loop: seconds of sending (default 8)
 *   --messages M       closed loop: messages per client (default 100)
 *   --inflight K       closed loop: messages each sender keeps in flight, a message being in
 *                      flight until every other client has it (default ceil(1280 / N))
 *   --timeout S        registration must finish within S s; the run (send + drain) is abandoned
 *                      S s after the end of the send schedule (closed loop: after the start of
 *                      sending) (default 60)
 *   --server-pid PID   also report the server's CPU time over the run (/proc/PID/stat)
 *   --prefix P         nickname prefix (default "c": c0, c1, ...)
 *   --seed N           seed of the initial sequence numbers (default 1)
 *   --no-probe         start sending as soon as every client has its `200 OK - Connected`
 *   --json             one JSON object instead of the human-readable report
 *
 * Start of a run: N connections (TCP_NODELAY, at most 128 connecting at once). Binary: each
 * sends its SYN as soon as connected (so the server never sends the text prompt `NICK`; a
 * leading one would be skipped) and registers its nickname as one DATA message. Text: each
 * sends its nickname line (`c17\n`) as soon as connected (a leading `NICK` is skipped the same
 * way). Then every client waits for `200 OK - Connected`. Then a probe barrier (as `chat bench`
 * does): client 0 sends `MSG probe` (again after 20, 40, ... ms, at most every 1 s) until every
 * other client has it. Each session delivers in order, so the probe's arrival proves that
 * everything queued for that client before it (the join notices, N^2/2 lines in all) has been
 * delivered, and the measurement does not start on top of that backlog. Both steps are bounded
 * by --timeout. Replies to MSG (`200 OK` / `Message sent`) and notices (`*** ...`) are skipped.
 * End of a run: binary sessions close with FIN / FIN-ACK, text sessions send `QUIT` and wait for
 * the server to close (both at most 3 s).
 *
 * Writes: everything queued for a connection in one loop iteration leaves in one send() (the
 * rest when the socket is writable again). Reads: one read() per readable event; binary frames
 * and text lines split across reads are kept for the next one.
 *
 * Measurement window: from the start of sending to the last delivery. deliveries/s =
 * deliveries / (last delivery - start of sending); CPU figures cover the same window (until the
 * run ended). Latency = receive time (one clock reading per read() batch) - the send time
 * carried in the line (taken when the message was handed to the ARQ layer, or queued for the
 * socket in text mode, so time spent queued behind a full window counts). Percentiles are exact
 * (nearest rank over every delivery).
 * Exit status: 0 when every message reached every other client exactly once and in order, 1
 * otherwise (loss, duplicates, reordering, timeout, a connection failed), 2 on a usage error.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* ---- protocol constants (docs/PROTOCOL.md, "Wire format") ---- */

enum { HDR = 11, MAXPAY = 1024, MAXMSG = 64 * 1024, MAGIC = 0xC1, F_LAST = 0x01 };
enum { T_SYN = 1, T_SYNACK, T_ACK, T_NACK, T_DATA, T_FIN, T_FINACK, T_PING, T_PONG, T_RST };
enum { MODE_GBN = 1, MODE_SR = 2 };
enum { PROTO_BINARY, PROTO_TEXT };
enum { MAX_SACK = 8 };
/* Timers: RFC 6298, initial 1 s, clamped to [100 ms, 2 s], G = 1 ms ("Timers"). */
#define RTO_MIN 100.0
#define RTO_MAX 2000.0
#define RTO_INIT 1000.0
#define CLOCK_G 1.0

/* ---- tool constants ---- */

enum { RBUF = 256 * 1024 };           /* read buffer per connection */
enum { OUTBOX_MAX = 64 << 20 };       /* a connection whose outbox passes this has failed */
enum { CONNECT_BATCH = 128 };         /* connections in connect/handshake at once */
enum { SCAN_MS = 5 };                 /* period of the retransmission timer scan */
#define LAT_CAP ((size_t)200 * 1000 * 1000) /* most latencies stored (800 MB if reached) */

enum { S_IDLE, S_CONNECTING, S_SYN_SENT, S_EST, S_FIN_WAIT, S_CLOSED };
enum { P_CONNECT, P_PROBE, P_RUN, P_DRAIN, P_DONE };

typedef struct {
  uint8_t *b;
  uint32_t cap, len;
} Slot;

typedef struct {
  int fd, idx, state;
  bool registered, probed, want_out, dirty, body_pending, closing, failed;
  bool fin_sent; /* binary: FIN sent; text: QUIT sent */
  int prompt; /* bytes of a leading "NICK" prompt skipped so far (4 = done) */
  /* input */
  uint8_t *rbuf;
  size_t rlen;
  /* output: frames queued for the socket, written once per loop iteration */
  uint8_t *wbuf;
  size_t wlen, woff, wcap;
  /* handshake */
  uint32_t isn, peer_isn;
  int64_t hs_sent, hs_resend;
  int hs_attempt;
  int win, maxpay; /* confirmed by the SYN-ACK */
  /* receiving half */
  uint32_t rexp;
  bool ack_pending, nack_valid;
  bool ack_urgent;      /* the owed ACK reports a gap or a duplicate: not delayed */
  int64_t ack_since;    /* when the owed ACK became owed */
  uint32_t acked_rexp;  /* rexp when the last ACK was sent */
  uint32_t nacked_for;
  uint32_t rmask;     /* SR reorder buffer (allocated on the first out-of-order frame) */
  uint8_t *sr_data;   /* (rmask+1) * MAXPAY */
  uint16_t *sr_len;
  uint8_t *sr_flags, *sr_have;
  uint8_t *reasm;     /* reassembly of fragmented messages (allocated when needed) */
  size_t reasm_len;
  /* sending half */
  uint32_t base, next, smask;
  Slot *slots;
  int64_t *sent_at, *resend_at;
  uint8_t *xmit, *acked, *touts;
  int64_t gbn_timer;
  double srtt, rttvar, rto;
  int samples, backoffs;
  uint32_t fin_seq;
  int64_t fin_resend;
  /* application messages not yet (fully) in the window: [u32 len][bytes]... */
  uint8_t *q;
  size_t qhead, qtail, qcap;
  uint32_t qfrag;
} Conn;

/* ---- options ---- */

static const char *o_host = "127.0.0.1";
static int o_port = 0;
static int o_proto = PROTO_BINARY;
static const char *o_arq_opt = NULL; /* a binary-only option given (refused in text mode) */
static int o_clients = 10;
static int o_mode = MODE_GBN;
static int o_window = 64;
static int64_t o_ack_delay_ns = 0;
static int o_size = 64;
static double o_rate = 0;
static double o_duration = 8;
static long o_messages = 100;
static long o_inflight = 0;
static double o_timeout = 60;
static long o_server_pid = 0;
static const char *o_prefix = "c";
static uint64_t o_seed = 1;
static bool o_json = false;
static bool o_probe = true;

/* ---- state ---- */

static Conn *conns;
static int N;
static int ep = -1, tfd = -1;
static int64_t t0;                 /* monotonic start: origin of the send times */
static int phase = P_CONNECT;
static int *dirty;
static int ndirty;
static struct sockaddr_storage srv_addr;
static socklen_t srv_len;

/* workload bookkeeping */
static long Mmax;                  /* messages per sender, an upper bound (array sizes) */
static long *cnt_plan;             /* open loop: messages client i sends */
static long *sent;                 /* messages sent per client */
static long *completed;            /* messages of each sender that reached every other client */
static uint32_t *reached;          /* [sender * Mmax + seq]: receivers that have it */
static uint32_t *next_seq;         /* [receiver * N + sender]: one past the highest seq seen */
static uint8_t *seen;              /* bit [(sender * Mmax + seq) * N + receiver]: a message's
                                      bits share a cache line, so the bitmap's working set is
                                      the messages in flight, not the whole bitmap */
static float *lat;                 /* latencies, ms */
static size_t lat_n, lat_cap;
static double lat_sum, lat_max = -1e300;

static struct {
  uint64_t sent, deliveries, duplicated, ooo, self, foreign, status_err, other_lines;
  uint64_t reads, writes, retrans, timeouts, data_sent, frames_recv, data_recv, acks_recv;
  uint64_t acks_sent, nacks_sent, nacks_recv, corrupt, arq_dup, arq_ooo, window_waits;
  uint64_t registered, established, connecting, failed, closed_ok, pings, probed, probes;
  int64_t max_lag_ns, max_iter_ns;
  int64_t send_start, last_delivery, run_end;
  char first_error[256];
  char first_status_err[256];
} G;

/* open-loop schedule cursor: message k of client i is due at send_start + (k + i/N) / R */
static long cur_k;
static int cur_i;
static double period_ns;
static int64_t armed_due = -1;   /* the timerfd's expiry */

/* ---- small helpers ---- */

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long invol_csw;

static double cpu_self_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  invol_csw = ru.ru_nivcsw;
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

/* utime + stime of a process (all its threads), seconds; < 0 when unreadable. */
static double cpu_proc_s(long pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may contain spaces */
  if (!p) return -1;
  p += 2;
  /* fields after ')': 3 state, 4 ppid, ... 14 utime, 15 stime */
  for (int field = 3; field < 14; field++) {
    p = strchr(p, ' ');
    if (!p) return -1;
    p++;
  }
  unsigned long long ut = 0, st = 0;
  if (sscanf(p, "%llu %llu", &ut, &st) != 2) return -1;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* What a run's figures are differences of, read at its start and at its end. */
typedef struct {
  double cpu;  /* this process, s */
  long csw;    /* involuntary context switches */
  double srv;  /* the server (--server-pid), s; < 0 when unknown */
  uint64_t reads, writes;
} Counters;

static Counters read_counters(void) {
  Counters c;
  c.cpu = cpu_self_s(); /* also reads invol_csw */
  c.csw = invol_csw;
  c.srv = o_server_pid > 0 ? cpu_proc_s(o_server_pid) : -1;
  c.reads = G.reads;
  c.writes = G.writes;
  return c;
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "arqload: out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) {
    fprintf(stderr, "arqload: out of memory (%zu x %zu bytes)\n", n, size);
    exit(2);
  }
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n);
  if (!p) {
    fprintf(stderr, "arqload: out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void note_error(const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (!G.first_error[0]) snprintf(G.first_error, sizeof G.first_error, "%s", line);
  fprintf(stderr, "arqload: %s\n", line);
}

/* ---- checksum (RFC 1071) ----
 * One's complement sum of the frame taken in native byte order, 32 bits at a time: 2^16 = 1
 * (mod 0xFFFF), so folding 32-bit words equals adding 16-bit words, and a sum of byte-swapped
 * words is the byte-swapped sum (RFC 1071, "byte order independence"). Words are paired from
 * the frame's first byte (the payload starts at the odd offset 11, which this handles for
 * free); an odd last byte is padded with zero. A frame is valid when its sum is 0xFFFF. */
static uint32_t ones_native(const uint8_t *p, size_t n) {
  uint64_t acc = 0, v;
  while (n >= 8) {
    memcpy(&v, p, 8);
    acc += (v & 0xffffffffu) + (v >> 32);
    p += 8;
    n -= 8;
  }
  if (n) {
    uint8_t t[8] = {0};
    memcpy(t, p, n);
    memcpy(&v, t, 8);
    acc += (v & 0xffffffffu) + (v >> 32);
  }
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffff) + (acc >> 16);
  acc = (acc & 0xffff) + (acc >> 16);
  return (uint32_t)acc;
}

/* Writes a complete frame to `out`; returns its size. */
static size_t frame_build(uint8_t *out, int type, uint32_t seq, int flags, const uint8_t *pl,
                          size_t len) {
  out[0] = MAGIC;
  out[1] = (uint8_t)(len >> 8);
  out[2] = (uint8_t)len;
  out[3] = (uint8_t)type;
  wr32(out + 4, seq);
  out[8] = out[9] = 0;
  out[10] = (uint8_t)flags;
  if (len) memcpy(out + HDR, pl, len);
  /* The complement of the native-order sum, stored in native order, is the big-endian
   * complement of the big-endian sum. */
  uint16_t cs = (uint16_t)~ones_native(out, HDR + len);
  memcpy(out + 8, &cs, 2);
  return HDR + len;
}

/* ---- output path ---- */

static void mark_dirty(Conn *c) {
  if (!c->dirty) {
    c->dirty = true;
    dirty[ndirty++] = c->idx;
  }
}

/* Makes room for `n` more bytes at *end of a byte queue whose bytes before *start are used
 * up: moves the live bytes to the front first, then doubles the buffer as needed. */
static void queue_room(uint8_t **buf, size_t *start, size_t *end, size_t *cap, size_t n) {
  if (*end + n <= *cap) return;
  if (*start > 0) {
    memmove(*buf, *buf + *start, *end - *start);
    *end -= *start;
    *start = 0;
  }
  if (*end + n <= *cap) return;
  size_t c = *cap ? *cap : 4096;
  while (c < *end + n) c *= 2;
  *buf = xrealloc(*buf, c);
  *cap = c;
}

static uint8_t *out_reserve(Conn *c, size_t n) {
  queue_room(&c->wbuf, &c->woff, &c->wlen, &c->wcap, n);
  uint8_t *p = c->wbuf + c->wlen;
  c->wlen += n;
  mark_dirty(c);
  return p;
}

static void emit(Conn *c, int type, uint32_t seq, int flags, const uint8_t *pl, size_t len) {
  frame_build(out_reserve(c, HDR + len), type, seq, flags, pl, len);
}

/* A text session's command line: the bytes and their newline. */
static void emit_line(Conn *c, const uint8_t *m, size_t len) {
  uint8_t *p = out_reserve(c, len + 1);
  memcpy(p, m, len);
  p[len] = '\n';
}

static void set_out_interest(Conn *c, bool out) {
  if (c->want_out == out || c->fd < 0) return;
  c->want_out = out;
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.u32 = (uint32_t)c->idx};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_close(Conn *c) {
  if (c->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
  }
  c->state = S_CLOSED;
}

static void conn_fail(Conn *c, const char *why);

static void flush_conn(Conn *c) {
  while (c->woff < c->wlen) {
    ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
    G.writes++;
    if (n > 0) {
      c->woff += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (c->wlen - c->woff > OUTBOX_MAX) {
        conn_fail(c, "outbox overflow (server not reading)");
        return;
      }
      set_out_interest(c, true);
      return;
    }
    c->wlen = c->woff = 0;
    conn_fail(c, n < 0 ? strerror(errno) : "write returned 0");
    return;
  }
  c->wlen = c->woff = 0;
  set_out_interest(c, false);
}

/* Writes what each connection queued since the last call, one send() each (a connection that
 * waits for EPOLLOUT keeps its bytes until then). */
static void flush_dirty(void) {
  for (int d = 0; d < ndirty; d++) {
    Conn *c = &conns[dirty[d]];
    c->dirty = false;
    if (c->state != S_CLOSED && c->fd >= 0 && !c->want_out) flush_conn(c);
  }
  ndirty = 0;
}

static void conn_fail(Conn *c, const char *why) {
  if (c->state == S_CLOSED) return;
  if (!c->failed) {
    c->failed = true;
    G.failed++;
    if (phase != P_DONE) note_error("client %d: %s", c->idx, why);
  }
  conn_close(c);
}

/* A protocol violation by the server: RST with the reason, then close. */
static void protocol_error(Conn *c, const char *why) {
  char reason[200];
  snprintf(reason, sizeof reason, "Protocol error: %s", why);
  if (c->state != S_CLOSED && c->fd >= 0) {
    emit(c, T_RST, c->next, 0, (const uint8_t *)reason, strlen(reason));
    flush_conn(c);
  }
  conn_fail(c, reason);
}

/* ---- RTO (RFC 6298) ---- */

static void rtt_sample(Conn *c, double ms) {
  if (ms < 0) ms = 0;
  if (c->samples == 0) {
    c->srtt = ms;
    c->rttvar = ms / 2;
  } else {
    double d = c->srtt - ms;
    if (d < 0) d = -d;
    c->rttvar = 0.75 * c->rttvar + 0.25 * d;
    c->srtt = 0.875 * c->srtt + 0.125 * ms;
  }
  c->samples++;
  c->backoffs = 0;
  double v = 4 * c->rttvar;
  if (v < CLOCK_G) v = CLOCK_G;
  double rto = c->srtt + v;
  c->rto = rto < RTO_MIN ? RTO_MIN : rto > RTO_MAX ? RTO_MAX : rto;
}

static void rto_backoff(Conn *c) {
  c->backoffs++;
  c->rto = c->rto * 2 > RTO_MAX ? RTO_MAX : c->rto * 2;
}

static void rto_backoff_to(Conn *c, int level) {
  while (c->backoffs < level && c->rto < RTO_MAX) rto_backoff(c);
  if (c->backoffs < level) c->backoffs = level;
}

static inline int64_t rto_ns(const Conn *c) { return (int64_t)(c->rto * 1e6); }

/* ---- sending half ---- */

static void send_fin(Conn *c, int64_t now) {
  if (!c->fin_sent) {
    c->fin_sent = true;
    c->fin_seq = c->next;
  } else {
    G.retrans++;
  }
  c->fin_resend = now + rto_ns(c);
  c->state = S_FIN_WAIT;
  emit(c, T_FIN, c->fin_seq, 0, NULL, 0);
}

/* The polite close of a closing session: binary, FIN once everything sent was acknowledged;
 * text, `QUIT` at once (the server answers and closes). */
static void maybe_fin(Conn *c, int64_t now) {
  if (!c->closing || c->fin_sent || c->state != S_EST) return;
  if (o_proto == PROTO_TEXT) {
    emit_line(c, (const uint8_t *)"QUIT", 4);
    c->fin_sent = true;
    c->state = S_FIN_WAIT;
  } else if (c->base == c->next && c->qhead == c->qtail)
    send_fin(c, now);
}

/* Moves queued messages into the window, fragment by fragment, while it has room. */
static void fill(Conn *c, int64_t now) {
  if (c->state != S_EST) return;
  while (c->qhead < c->qtail && c->next - c->base < (uint32_t)c->win) {
    uint32_t len;
    memcpy(&len, c->q + c->qhead, 4);
    const uint8_t *m = c->q + c->qhead + 4;
    uint32_t off = c->qfrag, frag = len - off;
    if (frag > (uint32_t)c->maxpay) frag = (uint32_t)c->maxpay;
    bool last = off + frag == len;
    uint32_t seq = c->next++, s = seq & c->smask;
    Slot *sl = &c->slots[s];
    if (sl->cap < HDR + frag) {
      sl->cap = HDR + frag < 128 ? 128 : HDR + frag;
      sl->b = xrealloc(sl->b, sl->cap);
    }
    sl->len = (uint32_t)frame_build(sl->b, T_DATA, seq, last ? F_LAST : 0, m + off, frag);
    c->sent_at[s] = now;
    c->xmit[s] = 1;
    c->acked[s] = 0;
    c->touts[s] = 0;
    c->resend_at[s] = now + rto_ns(c);
    if (o_mode == MODE_GBN && c->gbn_timer < 0) c->gbn_timer = now + rto_ns(c);
    memcpy(out_reserve(c, sl->len), sl->b, sl->len);
    G.data_sent++;
    if (last) {
      c->qhead += 4 + len;
      c->qfrag = 0;
      if (c->qhead == c->qtail) c->qhead = c->qtail = 0;
    } else {
      c->qfrag = off + frag;
    }
  }
}

/* Sends one application message: text, a line for the socket; binary, queued, and sent as far
 * as the window allows. */
static void send_message(Conn *c, const uint8_t *m, uint32_t len, int64_t now) {
  if (o_proto == PROTO_TEXT) {
    emit_line(c, m, len);
    return;
  }
  size_t need = 4 + (size_t)len;
  queue_room(&c->q, &c->qhead, &c->qtail, &c->qcap, need);
  if (c->qhead < c->qtail || c->next - c->base >= (uint32_t)c->win) G.window_waits++;
  memcpy(c->q + c->qtail, &len, 4);
  memcpy(c->q + c->qtail + 4, m, len);
  c->qtail += need;
  fill(c, now);
}

static void resend(Conn *c, uint32_t seq, int64_t now) {
  uint32_t s = seq & c->smask;
  Slot *sl = &c->slots[s];
  if (c->xmit[s] < 255) c->xmit[s]++;
  c->sent_at[s] = now;
  c->resend_at[s] = now + rto_ns(c);
  G.retrans++;
  G.data_sent++;
  memcpy(out_reserve(c, sl->len), sl->b, sl->len);
}

/* ACK from the server: cumulative `a`, plus SACK ranges (SR). */
static void on_ack(Conn *c, uint32_t a, const uint8_t *pl, size_t len, int64_t now) {
  G.acks_recv++;
  if (c->state != S_EST && c->state != S_FIN_WAIT) return;
  int64_t sample_at = -1;
  bool progress = false;
  if (seq_le(c->base, a) && seq_lt(a, c->next)) {
    for (uint32_t seq = c->base; seq != a + 1; seq++) {
      uint32_t s = seq & c->smask;
      if (c->acked[s]) continue;
      c->acked[s] = 1;
      progress = true;
      if (c->xmit[s] == 1 && c->sent_at[s] > sample_at) sample_at = c->sent_at[s];
    }
  }
  if (len > 0) {
    unsigned count = pl[0];
    if (count > MAX_SACK || len != 1 + 8 * (size_t)count) {
      protocol_error(c, "ACK: bad SACK block");
      return;
    }
    if (o_mode == MODE_SR) {
      for (unsigned r = 0; r < count; r++) {
        uint32_t start = rd32(pl + 1 + 8 * r), end = rd32(pl + 5 + 8 * r);
        uint32_t seq = seq_lt(start, c->base) ? c->base : start;
        for (int i = 0; i < c->win && seq_lt(seq, end) && seq_lt(seq, c->next); i++, seq++) {
          uint32_t s = seq & c->smask;
          if (c->acked[s]) continue;
          c->acked[s] = 1;
          progress = true;
          if (c->xmit[s] == 1 && c->sent_at[s] > sample_at) sample_at = c->sent_at[s];
        }
      }
    }
  }
  if (!progress) return;
  if (sample_at >= 0) rtt_sample(c, (double)(now - sample_at) / 1e6); /* Karn: once-sent only */
  while (c->base != c->next && c->acked[c->base & c->smask]) {
    c->acked[c->base & c->smask] = 0;
    c->base++;
  }
  if (o_mode == MODE_GBN) c->gbn_timer = c->base != c->next ? now + rto_ns(c) : -1;
  fill(c, now);
  maybe_fin(c, now);
}

static void on_nack(Conn *c, uint32_t n, int64_t now) {
  G.nacks_recv++;
  if (c->state != S_EST && c->state != S_FIN_WAIT) return;
  if (!(seq_le(c->base, n) && seq_lt(n, c->next))) return; /* names nothing in flight */
  uint32_t s = n & c->smask;
  if (c->acked[s]) return;
  /* a NACK of a copy resent less than SRTT/2 ago is a late echo */
  if (c->xmit[s] > 1 && (double)(now - c->sent_at[s]) / 1e6 < c->srtt / 2) return;
  if (o_mode == MODE_GBN) {
    for (uint32_t seq = n; seq != c->next; seq++) resend(c, seq, now);
    c->gbn_timer = now + rto_ns(c);
  } else {
    resend(c, n, now);
  }
}

/* ---- workload ---- */

static void send_workload(int i, int64_t now) {
  Conn *c = &conns[i];
  if (c->state != S_EST) return;
  static uint8_t msg[4 + 65536 + 64];
  double sent_ms = (double)(now - t0) / 1e6;
  memcpy(msg, "MSG ", 4);
  int h = snprintf((char *)msg + 4, 64, "%.3f %d %ld ", sent_ms, i, sent[i]);
  int len;
  if (h >= o_size) {
    len = h - 1; /* like benchPayload: the head without its trailing space */
  } else {
    memset(msg + 4 + h, 'x', (size_t)(o_size - h));
    len = o_size;
  }
  send_message(c, msg, (uint32_t)(4 + len), now);
  sent[i]++;
  G.sent++;
}

/* Closed loop: a sender keeps `inflight` of its messages undelivered somewhere. */
static void closed_loop_pump(int i, int64_t now) {
  while (sent[i] < o_messages && sent[i] - completed[i] < o_inflight &&
         conns[i].state == S_EST) {
    send_workload(i, now);
    if (N == 1) completed[i]++;
  }
}

static inline void record_latency(double ms) {
  if (lat_n < lat_cap) lat[lat_n++] = (float)ms;
  lat_sum += ms;
  if (ms > lat_max) lat_max = ms;
}

static void delivered(Conn *c, long sender, long seq, int64_t sent_ns, int64_t now) {
  int r = c->idx;
  if (phase == P_DONE) return; /* after the run: not counted */
  if (sender == r) {
    G.self++;
    return;
  }
  size_t pair = (size_t)r * (size_t)N + (size_t)sender;
  size_t msg = (size_t)sender * (size_t)Mmax + (size_t)seq;
  size_t bit = msg * (size_t)N + (size_t)r;
  if (seen[bit >> 3] & (1u << (bit & 7))) {
    G.duplicated++;
    return;
  }
  seen[bit >> 3] |= (uint8_t)(1u << (bit & 7));
  if ((uint32_t)seq < next_seq[pair])
    G.ooo++;
  else
    next_seq[pair] = (uint32_t)seq + 1;
  G.deliveries++;
  G.last_delivery = now;
  record_latency((double)(now - t0 - sent_ns) / 1e6);
  if (++reached[msg] == (uint32_t)(N - 1)) {
    completed[sender]++;
    if (o_rate <= 0 && phase == P_RUN) closed_loop_pump((int)sender, now);
  }
}

/* A chat line `[nick]: <sentMs> <sender> <seq> xxx...` (p..e, without the newline). */
static void chat_line(Conn *c, const uint8_t *p, const uint8_t *e, int64_t now) {
  const uint8_t *q = memchr(p + 1, ']', (size_t)(e - p - 1));
  if (!q || e - q < 3 || q[1] != ':' || q[2] != ' ') goto foreign;
  q += 3;
  if (e - q == 5 && memcmp(q, "probe", 5) == 0) { /* the barrier's line */
    if (!c->probed) {
      c->probed = true;
      G.probed++;
    }
    return;
  }
  if (q >= e || *q < '0' || *q > '9') goto foreign;
  int64_t whole = 0, frac = 0;
  int places = 0;
  while (q < e && *q >= '0' && *q <= '9') whole = whole * 10 + (*q++ - '0');
  if (q < e && *q == '.') {
    q++;
    while (q < e && *q >= '0' && *q <= '9') {
      if (places < 9) {
        frac = frac * 10 + (*q - '0');
        places++;
      }
      q++;
    }
  }
  long f[2];
  for (int k = 0; k < 2; k++) {
    if (q >= e || *q != ' ') goto foreign;
    q++;
    if (q >= e || *q < '0' || *q > '9') goto foreign;
    long v = 0;
    while (q < e && *q >= '0' && *q <= '9' && v < 100000000000L) v = v * 10 + (*q++ - '0');
    f[k] = v;
  }
  if (q < e && *q != ' ') goto foreign;
  if (f[0] >= N || f[1] >= Mmax) goto foreign;
  int64_t sent_ns = whole * 1000000;
  static const int64_t scale[10] = {1000000, 100000, 10000, 1000, 100, 10, 1, 0, 0, 0};
  if (places <= 6)
    sent_ns += frac * scale[places];
  else {
    for (int k = places; k > 6; k--) frac /= 10;
    sent_ns += frac;
  }
  delivered(c, f[0], f[1], sent_ns, now);
  return;
foreign:
  G.foreign++;
}

static void status_line(Conn *c, const uint8_t *p, const uint8_t *e) {
  size_t n = (size_t)(e - p);
  static const char ok[] = "200 OK - Connected";
  if (n >= sizeof ok - 1 && memcmp(p, ok, sizeof ok - 1) == 0) {
    if (!c->registered) {
      c->registered = true;
      G.registered++;
    }
    return;
  }
  if (n >= 3 && p[0] >= '4') {
    G.status_err++;
    if (!G.first_status_err[0])
      snprintf(G.first_status_err, sizeof G.first_status_err, "client %d: %.*s", c->idx,
               (int)(n > 200 ? 200 : n), (const char *)p);
    if (!c->registered) { /* a refused registration: the server closes the connection */
      char why[240];
      snprintf(why, sizeof why, "registration refused: %.*s", (int)(n > 200 ? 200 : n),
               (const char *)p);
      note_error("client %d: %s", c->idx, why);
    }
  }
}

/* One application message from the server: `\n`-terminated lines. */
static void on_message(Conn *c, const uint8_t *m, size_t n, int64_t now) {
  const uint8_t *p = m, *end = m + n;
  while (p < end) {
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
    const uint8_t *e = nl ? nl : end;
    if (c->body_pending) {
      c->body_pending = false; /* the body line of a reply, whatever it looks like */
    } else if (e > p) {
      if (*p == '[')
        chat_line(c, p, e, now);
      else if (*p >= '0' && *p <= '9') {
        status_line(c, p, e);
        c->body_pending = true;
      } else
        G.other_lines++; /* notices, ... */
    }
    p = nl ? nl + 1 : end;
  }
}

/* ---- receiving half ---- */

static void accept_data(Conn *c, const uint8_t *pl, size_t len, int flags, int64_t now) {
  if (c->reasm_len == 0 && (flags & F_LAST)) {
    on_message(c, pl, len, now);
    return;
  }
  if (!c->reasm) c->reasm = xmalloc(MAXMSG);
  if (c->reasm_len + len > MAXMSG) {
    protocol_error(c, "message over 64 KiB");
    return;
  }
  memcpy(c->reasm + c->reasm_len, pl, len);
  c->reasm_len += len;
  if (flags & F_LAST) {
    size_t n = c->reasm_len;
    c->reasm_len = 0;
    on_message(c, c->reasm, n, now);
  }
}

/* An ACK is owed. `urgent`: it reports a gap or a duplicate, so the sender hears at once. */
static void owe_ack(Conn *c, int64_t now, bool urgent) {
  if (!c->ack_pending) {
    c->ack_pending = true;
    c->ack_since = now;
  }
  if (urgent) c->ack_urgent = true;
}

/* Is the owed ACK sent at the end of this read batch? With --ack-delay 0 always (ACK policy 1
 * as documented: one per batch); otherwise once it was owed that long, or half the window
 * arrived since the last ACK, or it reports a gap or a duplicate. */
static bool ack_due(const Conn *c, int64_t now) {
  return o_ack_delay_ns == 0 || c->ack_urgent || now - c->ack_since >= o_ack_delay_ns ||
         (int32_t)(c->rexp - c->acked_rexp) >= c->win / 2;
}

static void on_data(Conn *c, uint32_t seq, const uint8_t *pl, size_t len, int flags,
                    int64_t now) {
  G.data_recv++;
  if (c->state != S_EST && c->state != S_FIN_WAIT) return;
  if (len > (size_t)c->maxpay) {
    protocol_error(c, "DATA payload longer than the negotiated max payload");
    return;
  }
  int32_t d = (int32_t)(seq - c->rexp);
  if (o_mode == MODE_GBN) {
    if (d == 0) {
      c->rexp++;
      accept_data(c, pl, len, flags, now);
    } else if (d < 0)
      G.arq_dup++;
    else
      G.arq_ooo++;
    owe_ack(c, now, d != 0); /* re-ACK of the last in-order frame for any other */
    return;
  }
  /* Selective Repeat */
  if (d < 0) {
    G.arq_dup++;
    if (d >= -c->win) owe_ack(c, now, true); /* its ACK was lost: ACK again */
    return;
  }
  if (d >= c->win) {
    G.arq_ooo++;
    return; /* outside the window: dropped, not acknowledged */
  }
  if (d > 0) {
    if (!c->sr_data) {
      uint32_t cap = 1;
      while (cap < (uint32_t)c->win) cap *= 2;
      c->rmask = cap - 1;
      c->sr_data = xmalloc((size_t)cap * MAXPAY);
      c->sr_len = xcalloc(cap, sizeof *c->sr_len);
      c->sr_flags = xcalloc(cap, 1);
      c->sr_have = xcalloc(cap, 1);
    }
    uint32_t s = seq & c->rmask;
    if (c->sr_have[s])
      G.arq_dup++;
    else {
      G.arq_ooo++;
      memcpy(c->sr_data + (size_t)s * MAXPAY, pl, len);
      c->sr_len[s] = (uint16_t)len;
      c->sr_flags[s] = (uint8_t)flags;
      c->sr_have[s] = 1;
    }
    owe_ack(c, now, true);
    return;
  }
  c->rexp++;
  accept_data(c, pl, len, flags, now);
  while (c->sr_data && c->state != S_CLOSED && c->sr_have[c->rexp & c->rmask]) {
    uint32_t s = c->rexp & c->rmask;
    c->sr_have[s] = 0;
    c->rexp++;
    accept_data(c, c->sr_data + (size_t)s * MAXPAY, c->sr_len[s], c->sr_flags[s], now);
  }
  owe_ack(c, now, false);
}

/* The batch's ACK: cumulative, with SACK ranges of what SR holds above it. */
static void send_ack(Conn *c) {
  c->ack_pending = false;
  c->ack_urgent = false;
  c->acked_rexp = c->rexp;
  uint8_t pl[1 + 8 * MAX_SACK];
  size_t len = 0;
  if (o_mode == MODE_SR && c->sr_data) {
    unsigned count = 0;
    int64_t start = -1;
    uint32_t seq = c->rexp + 1;
    for (int i = 1; i < c->win; i++, seq++) {
      bool have = c->sr_have[seq & c->rmask] != 0;
      if (have && start < 0)
        start = seq;
      else if (!have && start >= 0) {
        wr32(pl + 1 + 8 * count, (uint32_t)start);
        wr32(pl + 5 + 8 * count, seq);
        count++;
        start = -1;
        if (count == MAX_SACK) break;
      }
    }
    if (start >= 0 && count < MAX_SACK) {
      wr32(pl + 1 + 8 * count, (uint32_t)start);
      wr32(pl + 5 + 8 * count, seq);
      count++;
    }
    if (count > 0) {
      pl[0] = (uint8_t)count;
      len = 1 + 8 * (size_t)count;
    }
  }
  G.acks_sent++;
  emit(c, T_ACK, c->rexp - 1, 0, pl, len);
}

/* ---- handshake ---- */

/* Registration: the nickname as one message (a DATA message, or the first text line). */
static void send_nick(Conn *c, int64_t now) {
  char nick[64];
  int n = snprintf(nick, sizeof nick, "%s%d", o_prefix, c->idx);
  if (n >= (int)sizeof nick) n = (int)sizeof nick - 1;
  send_message(c, (const uint8_t *)nick, (uint32_t)n, now);
}

static void send_syn(Conn *c, int64_t now) {
  uint8_t p[7] = {1, (uint8_t)o_mode, (uint8_t)(o_window >> 8), (uint8_t)o_window, 1,
                  MAXPAY >> 8, MAXPAY & 0xff};
  c->hs_attempt++;
  if (c->hs_attempt > 1) G.retrans++;
  c->hs_sent = now;
  c->hs_resend = now + rto_ns(c);
  emit(c, T_SYN, c->isn, 0, p, sizeof p);
}

static void on_synack(Conn *c, uint32_t seq, const uint8_t *pl, size_t len, int64_t now) {
  if (c->state != S_SYN_SENT) {
    if ((c->state == S_EST || c->state == S_FIN_WAIT) && seq == c->peer_isn)
      emit(c, T_ACK, c->peer_isn, 0, NULL, 0); /* our ACK was lost: again */
    return;
  }
  if (len != 11) {
    protocol_error(c, "SYN-ACK: payload must be 11 bytes");
    return;
  }
  if (rd32(pl + 7) != c->isn) return; /* not an answer to our SYN */
  int mode = pl[1], win = pl[2] << 8 | pl[3], policy = pl[4], maxpay = pl[5] << 8 | pl[6];
  if (pl[0] != 1 || mode != o_mode || policy != 1 || win < 1 || win > o_window || maxpay < 1 ||
      maxpay > MAXPAY) {
    protocol_error(c, "SYN-ACK confirms parameters that were not requested");
    return;
  }
  if (c->hs_attempt == 1) rtt_sample(c, (double)(now - c->hs_sent) / 1e6);
  c->win = win;
  c->maxpay = maxpay;
  c->peer_isn = seq;
  c->rexp = seq + 1;
  c->acked_rexp = c->rexp;
  c->base = c->next = c->isn + 1;
  uint32_t cap = 1;
  while (cap < (uint32_t)win) cap *= 2;
  c->smask = cap - 1;
  c->slots = xcalloc(cap, sizeof *c->slots);
  c->sent_at = xcalloc(cap, sizeof *c->sent_at);
  c->resend_at = xcalloc(cap, sizeof *c->resend_at);
  c->xmit = xcalloc(cap, 1);
  c->acked = xcalloc(cap, 1);
  c->touts = xcalloc(cap, 1);
  c->gbn_timer = -1;
  c->state = S_EST;
  G.established++;
  G.connecting--;
  emit(c, T_ACK, c->peer_isn, 0, NULL, 0);
  send_nick(c, now);
}

/* The TCP connection is up: binary sends its SYN, text its nickname line at once (so the
 * server never prompts `NICK`); both at once, which also drops the EPOLLOUT interest. */
static void open_session(Conn *c, int64_t now) {
  if (o_proto == PROTO_TEXT) {
    c->state = S_EST;
    G.established++;
    G.connecting--;
    send_nick(c, now);
  } else {
    c->state = S_SYN_SENT;
    send_syn(c, now);
  }
  flush_conn(c);
}

/* ---- frames in ---- */

static void on_frame(Conn *c, const uint8_t *f, size_t len, int64_t now) {
  G.frames_recv++;
  if (ones_native(f, HDR + len) != 0xffff) {
    /* Nothing of a corrupt frame is trusted: NACK the next expected seq, once per value. */
    G.corrupt++;
    if ((c->state == S_EST || c->state == S_FIN_WAIT) &&
        !(c->nack_valid && c->nacked_for == c->rexp)) {
      c->nack_valid = true;
      c->nacked_for = c->rexp;
      G.nacks_sent++;
      emit(c, T_NACK, c->rexp, 0, NULL, 0);
    }
    return;
  }
  int type = f[3];
  uint32_t seq = rd32(f + 4);
  const uint8_t *pl = f + HDR;
  switch (type) {
  case T_DATA:
    on_data(c, seq, pl, len, f[10], now);
    break;
  case T_ACK:
    on_ack(c, seq, pl, len, now);
    break;
  case T_NACK:
    on_nack(c, seq, now);
    break;
  case T_SYNACK:
    on_synack(c, seq, pl, len, now);
    break;
  case T_PING:
    G.pings++;
    emit(c, T_PONG, seq, 0, NULL, 0);
    break;
  case T_PONG:
  case T_SYN:
    break;
  case T_FIN:
    emit(c, T_FINACK, seq, 0, NULL, 0);
    flush_conn(c);
    if (c->fin_sent || phase == P_DONE) {
      G.closed_ok++;
      conn_close(c);
    } else
      conn_fail(c, "closed by the server (FIN)");
    break;
  case T_FINACK:
    if (c->fin_sent && seq == c->fin_seq) {
      G.closed_ok++;
      conn_close(c);
    }
    break;
  case T_RST: {
    char why[300];
    snprintf(why, sizeof why, "reset by the server: %.*s", (int)(len > 200 ? 200 : len),
             (const char *)pl);
    conn_fail(c, why);
    break;
  }
  default: {
    char why[64];
    snprintf(why, sizeof why, "unknown frame type %d", type);
    protocol_error(c, why);
  }
  }
}

/* Every complete frame in b[pos, end); returns where the unfinished rest starts (the
 * connection may be closed on return). */
static size_t read_frames(Conn *c, const uint8_t *b, size_t pos, size_t end, int64_t now) {
  while (end - pos >= 3) {
    if (b[pos] != MAGIC) {
      char why[64];
      snprintf(why, sizeof why, "Bad magic byte: 0x%02X", b[pos]);
      protocol_error(c, why);
      return pos;
    }
    size_t len = (size_t)b[pos + 1] << 8 | b[pos + 2];
    if (len > MAXPAY) {
      protocol_error(c, "frame length over 1024");
      return pos;
    }
    if (end - pos < HDR + len) break;
    on_frame(c, b + pos, len, now);
    if (c->state == S_CLOSED) return pos;
    pos += HDR + len;
  }
  if (pos < end && b[pos] != MAGIC) protocol_error(c, "Bad magic byte");
  return pos;
}

/* Every complete line in b[pos, end); returns where the unfinished last line starts. */
static size_t read_lines(Conn *c, const uint8_t *b, size_t pos, size_t end, int64_t now) {
  const uint8_t *nl = memrchr(b + pos, '\n', end - pos);
  if (!nl) return pos;
  size_t stop = (size_t)(nl - b) + 1;
  on_message(c, b + pos, stop - pos, now);
  return stop;
}

/* One read() into the connection's buffer, then every complete frame (binary, then one ACK)
 * or line (text) in it. */
static void do_read(Conn *c) {
  bool text = o_proto == PROTO_TEXT;
  ssize_t n = read(c->fd, c->rbuf + c->rlen, RBUF - c->rlen);
  G.reads++;
  if (n == 0) {
    if (c->fin_sent || phase == P_DONE) {
      if (text && c->fin_sent && c->registered) G.closed_ok++; /* the close after QUIT */
      conn_close(c);
    } else if (c->rlen)
      conn_fail(c, text ? "connection lost inside a line" : "connection lost inside a frame");
    else
      conn_fail(c, "connection lost");
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) conn_fail(c, strerror(errno));
    return;
  }
  int64_t now = mono_ns();
  uint8_t *b = c->rbuf;
  size_t pos = 0, end = c->rlen + (size_t)n;
  while (c->prompt < 4 && pos < end) { /* a leading text prompt "NICK" is skipped */
    if (b[pos] == (uint8_t)"NICK"[c->prompt]) {
      c->prompt++;
      pos++;
    } else
      c->prompt = 4;
  }
  pos = text ? read_lines(c, b, pos, end, now) : read_frames(c, b, pos, end, now);
  if (c->state == S_CLOSED) return;
  if (pos > 0 && pos < end) memmove(b, b + pos, end - pos);
  c->rlen = end - pos;
  if (c->rlen == RBUF) { /* text: a line that fills the buffer */
    conn_fail(c, "line over 256 KiB from the server");
    return;
  }
  if (c->ack_pending && ack_due(c, now)) send_ack(c);
}

/* ---- timers ---- */

static void conn_timers(Conn *c, int64_t now) {
  if (c->state == S_SYN_SENT) {
    if (now >= c->hs_resend) {
      G.timeouts++;
      rto_backoff(c);
      send_syn(c, now);
    }
    return;
  }
  if (c->state != S_EST && c->state != S_FIN_WAIT) return;
  if (c->ack_pending && now - c->ack_since >= o_ack_delay_ns) send_ack(c);
  if (c->base != c->next) {
    if (o_mode == MODE_GBN) {
      if (c->gbn_timer >= 0 && now >= c->gbn_timer) {
        G.timeouts++;
        rto_backoff(c);
        for (uint32_t seq = c->base; seq != c->next; seq++) resend(c, seq, now);
        c->gbn_timer = now + rto_ns(c);
      }
    } else {
      for (uint32_t seq = c->base; seq != c->next; seq++) {
        uint32_t s = seq & c->smask;
        if (c->acked[s] || c->resend_at[s] > now) continue;
        G.timeouts++;
        if (c->touts[s] < 255) c->touts[s]++;
        rto_backoff_to(c, c->touts[s]);
        resend(c, seq, now);
      }
    }
  }
  if (c->fin_sent && c->state == S_FIN_WAIT && now >= c->fin_resend) {
    G.timeouts++;
    rto_backoff(c);
    send_fin(c, now);
  }
}

/* ---- connections ---- */

static void start_connect(Conn *c, int64_t now) {
  int fd = socket(srv_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    note_error("socket: %s", strerror(errno));
    c->failed = true;
    c->state = S_CLOSED;
    G.failed++;
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->fd = fd;
  G.connecting++;
  int r = connect(fd, (struct sockaddr *)&srv_addr, srv_len);
  if (r < 0 && errno != EINPROGRESS) {
    conn_fail(c, strerror(errno));
    return;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)c->idx};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  c->want_out = true;
  c->state = S_CONNECTING;
  if (r == 0) open_session(c, now); /* connected at once: no NICK prompt comes */
}

static void finish_connect(Conn *c, int64_t now) {
  int err = 0;
  socklen_t el = sizeof err;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
  if (err) {
    char why[128];
    snprintf(why, sizeof why, "connect: %s", strerror(err));
    conn_fail(c, why);
    return;
  }
  open_session(c, now);
}

/* ---- percentiles ---- */

static float qselect(float *a, int64_t n, int64_t k) {
  int64_t lo = 0, hi = n - 1;
  while (lo < hi) {
    float x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi], pivot;
    if (x < y)
      pivot = y < z ? y : (x < z ? z : x);
    else
      pivot = x < z ? x : (y < z ? z : y);
    int64_t i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return a[k];
  }
  return a[k];
}

/* Nearest-rank percentiles num/den (ascending), exact. */
static void percentiles(const int64_t *num, const int64_t *den, int count, double *out) {
  int64_t n = (int64_t)lat_n, from = 0;
  for (int i = 0; i < count; i++) {
    if (n == 0) {
      out[i] = 0;
      continue;
    }
    int64_t k = (n * num[i] + den[i] - 1) / den[i] - 1;
    if (k < from) k = from;
    out[i] = qselect(lat + from, n - from, k - from);
    from = k;
  }
}

/* ---- main ---- */

static void usage(void) {
  fprintf(stderr,
          "usage: arqload --port P [--host 127.0.0.1] [--proto binary|text] [--clients N]\n"
          "               [--mode gbn|sr] [--window 64] [--ack-delay 0] [--size 64]\n"
          "               [--rate R | --messages M --inflight K] [--duration 8] [--timeout 60]\n"
          "               [--server-pid PID] [--prefix c] [--seed 1] [--no-probe] [--json]\n"
          "  --rate R: messages/s per client, open loop for --duration s; 0 = closed loop\n"
          "  --mode, --window, --ack-delay: binary protocol only (refused with --proto text)\n");
}

/* The value of `--name v` when v is `a` or `b`; else a message and -1. */
static int choice(const char *name, const char *v, const char *a, int va, const char *b, int vb) {
  if (!strcmp(v, a)) return va;
  if (!strcmp(v, b)) return vb;
  fprintf(stderr, "arqload: --%s %s or %s\n", name, a, b);
  return -1;
}

static double num_arg(const char *name, const char *v) {
  char *end;
  double x = strtod(v, &end);
  if (end == v || *end) {
    fprintf(stderr, "arqload: --%s: not a number: %s\n", name, v);
    exit(2);
  }
  return x;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"host", required_argument, 0, 'h'},     {"port", required_argument, 0, 'p'},
      {"clients", required_argument, 0, 'c'},  {"mode", required_argument, 0, 'm'},
      {"window", required_argument, 0, 'w'},   {"size", required_argument, 0, 's'},
      {"rate", required_argument, 0, 'r'},     {"duration", required_argument, 0, 'd'},
      {"messages", required_argument, 0, 'M'}, {"inflight", required_argument, 0, 'k'},
      {"timeout", required_argument, 0, 't'},  {"server-pid", required_argument, 0, 'P'},
      {"prefix", required_argument, 0, 'x'},   {"seed", required_argument, 0, 'S'},
      {"ack-delay", required_argument, 0, 'A'}, {"json", no_argument, 0, 'j'},
      {"no-probe", no_argument, 0, 'n'},       {"proto", required_argument, 0, 'T'},
      {"help", no_argument, 0, '?'},
      {0, 0, 0, 0}};
  int ch;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case 'h': o_host = optarg; break;
    case 'p': o_port = (int)num_arg("port", optarg); break;
    case 'c': o_clients = (int)num_arg("clients", optarg); break;
    case 'T':
      o_proto = choice("proto", optarg, "binary", PROTO_BINARY, "text", PROTO_TEXT);
      if (o_proto < 0) return 2;
      break;
    case 'm':
      o_arq_opt = "--mode";
      o_mode = choice("mode", optarg, "gbn", MODE_GBN, "sr", MODE_SR);
      if (o_mode < 0) return 2;
      break;
    case 'w':
      o_arq_opt = "--window";
      o_window = (int)num_arg("window", optarg);
      break;
    case 's': o_size = (int)num_arg("size", optarg); break;
    case 'r': o_rate = num_arg("rate", optarg); break;
    case 'd': o_duration = num_arg("duration", optarg); break;
    case 'M': o_messages = (long)num_arg("messages", optarg); break;
    case 'k': o_inflight = (long)num_arg("inflight", optarg); break;
    case 't': o_timeout = num_arg("timeout", optarg); break;
    case 'P': o_server_pid = (long)num_arg("server-pid", optarg); break;
    case 'x': o_prefix = optarg; break;
    case 'S': o_seed = (uint64_t)num_arg("seed", optarg); break;
    case 'A':
      o_arq_opt = "--ack-delay";
      o_ack_delay_ns = (int64_t)(num_arg("ack-delay", optarg) * 1e6);
      break;
    case 'j': o_json = true; break;
    case 'n': o_probe = false; break;
    default: usage(); return 2;
    }
  }
  if (optind < argc || o_port <= 0 || o_port > 65535 || o_clients < 1 || o_window < 1 ||
      o_window > 256 || o_size < 1 || o_size > 32768 || o_rate < 0 || o_duration <= 0 ||
      o_messages < 1 || o_inflight < 0 || o_timeout <= 0) {
    usage();
    return 2;
  }
  if (o_proto == PROTO_TEXT && o_arq_opt) {
    fprintf(stderr, "arqload: %s applies to the binary protocol only, not to --proto text\n",
            o_arq_opt);
    return 2;
  }
  N = o_clients;
  if (o_inflight == 0) o_inflight = (1280 + N - 1) / N;
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)N + 64) {
    rl.rlim_cur = rl.rlim_max < (rlim_t)N + 64 ? rl.rlim_max : (rlim_t)N + 64;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  /* server address */
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
  char port[16];
  snprintf(port, sizeof port, "%d", o_port);
  int gr = getaddrinfo(o_host, port, &hints, &ai);
  if (gr != 0) {
    fprintf(stderr, "arqload: %s: %s\n", o_host, gai_strerror(gr));
    return 2;
  }
  memcpy(&srv_addr, ai->ai_addr, ai->ai_addrlen);
  srv_len = ai->ai_addrlen;
  freeaddrinfo(ai);

  /* workload plan and bookkeeping arrays */
  cnt_plan = xcalloc((size_t)N, sizeof *cnt_plan);
  if (o_rate > 0) {
    Mmax = 0;
    for (int i = 0; i < N; i++) {
      long k = 0;
      double x = o_rate * o_duration - (double)i / N;
      if (x > 0) k = (long)x - 1 < 0 ? 0 : (long)x - 1;
      while (((double)k + (double)i / N) / o_rate < o_duration) k++;
      cnt_plan[i] = k;
      if (k > Mmax) Mmax = k;
    }
  } else {
    Mmax = o_messages;
    for (int i = 0; i < N; i++) cnt_plan[i] = o_messages;
  }
  if (Mmax < 1) Mmax = 1;
  double bits = (double)N * N * (double)Mmax;
  if (bits / 8 > 2e9) {
    fprintf(stderr, "arqload: %d clients x %ld messages need %.1f GB of delivery bitmap\n", N,
            Mmax, bits / 8e9);
    return 2;
  }
  seen = xcalloc((size_t)(bits / 8) + 1, 1);
  next_seq = xcalloc((size_t)N * N, sizeof *next_seq);
  reached = xcalloc((size_t)N * (size_t)Mmax, sizeof *reached);
  sent = xcalloc((size_t)N, sizeof *sent);
  completed = xcalloc((size_t)N, sizeof *completed);
  {
    double exp = 0;
    for (int i = 0; i < N; i++) exp += (double)cnt_plan[i] * (N - 1);
    lat_cap = exp > (double)LAT_CAP ? LAT_CAP : (size_t)exp;
    lat = xmalloc((lat_cap + 1) * sizeof *lat); /* untouched pages cost nothing */
  }
  dirty = xmalloc((size_t)N * sizeof *dirty);

  ep = epoll_create1(EPOLL_CLOEXEC);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (ep < 0 || tfd < 0) {
    perror("arqload: epoll/timerfd");
    return 2;
  }
  {
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  }

  t0 = mono_ns();
  uint64_t rng = o_seed;
  conns = xcalloc((size_t)N, sizeof *conns);
  for (int i = 0; i < N; i++) {
    Conn *c = &conns[i];
    c->idx = i;
    c->fd = -1;
    c->state = S_IDLE;
    c->rbuf = xmalloc(RBUF);
    c->rto = RTO_INIT;
    c->isn = (uint32_t)splitmix(&rng);
  }

  int next_to_connect = 0;
  int64_t reg_deadline = t0 + (int64_t)(o_timeout * 1e9), run_deadline = 0;
  int64_t next_scan = t0, teardown_deadline = 0, probe_at = 0, probe_gap = 0;
  int status = 0; /* 0 complete, 1 timeout, 2 failed */
  Counters at0 = {0, 0, -1, 0, 0}, at1 = {0, 0, -1, 0, 0}; /* start and end of the run */
  bool teardown = false;
  struct epoll_event evs[512];

  for (;;) {
    int64_t now = mono_ns();
    /* connect in batches */
    while (phase == P_CONNECT && next_to_connect < N && G.connecting < CONNECT_BATCH) {
      start_connect(&conns[next_to_connect++], now);
    }
    int timeout = SCAN_MS;
    int nev = epoll_wait(ep, evs, (int)(sizeof evs / sizeof evs[0]), timeout);
    int64_t woke = mono_ns();
    if (nev < 0 && errno != EINTR) {
      perror("arqload: epoll_wait");
      return 2;
    }
    for (int e = 0; e < nev; e++) {
      uint32_t id = evs[e].data.u32;
      if (id == UINT32_MAX) {
        uint64_t x;
        ssize_t rr = read(tfd, &x, sizeof x);
        (void)rr;
        continue;
      }
      Conn *c = &conns[id];
      if (c->state == S_CLOSED || c->fd < 0) continue;
      uint32_t ev = evs[e].events;
      if (c->state == S_CONNECTING) {
        if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) finish_connect(c, mono_ns());
        continue;
      }
      if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) do_read(c);
      if (c->state != S_CLOSED && (ev & EPOLLOUT)) flush_conn(c);
    }
    now = mono_ns();

    /* phase transitions */
    if (phase == P_CONNECT && (int)G.registered == N && o_probe && N > 1) {
      phase = P_PROBE; /* client 0's probe line must reach every other client */
      probe_gap = 20000000LL;
      probe_at = now;
    }
    if (phase == P_PROBE) {
      if ((int)G.probed == N - 1) {
        phase = P_CONNECT; /* registered and drained: start below */
      } else if (G.failed > 0 || now > reg_deadline) {
        phase = P_CONNECT;
      } else if (now >= probe_at) {
        send_message(&conns[0], (const uint8_t *)"MSG probe", 9, now);
        G.probes++;
        probe_at = now + probe_gap;
        if (probe_gap < 1000000000LL) probe_gap *= 2;
      }
    }
    if (phase == P_CONNECT) {
      if ((int)G.registered == N && (!o_probe || N == 1 || (int)G.probed == N - 1)) {
        phase = P_RUN;
        G.send_start = now;
        G.last_delivery = now;
        at0 = read_counters();
        run_deadline = now + (int64_t)((o_timeout + (o_rate > 0 ? o_duration : 0)) * 1e9);
        period_ns = o_rate > 0 ? 1e9 / o_rate : 0;
        if (o_rate <= 0)
          for (int i = 0; i < N; i++) closed_loop_pump(i, now);
      } else if (G.failed > 0 || now > reg_deadline) {
        if (G.failed == 0 && (int)G.registered < N)
          note_error("registration timed out: %llu of %d clients registered",
                     (unsigned long long)G.registered, N);
        else if (G.failed == 0)
          note_error("probe barrier timed out: %llu of %d clients saw the probe",
                     (unsigned long long)G.probed, N - 1);
        status = 2;
        phase = P_DONE;
        G.send_start = G.last_delivery = G.run_end = now;
        at0.cpu = at1.cpu = cpu_self_s();
      }
    } else if (phase == P_RUN || phase == P_DRAIN) {
      uint64_t expected = 0;
      for (int i = 0; i < N; i++) expected += (uint64_t)sent[i] * (uint64_t)(N - 1);
      bool done = phase == P_DRAIN && G.deliveries >= expected;
      if (done || G.failed > 0 || now > run_deadline) {
        if (!done) {
          status = G.failed > 0 ? 2 : 1;
          if (status == 1) note_error("run timed out (--timeout %g)", o_timeout);
        }
        G.run_end = now;
        at1 = read_counters();
        phase = P_DONE;
      }
    }

    /* open loop: every message due by now, on the absolute schedule */
    if (phase == P_RUN && o_rate > 0) {
      while (cur_k < cnt_plan[0]) {
        if (cur_k >= cnt_plan[cur_i]) { /* plans shrink with i: this round is over */
          cur_i = 0;
          cur_k++;
          continue;
        }
        int64_t due = G.send_start + (int64_t)(((double)cur_k + (double)cur_i / N) * period_ns);
        if (due > now) {
          if (due == armed_due) break;
          armed_due = due;
          struct itimerspec its = {.it_value = {.tv_sec = due / 1000000000LL,
                                                .tv_nsec = due % 1000000000LL}};
          timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
          break;
        }
        int64_t t = mono_ns();
        if (t - due > G.max_lag_ns) G.max_lag_ns = t - due;
        send_workload(cur_i, t);
        if (++cur_i == N) {
          cur_i = 0;
          cur_k++;
        }
      }
      if (cur_k >= cnt_plan[0]) phase = P_DRAIN;
    } else if (phase == P_RUN) {
      bool all = true;
      for (int i = 0; i < N && all; i++)
        if (sent[i] < o_messages) all = false;
      if (all) phase = P_DRAIN;
    }

    if (o_proto == PROTO_BINARY && now >= next_scan) { /* text sessions have no timers */
      for (int i = 0; i < N; i++) conn_timers(&conns[i], now);
      next_scan = now + SCAN_MS * 1000000LL;
    }

    flush_dirty(); /* one write per dirty connection per iteration */
    now = mono_ns();
    if ((phase == P_RUN || phase == P_DRAIN) && now - woke > G.max_iter_ns)
      G.max_iter_ns = now - woke;

    if (phase == P_DONE) {
      if (!teardown) {
        /* polite close: FIN once everything sent was acknowledged, or QUIT */
        teardown = true;
        teardown_deadline = now + 3000000000LL;
        for (int i = 0; i < N; i++) {
          Conn *c = &conns[i];
          if (c->state == S_EST) {
            c->closing = true;
            maybe_fin(c, now);
          } else if (c->state != S_CLOSED && c->state != S_FIN_WAIT)
            conn_close(c);
        }
        flush_dirty();
      }
      bool open = false;
      for (int i = 0; i < N && !open; i++)
        if (conns[i].state != S_CLOSED) open = true;
      if (!open || now > teardown_deadline) break;
    }
  }
  for (int i = 0; i < N; i++) conn_close(&conns[i]);

  /* ---- report ---- */
  uint64_t sent_total = G.sent, expected = 0;
  for (int i = 0; i < N; i++) expected += (uint64_t)sent[i] * (uint64_t)(N - 1);
  uint64_t lost = expected > G.deliveries ? expected - G.deliveries : 0;
  double span = (double)(G.last_delivery - G.send_start) / 1e9;
  double run_s = (double)(G.run_end - G.send_start) / 1e9;
  double dps = span > 0 ? (double)G.deliveries / span : 0;
  double gen_cpu = at1.cpu - at0.cpu, gen_pct = run_s > 0 ? 100 * gen_cpu / run_s : 0;
  static const int64_t num[] = {1, 9, 99, 999}, den[] = {2, 10, 100, 1000};
  double pc[4];
  percentiles(num, den, 4, pc);
  double mean = G.deliveries ? lat_sum / (double)G.deliveries : 0;
  double maxl = G.deliveries ? lat_max : 0;
  double srv_cpu = (at0.srv >= 0 && at1.srv >= 0) ? at1.srv - at0.srv : -1;
  double srv_ns = srv_cpu >= 0 && G.deliveries ? srv_cpu * 1e9 / (double)G.deliveries : -1;
  double srtt = 0;
  int ns = 0;
  for (int i = 0; i < N; i++)
    if (conns[i].samples > 0) {
      srtt += conns[i].srtt;
      ns++;
    }
  if (ns) srtt /= ns;
  bool ok = status == 0 && lost == 0 && G.duplicated == 0 && G.ooo == 0 && G.self == 0;
  const char *st = status == 0 ? "complete" : status == 1 ? "timeout" : "failed";
  const char *mode = o_mode == MODE_GBN ? "gbn" : "sr";
  bool arq = o_proto == PROTO_BINARY; /* text sessions have no ARQ figures to report */
  if (lat_n < G.deliveries && !o_json)
    fprintf(stderr, "arqload: percentiles over the first %zu latencies only\n", lat_n);

  if (o_json) {
    printf("{\"tool\":\"arqload\",\"proto\":\"%s\",\"status\":\"%s\",\"ok\":%s,\"clients\":%d,",
           arq ? "binary" : "text", st, ok ? "true" : "false", N);
    if (arq)
      printf("\"mode\":\"%s\",\"window\":%d,\"ack_delay_ms\":%g,", mode, o_window,
             (double)o_ack_delay_ns / 1e6);
    printf("\"size\":%d,\"rate\":%g,", o_size, o_rate);
    if (o_rate > 0)
      printf("\"duration\":%g,\"offered_deliveries_per_s\":%.0f,", o_duration,
             o_rate * N * (N - 1));
    else
      printf("\"messages\":%ld,\"inflight\":%ld,", o_messages, o_inflight);
    printf("\"sent\":%llu,\"deliveries\":%llu,\"expected\":%llu,\"lost\":%llu,"
           "\"duplicated\":%llu,\"out_of_order\":%llu,\"elapsed_s\":%.6f,\"run_s\":%.6f,"
           "\"deliveries_per_s\":%.1f,",
           (unsigned long long)sent_total, (unsigned long long)G.deliveries,
           (unsigned long long)expected, (unsigned long long)lost,
           (unsigned long long)G.duplicated, (unsigned long long)G.ooo, span, run_s, dps);
    printf("\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,"
           "\"mean\":%.3f},",
           pc[0], pc[1], pc[2], pc[3], maxl, mean);
    printf("\"generator_cpu_s\":%.3f,\"generator_cpu_pct\":%.1f,\"reads\":%llu,\"writes\":%llu,",
           gen_cpu, gen_pct, (unsigned long long)(at1.reads - at0.reads),
           (unsigned long long)(at1.writes - at0.writes));
    if (arq)
      printf("\"retransmissions\":%llu,\"timeouts\":%llu,", (unsigned long long)G.retrans,
             (unsigned long long)G.timeouts);
    printf("\"max_send_lag_ms\":%.3f,", (double)G.max_lag_ns / 1e6);
    if (arq)
      printf("\"window_waits\":%llu,\"mean_srtt_ms\":%.3f,", (unsigned long long)G.window_waits,
             srtt);
    printf("\"max_loop_ms\":%.3f,\"involuntary_switches\":%ld,", (double)G.max_iter_ns / 1e6,
           at1.csw - at0.csw);
    if (arq)
      printf("\"arq\":{\"frames_received\":%llu,\"data_received\":%llu,\"acks_received\":%llu,"
             "\"acks_sent\":%llu,\"data_sent\":%llu,\"corrupt\":%llu,\"nacks_sent\":%llu,"
             "\"nacks_received\":%llu,\"duplicate_frames\":%llu,\"out_of_order_frames\":%llu},",
             (unsigned long long)G.frames_recv, (unsigned long long)G.data_recv,
             (unsigned long long)G.acks_recv, (unsigned long long)G.acks_sent,
             (unsigned long long)G.data_sent, (unsigned long long)G.corrupt,
             (unsigned long long)G.nacks_sent, (unsigned long long)G.nacks_recv,
             (unsigned long long)G.arq_dup, (unsigned long long)G.arq_ooo);
    printf("\"%s\":%llu,\"foreign_lines\":%llu,\"self_deliveries\":%llu,"
           "\"error_replies\":%llu,",
           arq ? "closed_with_fin" : "closed_after_quit", (unsigned long long)G.closed_ok,
           (unsigned long long)G.foreign, (unsigned long long)G.self,
           (unsigned long long)G.status_err);
    if (srv_cpu >= 0)
      printf("\"server_pid\":%ld,\"server_cpu_s\":%.3f,\"server_cpu_pct\":%.1f,"
             "\"server_ns_per_delivery\":%.1f,",
             o_server_pid, srv_cpu, run_s > 0 ? 100 * srv_cpu / run_s : 0, srv_ns);
    printf("\"first_error\":\"");
    for (const char *p = G.first_error[0] ? G.first_error : G.first_status_err; *p; p++) {
      if (*p == '"' || *p == '\\') putchar('\\');
      if ((unsigned char)*p >= 0x20) putchar(*p);
    }
    printf("\"}\n");
  } else {
    printf("arqload: %d clients, ", N);
    if (arq)
      printf("%s, window %d, ack delay %g ms, ", mode, o_window, (double)o_ack_delay_ns / 1e6);
    else
      printf("text protocol, ");
    printf("size %d, ", o_size);
    if (o_rate > 0)
      printf("open loop %g msg/s per client for %g s (offered %.0f deliveries/s)\n", o_rate,
             o_duration, o_rate * N * (N - 1));
    else
      printf("closed loop %ld messages per client, %ld in flight\n", o_messages, o_inflight);
    printf("  status          %s%s\n", st, ok ? "" : " (PROBLEMS)");
    printf("  sent            %llu messages\n", (unsigned long long)sent_total);
    printf("  deliveries      %llu of %llu expected: lost %llu, duplicated %llu, out of order "
           "%llu\n",
           (unsigned long long)G.deliveries, (unsigned long long)expected,
           (unsigned long long)lost, (unsigned long long)G.duplicated,
           (unsigned long long)G.ooo);
    printf("  deliveries/s    %.0f  (over %.3f s, start of sending to last delivery)\n", dps,
           span);
    printf("  latency ms      p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f\n",
           pc[0], pc[1], pc[2], pc[3], maxl, mean);
    printf("  generator CPU   %.3f s = %.1f %% of %.3f s; longest loop iteration %.3f ms, "
           "%ld involuntary context switches\n",
           gen_cpu, gen_pct, run_s, (double)G.max_iter_ns / 1e6, at1.csw - at0.csw);
    if (srv_cpu >= 0)
      printf("  server CPU      %.3f s = %.1f %%, %.1f ns per delivery (pid %ld)\n", srv_cpu,
             run_s > 0 ? 100 * srv_cpu / run_s : 0, srv_ns, o_server_pid);
    printf("  syscalls        %llu reads, %llu writes during the run\n",
           (unsigned long long)(at1.reads - at0.reads), (unsigned long long)(at1.writes - at0.writes));
    if (arq) {
      printf("  ARQ             %llu retransmissions, %llu timeouts, mean SRTT %.3f ms, "
             "%llu messages queued behind a full window\n",
             (unsigned long long)G.retrans, (unsigned long long)G.timeouts, srtt,
             (unsigned long long)G.window_waits);
      printf("  ARQ in          %llu frames (%llu DATA), %llu ACKs sent, %llu corrupt, "
             "%llu duplicate / %llu out-of-order frames\n",
             (unsigned long long)G.frames_recv, (unsigned long long)G.data_recv,
             (unsigned long long)G.acks_sent, (unsigned long long)G.corrupt,
             (unsigned long long)G.arq_dup, (unsigned long long)G.arq_ooo);
    }
    if (o_rate > 0) printf("  max send lag    %.3f ms\n", (double)G.max_lag_ns / 1e6);
    if (G.foreign || G.self || G.status_err)
      printf("  other           %llu foreign chat lines, %llu own lines, %llu error replies%s%s\n",
             (unsigned long long)G.foreign, (unsigned long long)G.self,
             (unsigned long long)G.status_err, G.first_status_err[0] ? ": " : "",
             G.first_status_err);
    printf("  teardown        %llu of %d sessions closed %s\n", (unsigned long long)G.closed_ok, N,
           arq ? "with FIN / FIN-ACK" : "by the server after QUIT");
    if (G.first_error[0]) printf("  first error     %s\n", G.first_error);
  }
  return ok ? 0 : 1;
}
