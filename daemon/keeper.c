/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Watching keepers through pidfds; a pidfd becomes readable when its
 * process exits, whoever its parent is (pidfd_open(2)). */

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "helper-proto.h"
#include "keeper.h"
#include "pidfd-util.h"
#include "log.h"
#include "set.h"

struct keeper {
        struct keepers *ks;
        struct set *set; /* NULL once released: only waiting to be reaped */
        keeper_exit_fn on_exit;
        void *userdata;
        struct keeper *next_dying;
        struct keeper *next, *prev; /* every keeper watched */
        pid_t pid;
        bool exited;  /* its exit was seen: the pid is no longer its */
        bool foreign; /* an adopted pid namespace's own init: watched, never killed */
        int pidfd;
        int lifeline;
        struct event *ev;
};

struct keepers {
        struct event_base *base;
        struct keeper *all;
        struct keeper *dying;
};

static struct keeper *keeper_free(struct keeper *k);

struct keepers *keepers_new(struct event_base *base)
{
        struct keepers *ks = calloc(1, sizeof(*ks));

        if (ks)
                ks->base = base;
        return ks;
}

struct keepers *keepers_free(struct keepers *ks)
{
        if (!ks)
                return NULL;
        while (ks->dying) {
                struct keeper *k = ks->dying;
                ks->dying = k->next_dying;
                keeper_free(k);
        }
        while (ks->all)
                keeper_free(ks->all);
        free(ks);
        return NULL;
}

bool keepers_tracks(const struct keepers *ks, pid_t pid)
{
        for (const struct keeper *k = ks->all; k; k = k->next)
                if (k->pid == pid && !k->exited)
                        return true;
        return false;
}

static void unlink_dying(struct keeper *k)
{
        for (struct keeper **p = &k->ks->dying; *p; p = &(*p)->next_dying)
                if (*p == k) {
                        *p = k->next_dying;
                        return;
                }
}

