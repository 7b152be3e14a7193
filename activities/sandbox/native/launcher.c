/*
 * launcher: the privileged step between the (root) worker and bubblewrap, for one isolated box.
 *
 *   launcher [--cgroup PROCS_FILE]... [--rlimit RES=SOFT:HARD]... [--uid N] [--seccomp-fd N] [--keep-fd N]...
 *            -- /usr/bin/bwrap ARGS...
 *
 * In order: PDEATHSIG (the box dies with the worker), join the box's cgroups (writing "0" to cgroup.procs moves
 * the writer, v1 and v2 alike, and every later child inherits it), rlimits (second layer behind the cgroups;
 * RLIMIT_NPROC only bites because of the uid switch: the kernel ignores it for root), the seccomp filter for
 * bwrap to install right before the judged code runs, close every inherited fd the worker did not mean to
 * pass, drop to the slot uid (root-run bwrap stays host uid 0 with all capabilities in its user namespace),
 * PDEATHSIG again (a credential change clears it), no_new_privs, exec bwrap.
 * No fork: the worker is the parent and reaps us; bwrap --as-pid-1 leaves no lingering reaper zombie.
 *
 * Any failure here exits 120 with a message on stderr: a fault of the sandbox, never a verdict.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define MAX_ITEMS 32

static void die(const char *what) {
  fprintf(stderr, "launcher: %s: %s\n", what, strerror(errno));
  _exit(120);
}

static void die_msg(const char *what) {
  fprintf(stderr, "launcher: %s\n", what);
  _exit(120);
}

static const struct { const char *name; int res; } RLIMITS[] = {
    {"cpu", RLIMIT_CPU},       {"fsize", RLIMIT_FSIZE}, {"nproc", RLIMIT_NPROC}, {"nofile", RLIMIT_NOFILE},
    {"core", RLIMIT_CORE},     {"stack", RLIMIT_STACK}, {"as", RLIMIT_AS},       {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE},
};

static rlim_t parse_rlim(const char *s) {
  if (strcmp(s, "inf") == 0) return RLIM_INFINITY;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end) die_msg("bad rlimit value");
  return (rlim_t)v;
}

static void set_rlimit(const char *spec) {
  char buf[128];
  if (strlen(spec) >= sizeof buf) die_msg("rlimit spec too long");
  strcpy(buf, spec);
  char *eq = strchr(buf, '='), *colon = eq ? strchr(eq, ':') : NULL;
  if (!eq || !colon) die_msg("rlimit spec must be RES=SOFT:HARD");
  *eq = 0;
  *colon = 0;
  for (size_t i = 0; i < sizeof RLIMITS / sizeof RLIMITS[0]; i++) {
    if (strcmp(buf, RLIMITS[i].name) == 0) {
      struct rlimit rl = {parse_rlim(eq + 1), parse_rlim(colon + 1)};
      if (setrlimit(RLIMITS[i].res, &rl) != 0) die("setrlimit");
      return;
    }
  }
  die_msg("unknown rlimit");
}

static void join_cgroup(const char *procs) {
  int fd = open(procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die(procs);
  if (write(fd, "0", 1) != 1) die(procs);
  close(fd);
}

/*
 * Deny-list in the spirit of isolate and Docker's default profile. Competitive programs need none of these;
 * each entry is either a kernel attack surface reachable without privileges (io_uring, bpf, keyrings,
 * userfaultfd, perf), a way out of or into namespaces, or a Firecracker-specific hole: AF_VSOCK sockets can be
 * created even inside an empty netns and the VM's control plane listens on vsock.
 */
