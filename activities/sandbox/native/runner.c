/*
 * runner: pid 1 inside one box (bwrap --as-pid-1), running the judged program once per request. One box per
 * solution serves all of its tests, so the namespaces, mounts, seccomp and cgroup join (most of the cost of a
 * sandbox, measured ~15 ms/run) are paid once, while every run still starts from a clean state: the runner
 * kills every other process in its pid namespace after each run and empties the writable directories.
 *
 * Being the namespace's init protects it: the kernel drops signals from inside the namespace to init unless init
 * handles them, so the judged code's kill(-1) cannot take the runner down; orphans are re-parented to it and
 * reaped; and when it exits, the kernel kills everything left in the namespace. It is non-dumpable, so code
 * running under the same uid cannot open its /proc/1/{mem,fd}.
 *
 *   runner [--wipe DIR]... -- PROGRAM ARGS...
 *
 * fd 0: requests from the worker: "R <inputLen> <outCap> <errCap> <cpuSec> <fsizeBytes> <asBytes>\n" + input
 *       bytes (run once), "F <len> <name>\n" + bytes (create a file in the working directory), "Q\n" (exit).
 * fd 1: frames to the worker: type byte, u32 little-endian length, payload. 'H' ready, 'O' stdout chunk,
 *       'E' stderr chunk, 'X' end of run (text key=value), 'Z' runner failure (text; it then exits 3).
 * fd 3: kill pipe: any byte kills the current run (the worker's CPU/wall timers). A separate pipe because fd 0
 *       may still hold input the program never reads.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CTL_IN 0
#define CTL_OUT 1
#define KILL_FD 3
#define BUF 65536
#define MAX_WIPE 8

static char **prog_argv;
static const char *wipe_dirs[MAX_WIPE];
static int nwipe;
static int sigfd;

static void write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(4); /* the worker is gone */
    }
    c += w;
    n -= (size_t)w;
  }
}

static void frame(char type, const void *p, uint32_t n) {
  unsigned char h[5] = {(unsigned char)type, (unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                        (unsigned char)(n >> 24)};
  write_all(CTL_OUT, h, 5);
  if (n) write_all(CTL_OUT, p, n);
}

static void fail(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n >= (int)sizeof msg) n = sizeof msg - 1;
  frame('Z', msg, (uint32_t)n);
  _exit(3);
}

static ssize_t read_full(int fd, void *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r < 0 ? -1 : (ssize_t)got;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

static int read_line(char *buf, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    ssize_t r = read(CTL_IN, buf + n, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    if (buf[n] == '\n') { buf[n] = 0; return 0; }
    n++;
  }
  fail("request line too long");
  return -1;
}

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Every other process in the namespace: the program, its children, daemons it detached. Then reap them all. */
static void kill_all_and_reap(void) {
  kill(-1, SIGKILL);
  for (;;) {
    pid_t p = waitpid(-1, NULL, __WALL);
    if (p > 0) continue;
    if (errno == EINTR) continue;
    if (errno == ECHILD) break;
    fail("waitpid: %s", strerror(errno));
  }
  /* drain queued SIGCHLD notifications */
  struct signalfd_siginfo si;
  while (read(sigfd, &si, sizeof si) > 0) {}
}

/* Removes everything below dir (not dir itself). The program may have chmod-ed its own dirs to 000; we own them. */
static int wipe(int dirfd) {
  DIR *d = fdopendir(dirfd);
  if (!d) { close(dirfd); return -1; }
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (unlinkat(dirfd, e->d_name, 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) { rc = -1; continue; }
    fchmodat(dirfd, e->d_name, 0700, 0);
    int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0 || wipe(sub) != 0 || unlinkat(dirfd, e->d_name, AT_REMOVEDIR) != 0) rc = -1;
  }
  closedir(d);
  return rc;
}

static void wipe_all(void) {
  for (int i = 0; i < nwipe; i++) {
    chmod(wipe_dirs[i], 01777);
    int fd = open(wipe_dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || wipe(fd) != 0) fail("cannot empty %s", wipe_dirs[i]);
  }
}