static void on_keeper_exit(evutil_socket_t fd, short what, void *userdata)
{
        struct keeper *k = userdata;
        siginfo_t si = {};
        char reason[128];

        event_del(k->ev);
        k->exited = true;
        if (!k->set) {
                /* Released: reap it (we are its reaper, see main.c) and go. */
                (void) waitid(P_PIDFD, (id_t) k->pidfd, &si, WEXITED | WNOHANG);
                unlink_dying(k);
                keeper_free(k);
                return;
        }
        /* Only a child can be waited for; after a daemon restart init
         * reaps it and the status is unknown. */
        if (waitid(P_PIDFD, (id_t) k->pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid > 0) {
                if (si.si_code == CLD_EXITED)
                        snprintf(reason, sizeof(reason),
                                 "the pid namespace's init (pid %d) exited with status %d",
                                 (int) k->pid, si.si_status);
                else
                        snprintf(reason, sizeof(reason),
                                 "the pid namespace's init (pid %d) was killed by signal %d (%s)",
                                 (int) k->pid, si.si_status, strsignal(si.si_status));
        } else
                snprintf(reason, sizeof(reason), "the pid namespace's init (pid %d) died",
                         (int) k->pid);
        log_warning("set '%s': %s; the set is dead", k->set->name, reason);
        k->on_exit(k->set, reason, k->userdata);
}

static int attach(struct keepers *ks, struct set *s, pid_t pid, int pidfd, int lifeline,
                  bool foreign, keeper_exit_fn on_exit, void *userdata)
{
        struct keeper *k = calloc(1, sizeof(*k));

        if (!k) {
                safe_close(pidfd);
                safe_close(lifeline);
                return -ENOMEM;
        }
        *k = (struct keeper) { .ks = ks,
                               .set = s,
                               .on_exit = on_exit,
                               .userdata = userdata,
                               .foreign = foreign,
                               .pid = pid,
                               .pidfd = pidfd,
                               .lifeline = lifeline,
                               .next = ks->all };
        if (ks->all)
                ks->all->prev = k;
        ks->all = k;
        k->ev = event_new(ks->base, k->pidfd, EV_READ, on_keeper_exit, k);
        if (!k->ev || event_add(k->ev, NULL) < 0) {
                keeper_free(k);
                return -ENOMEM;
        }
        s->keeper = k;
        /* A foreign init is no keeper of ours: no "keeper" line in the
         * state file, nothing in KEEPER. */
        s->keeper_pid = foreign ? 0 : pid;
        return 0;
}

int keeper_attach(struct keepers *ks, struct set *s, pid_t pid, int pidfd, int lifeline,
                  keeper_exit_fn on_exit, void *userdata)
{
        return attach(ks, s, pid, pidfd, lifeline, false, on_exit, userdata);
}

int keeper_watch(struct keepers *ks, struct set *s, pid_t pid, int pidfd, keeper_exit_fn on_exit,
                 void *userdata)
{
        return attach(ks, s, pid, pidfd, -EBADF, true, on_exit, userdata);
}

/* A zombie still answers signal 0 and shows its pid namespace. */
static bool is_zombie(pid_t pid)
{
        char path[64], buf[512], *p;
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return true;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return true;
        buf[n] = '\0';
        /* "pid (comm) S ...": comm may hold anything, so after the last ')'. */
        p = strrchr(buf, ')');
        return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

int keeper_find(pid_t pid, uint64_t pid_ns_inode)
{
        _cleanup_close_ int pidfd = -EBADF;
        char path[64];
        struct stat st;

        pidfd = pidfd_open(pid, 0);
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
        /* Checked after the pidfd is open: if the process is still there
         * afterwards, the pidfd is the process that was checked. */
        if (pidfd < 0 || pid_ns_inode == 0 || stat(path, &st) < 0 || st.st_ino != pid_ns_inode ||
            is_zombie(pid) || pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
                return -ESRCH;
        return TAKE_FD(pidfd);
}

int keeper_find_init(uint64_t pid_ns_inode, pid_t *ret_pid, int *ret_pidfd)
{
        struct dirent *de;
        int r = -ESRCH;
        DIR *d;

        d = opendir("/proc");
        if (!d)
                return negative_errno();
        while (r == -ESRCH && (de = readdir(d))) {
                pid_t pid, proc_pid, inner;
                char path[64];
                struct stat st;
                int pidfd;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                pid = (pid_t) strtol(de->d_name, NULL, 10);
                snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int) pid);
                if (stat(path, &st) < 0 || st.st_ino != pid_ns_inode)
                        continue;
                pidfd = keeper_find(pid, pid_ns_inode);
                if (pidfd < 0)
                        continue;
                /* The pidfd is the process /proc named (its Pid there), and
                 * its pid in its own namespace, the innermost, is 1. */
                if (pidfd_pids(pidfd, &proc_pid, &inner) == 0 && proc_pid == pid && inner == 1) {
                        *ret_pid = pid;
                        *ret_pidfd = pidfd;
                        r = 0;
                } else
                        safe_close(pidfd);
        }
        closedir(d);
        return r;
}

bool keeper_kill_stray(pid_t pid, uint64_t pid_ns_inode)
{
        _cleanup_close_ int pidfd = keeper_find(pid, pid_ns_inode);

        return pidfd >= 0 && pidfd_send_signal(pidfd, SIGKILL, NULL, 0) == 0;
}

/* The set no longer has it (its pid no longer shows in the set). */
static void detach(struct keeper *k)
{
        if (k->set && k->set->keeper == k) {
                k->set->keeper = NULL;
                k->set->keeper_pid = 0;
        }
        k->set = NULL;
}

void keeper_release(struct keeper *k)
{
        if (!k)
                return;
        /* Someone else's init lives on; we only stop watching it. */
        if (k->foreign) {
                keeper_free(k);
                return;
        }
        (void) pidfd_send_signal(k->pidfd, SIGKILL, NULL, 0);
        detach(k);
        k->next_dying = k->ks->dying;
        k->ks->dying = k;
        /* Watched already, unless it was found dead: then nothing to reap. */
        if (!k->ev || event_add(k->ev, NULL) < 0) {
                unlink_dying(k);
                keeper_free(k);
        }
}

void keeper_make_permanent(struct keeper *k)
{
        const char permanent = LIFELINE_PERMANENT;

        if (!k || k->lifeline < 0)
                return;
        /* EPIPE: the keeper is gone already; its pidfd says so soon. */
        if (write(k->lifeline, &permanent, 1) != 1)
                log_warning("set '%s': cannot reach its keeper (pid %d): %m",
                            k->set ? k->set->name : "?", (int) k->pid);
        k->lifeline = safe_close(k->lifeline);
}

static struct keeper *keeper_free(struct keeper *k)
{
        if (!k)
                return NULL;
        if (k->next)
                k->next->prev = k->prev;
        if (k->prev)
                k->prev->next = k->next;
        else if (k->ks->all == k)
                k->ks->all = k->next;
        if (k->ev)
                event_free(k->ev);
        safe_close(k->pidfd);
        safe_close(k->lifeline);
        detach(k);
        free(k);
        return NULL;
}

int keeper_lifeline(const struct keeper *k)
{
        return k ? k->lifeline : -EBADF;
}