static int build_filter(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) die_msg("seccomp_init failed");
  /* Syscalls of other ABIs (i386 int 0x80, x32) are killed: only the native arch is in the filter. */
  static const char *denied[] = {
      "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key",
      "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "bpf", "perf_event_open",
      "userfaultfd", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
      "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns", "kexec_load", "kexec_file_load",
      "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct", "syslog",
      "quotactl", "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "iopl", "ioperm", "uselib",
      "vhangup", "personality", "fanotify_init",
  };
  for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
    int nr = seccomp_syscall_resolve_name(denied[i]);
    if (nr == __NR_SCMP_ERROR) continue; /* not on this arch/kernel headers */
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0) die_msg("seccomp_rule_add");
  }
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_VSOCK)) != 0)
    die_msg("seccomp socket rule");
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_EQ, AF_VSOCK)) != 0)
    die_msg("seccomp socketpair rule");
  /* clone's flags are a register, so namespace flags can be refused one by one; clone3 passes them in memory a
   * filter cannot read, so it answers ENOSYS, which makes glibc fall back to clone for fork and threads. */
  static const unsigned long ns_flags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
                                           CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME};
  for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++) {
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i])) != 0)
      die_msg("seccomp clone rule");
  }
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0) die_msg("seccomp clone3 rule");

  int fd = memfd_create("seccomp-bpf", 0);
  if (fd < 0) die("memfd_create");
  if (seccomp_export_bpf(ctx, fd) != 0) die_msg("seccomp_export_bpf");
  if (lseek(fd, 0, SEEK_SET) != 0) die("lseek");
  seccomp_release(ctx);
  return fd;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Keeps 0-2 and the listed fds, closes everything else the worker may have inherited without CLOEXEC. */
static void close_other_fds(int *keep, int n) {
  qsort(keep, (size_t)n, sizeof keep[0], cmp_int);
  unsigned int from = 3;
  for (int i = 0; i < n; i++) {
    if (keep[i] < (int)from) continue;
    if ((unsigned int)keep[i] > from && close_range(from, (unsigned int)keep[i] - 1, 0) != 0) die("close_range");
    from = (unsigned int)keep[i] + 1;
  }
  if (close_range(from, ~0U, 0) != 0) die("close_range");
}

int main(int argc, char **argv) {
  const char *cgroups[MAX_ITEMS];
  const char *rlimits[MAX_ITEMS];
  int keep[MAX_ITEMS + 1];
  int ncg = 0, nrl = 0, nkeep = 0, seccomp_fd = -1;
  long uid = -1;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    if (i + 1 >= argc) die_msg("missing option value");
    const char *v = argv[++i];
    if (strcmp(a, "--cgroup") == 0 && ncg < MAX_ITEMS) cgroups[ncg++] = v;
    else if (strcmp(a, "--rlimit") == 0 && nrl < MAX_ITEMS) rlimits[nrl++] = v;
    else if (strcmp(a, "--uid") == 0) uid = strtol(v, NULL, 10);
    else if (strcmp(a, "--seccomp-fd") == 0) seccomp_fd = (int)strtol(v, NULL, 10);
    else if (strcmp(a, "--keep-fd") == 0 && nkeep < MAX_ITEMS) keep[nkeep++] = (int)strtol(v, NULL, 10);
    else die_msg("unknown option");
  }
  if (i >= argc) die_msg("no command after --");

  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("PR_SET_PDEATHSIG");
  if (getppid() == 1) die_msg("worker already gone");

  for (int c = 0; c < ncg; c++) join_cgroup(cgroups[c]);
  for (int r = 0; r < nrl; r++) set_rlimit(rlimits[r]);

  if (seccomp_fd >= 0) {
    int fd = build_filter();
    if (fd != seccomp_fd) {
      if (dup2(fd, seccomp_fd) < 0) die("dup2 seccomp");
      close(fd);
    }
    keep[nkeep++] = seccomp_fd;
  }
  close_other_fds(keep, nkeep);

  if (uid >= 0) {
    if (setgroups(0, NULL) != 0) die("setgroups");
    if (setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) != 0) die("setresgid");
    if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) die("setresuid");
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("PR_SET_PDEATHSIG");
    if (getppid() == 1) die_msg("worker already gone");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("PR_SET_NO_NEW_PRIVS");
  execv(argv[i], &argv[i]);
  die(argv[i]);
}