static void put_file(size_t len, const char *name) {
  if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) fail("bad file name");
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("create %s: %s", name, strerror(errno));
  static char buf[BUF];
  while (len > 0) {
    size_t n = len < BUF ? len : BUF;
    if (read_full(CTL_IN, buf, n) != (ssize_t)n) _exit(4);
    write_all(fd, buf, n);
    len -= n;
  }
  close(fd);
}

static void set_lim(int res, unsigned long long soft, unsigned long long hard) {
  struct rlimit rl = {soft, hard};
  setrlimit(res, &rl);
}

static void run_once(unsigned long long input_len, unsigned long long out_cap, unsigned long long err_cap,
                     unsigned long long cpu_sec, unsigned long long fsize, unsigned long long as_bytes) {
  /* A kill byte sent for the previous run arrived before this request: discard it. */
  char junk[64];
  while (read(KILL_FD, junk, sizeof junk) > 0) {}

  int in[2], out[2], err[2], ex[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(ex, O_CLOEXEC))
    fail("pipe: %s", strerror(errno));
  int64_t t0 = now_us();
  pid_t pid = fork();
  if (pid < 0) fail("fork: %s", strerror(errno));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (cpu_sec) set_lim(RLIMIT_CPU, cpu_sec, cpu_sec + 1);
    if (fsize) set_lim(RLIMIT_FSIZE, fsize, fsize);
    if (as_bytes) set_lim(RLIMIT_AS, as_bytes, as_bytes);
    /* SIG_IGN and the signal mask survive exec; the program gets a default signal state. */
    signal(SIGPIPE, SIG_DFL);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    execv(prog_argv[0], prog_argv);
    int e = errno;
    write(ex[1], &e, sizeof e);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(ex[1]);
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);

  static char ibuf[BUF], obuf[BUF];
  size_t ilen = 0, ioff = 0;
  unsigned long long in_left = input_len, out_n = 0, err_n = 0;
  int in_open = 1, out_open = 1, err_open = 1, exited = 0, ole = 0, killed = 0, status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  int64_t t_end = 0;
  if (in_left == 0) { close(in[1]); in_open = 0; }

  while (!exited || out_open || err_open || in_left > 0) {
    struct pollfd p[6];
    int np = 0, i_ctl = -1, i_in = -1, i_out = -1, i_err = -1, i_kill = -1, i_sig = -1;
    if (in_left > 0 && ilen == ioff) { i_ctl = np; p[np++] = (struct pollfd){CTL_IN, POLLIN, 0}; }
    if (in_open && ilen > ioff) { i_in = np; p[np++] = (struct pollfd){in[1], POLLOUT, 0}; }
    if (out_open) { i_out = np; p[np++] = (struct pollfd){out[0], POLLIN, 0}; }
    if (err_open) { i_err = np; p[np++] = (struct pollfd){err[0], POLLIN, 0}; }
    if (!exited) {
      i_kill = np; p[np++] = (struct pollfd){KILL_FD, POLLIN, 0};
      i_sig = np; p[np++] = (struct pollfd){sigfd, POLLIN, 0};
    }
    if (np == 0) break;
    if (poll(p, (nfds_t)np, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll: %s", strerror(errno));
    }
    if (i_ctl >= 0 && p[i_ctl].revents) {
      size_t want = in_left < BUF ? (size_t)in_left : BUF;
      ssize_t r = read(CTL_IN, ibuf, want);
      if (r <= 0) { if (r < 0 && errno == EINTR) continue; _exit(4); }
      in_left -= (unsigned long long)r;
      if (in_open) { ilen = (size_t)r; ioff = 0; }
    }
    if (i_in >= 0 && p[i_in].revents) {
      ssize_t w = write(in[1], ibuf + ioff, ilen - ioff);
      if (w > 0) ioff += (size_t)w;
      else if (w < 0 && errno != EAGAIN && errno != EINTR) { close(in[1]); in_open = 0; ilen = ioff = 0; }
    }
    if (in_open && in_left == 0 && ilen == ioff) { close(in[1]); in_open = 0; }
    if (!in_open) ilen = ioff = 0; /* program closed stdin: keep consuming input from fd 0 and drop it */
    if (i_out >= 0 && p[i_out].revents) {
      ssize_t r = read(out[0], obuf, BUF);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { close(out[0]); out_open = 0; }
      else if (r > 0) {
        unsigned long long room = out_cap - out_n;
        if ((unsigned long long)r > room) {
          if (room) frame('O', obuf, (uint32_t)room);
          out_n = out_cap;
          if (!ole && !exited) kill(-1, SIGKILL);
          ole = 1;
        } else {
          frame('O', obuf, (uint32_t)r);
          out_n += (unsigned long long)r;
        }
      }
    }
    if (i_err >= 0 && p[i_err].revents) {
      ssize_t r = read(err[0], obuf, BUF);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { close(err[0]); err_open = 0; }
      else if (r > 0 && err_n < err_cap) {
        unsigned long long n = (unsigned long long)r < err_cap - err_n ? (unsigned long long)r : err_cap - err_n;
        frame('E', obuf, (uint32_t)n);
        err_n += n;
      }
    }
    if (i_kill >= 0 && p[i_kill].revents) {
      while (read(KILL_FD, junk, sizeof junk) > 0) {}
      kill(-1, SIGKILL);
      killed = 1;
    }
    if (i_sig >= 0 && p[i_sig].revents) {
      struct signalfd_siginfo si;
      while (read(sigfd, &si, sizeof si) > 0) {}
      pid_t w = wait4(pid, &status, WNOHANG, &ru);
      if (w == pid) {
        exited = 1;
        t_end = now_us();
        /* Grandchildren may hold stdout open forever (a detached daemon): end them now, so the pipes hit EOF. */
        kill_all_and_reap();
      }
    }
  }
  if (in_open) close(in[1]);
  int exec_errno = 0;
  if (read(ex[0], &exec_errno, sizeof exec_errno) != sizeof exec_errno) exec_errno = 0;
  close(ex[0]);

  char x[512];
  long long utime = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
  long long stime = (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
  int n = snprintf(x, sizeof x,
                   "exit=%d sig=%d ole=%d killed=%d wall_us=%lld utime_us=%lld stime_us=%lld maxrss_kb=%ld execerr=%d",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0, ole,
                   killed, (long long)(t_end - t0), utime, stime, ru.ru_maxrss, exec_errno);
  wipe_all();
  frame('X', x, (uint32_t)n);
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) { i++; break; }
    if (strcmp(argv[i], "--wipe") == 0 && i + 1 < argc && nwipe < MAX_WIPE) wipe_dirs[nwipe++] = argv[++i];
    else fail("usage: runner [--wipe DIR]... -- PROGRAM ARGS...");
  }
  if (i >= argc) fail("no program");
  prog_argv = &argv[i];

  /* Only fds 0-3 belong to the protocol; bwrap's setup fds (seccomp, bind data) must not reach the program. */
  close_range(4, ~0U, 0);
  fcntl(CTL_IN, F_SETFD, FD_CLOEXEC);
  fcntl(CTL_OUT, F_SETFD, FD_CLOEXEC);
  fcntl(KILL_FD, F_SETFD, FD_CLOEXEC);
  fcntl(KILL_FD, F_SETFL, O_NONBLOCK);
  if (prctl(PR_SET_DUMPABLE, 0) != 0) fail("PR_SET_DUMPABLE: %s", strerror(errno));
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) fail("signalfd: %s", strerror(errno));
  umask(022);

  frame('H', NULL, 0);
  char line[256];
  while (read_line(line, sizeof line) == 0) {
    unsigned long long a, b, c, d, e, f;
    char name[200];
    if (line[0] == 'R' && sscanf(line + 1, "%llu %llu %llu %llu %llu %llu", &a, &b, &c, &d, &e, &f) == 6)
      run_once(a, b, c, d, e, f);
    else if (line[0] == 'F' && sscanf(line + 1, "%llu %199s", &a, name) == 2)
      put_file((size_t)a, name);
    else if (line[0] == 'Q')
      return 0;
    else
      fail("bad request: %.64s", line);
  }
  return 0;
}
