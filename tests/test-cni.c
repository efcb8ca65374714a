/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for daemon/cni*.c with fake plugins: shell scripts this
 * test writes, which record their stdin, environment and order and
 * print canned results. Finding networks by name, the ADD chain's
 * prevResult, DEL in reverse with the cached result, CHECK, a plugin's
 * error JSON, the time bound, the clean environment, results read into
 * their struct, and the chain run in a child (cni-child.h). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "cni-child.h"
#include "cni-result.h"
#include "cni-run.h"
#include "cni.h"
#include "util.h"

/* An fd the test leaves open without close-on-exec: no plugin may see it. */
#define LEAK_FD 57

static char dir[64], conf[96], bin[96], out[96];

static const char result_a[] =
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
        "\"ips\":[{\"address\":\"192.0.2.2/24\",\"interface\":0}]}";
static const char result_b[] =
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
        "\"ips\":[{\"address\":\"192.0.2.2/24\",\"gateway\":\"192.0.2.1\",\"interface\":0}],"
        "\"dns\":{\"nameservers\":[\"192.0.2.53\"]}}";

static void write_file(const char *path, mode_t mode, const char *text)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        assert_int_equal(close(fd), 0);
}

_printf_(1, 2) static char *fmt(const char *f, ...)
{
        va_list ap;
        char *s;

        va_start(ap, f);
        assert_true(vasprintf(&s, f, ap) >= 0);
        va_end(ap);
        return s;
}

/* The file's text, "" when it does not exist. */
static char *slurp(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;

        if (!f)
                return strdup("");
        if (getdelim(&buf, &size, '\0', f) < 0)
                buf = strdup("");
        fclose(f);
        return buf;
}

/* A plugin called name: records, then runs body (shell), then on ADD
 * prints result, and exits with status code. */
static void fake(const char *name, const char *body, const char *result, int code)
{
        _cleanup_free_ char *path = fmt("%s/%s", bin, name);
        _cleanup_free_ char *text = fmt("#!/bin/sh\n"
                                        "cat >%s/%s.$CNI_COMMAND.in\n"
                                        "echo \"%s $CNI_COMMAND\" >>%s/order\n"
                                        "tr '\\0' '\\n' </proc/$$/environ >%s/%s.env\n"
                                        "[ -e /proc/$$/fd/%d ] && echo leaked >%s/%s.leak\n"
                                        "%s\n"
                                        "[ \"$CNI_COMMAND\" = ADD ] && cat <<'EOF'\n%s\nEOF\n"
                                        "exit %d\n",
                                        out, name, name, out, out, name, LEAK_FD, out, name,
                                        body ? body : "", result ? result : "", code);

        write_file(path, 0755, text);
}

static void conf_file(const char *name, const char *text)
{
        _cleanup_free_ char *path = fmt("%s/%s", conf, name);

        write_file(path, 0644, text);
}

static char *out_file(const char *name)
{
        _cleanup_free_ char *path = fmt("%s/%s", out, name);

        return slurp(path);
}

static int setup(void **state)
{
        snprintf(dir, sizeof(dir), "/tmp/nsk-test-cni.XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        snprintf(conf, sizeof(conf), "%s/conf", dir);
        snprintf(bin, sizeof(bin), "%s/bin", dir);
        snprintf(out, sizeof(out), "%s/out", dir);
        if (mkdir(conf, 0755) < 0 || mkdir(bin, 0755) < 0 || mkdir(out, 0755) < 0)
                return -1;
        return 0;
}

static int teardown(void **state)
{
        _cleanup_free_ char *cmd = fmt("rm -rf -- '%s'", dir);

        return system(cmd) == 0 ? 0 : -1;
}

static struct cni_network *find(const char *dirs, const char *name)
{
        struct cni_network *net = NULL;
        char msg[512];
        int r = cni_network_find(dirs, name, &net, msg, sizeof(msg));

        if (r < 0)
                print_error("find %s: %s\n", name, msg);
        assert_int_equal(r, 0);
        return net;
}

static const char two_plugins[] = "{\"cniVersion\":\"1.0.0\",\"name\":\"lab\",\"plugins\":["
                                  "{\"type\":\"a\",\"x\":1},{\"type\":\"b\"}]}";

static void test_find(void **state)
{
        _cleanup_free_ char *conf2 = fmt("%s/conf2", dir);
        _cleanup_free_ char *dirs = fmt("/nonexistent:%s:%s", conf, conf2);
        _cleanup_free_ char *other = fmt("%s/01-four.conf", conf2);
        _cleanup_free_ char *shadowed = fmt("%s/01-one.conf", conf2);
        struct cni_network *net;
        char msg[512];

        conf_file("10-one.conf", "{\"cniVersion\":\"0.4.0\",\"name\":\"one\",\"type\":\"a\"}");
        conf_file("20-two.conflist", two_plugins);
        /* Lexically first: it wins over 20-two.conflist. */
        conf_file("05-two.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"lab\",\"plugins\":["
                                     "{\"type\":\"b\"}]}");
        conf_file("30-three.json", "{\"cniVersion\":\"0.3.1\",\"name\":\"three\",\"type\":\"b\"}");
        conf_file("README", "not a configuration");
        assert_int_equal(mkdir(conf2, 0755), 0);
        /* The first directory wins over the second. */
        write_file(shadowed, 0644, "{\"cniVersion\":\"1.0.0\",\"name\":\"one\",\"type\":\"b\"}");
        write_file(other, 0644, "{\"cniVersion\":\"1.0.0\",\"name\":\"four\",\"type\":\"b\"}");

        net = find(dirs, "lab");
        assert_true(strstr(cni_network_origin(net), "/05-two.conflist"));
        assert_int_equal(cni_network_n_plugins(net), 1);
        net = cni_network_free(net);

        /* A single configuration is a list of one plugin: itself. */
        net = find(dirs, "one");
        assert_true(strstr(cni_network_origin(net), "/conf/10-one.conf"));
        assert_string_equal(cni_network_version(net), "0.4.0");
        assert_int_equal(cni_network_n_plugins(net), 1);
        assert_string_equal(cni_network_plugin_type(net, 0), "a");
        net = cni_network_free(net);

        net = find(dirs, "three");
        assert_string_equal(cni_network_name(net), "three");
        net = cni_network_free(net);
        net = find(dirs, "four");
        assert_true(strstr(cni_network_origin(net), "/conf2/01-four.conf"));
        net = cni_network_free(net);

        assert_int_equal(cni_network_find(dirs, "nope", &net, msg, sizeof(msg)), -ENOENT);
        assert_true(strstr(msg, "no network 'nope'"));
}

/* Each bad file alone in the configuration directory. A file that is no
 * configuration at all is skipped (the search says so if it finds
 * nothing); one of the network asked for that is wrong fails it. */
static void check_bad_as(int error, const char *file, const char *text, const char *want)
{
        _cleanup_free_ char *path = fmt("%s/%s", conf, file);
        struct cni_network *net = NULL;
        char msg[512];

        write_file(path, 0644, text);
        assert_int_equal(cni_network_find(conf, "lab", &net, msg, sizeof(msg)), error);
        assert_null(net);
        if (!strstr(msg, path) || !strstr(msg, want))
                fail_msg("message '%s' should name %s and say '%s'", msg, path, want);
        assert_int_equal(unlink(path), 0);
}

static void check_bad(const char *file, const char *text, const char *want)
{
        check_bad_as(-EINVAL, file, text, want);
}

static void test_find_errors(void **state)
{
        _cleanup_free_ char *broken = fmt("%s/05-broken.conflist", conf);
        struct cni_network *net;

        check_bad_as(-ENOENT, "1.conflist", "{\"name\":\"lab\",", "skipped");
        check_bad_as(-ENOENT, "1.conflist", "{\"name\":\"lab\",", "line 1");
        check_bad("1.conflist", "{\"name\":\"lab\",\"plugins\":[{\"type\":\"a\"}]}",
                  "no \"cniVersion\"");
        check_bad("1.conflist", "{\"name\":\"lab\",\"cniVersion\":\"9.9.9\",\"plugins\":[]}",
                  "unknown cniVersion");
        check_bad("1.conflist", "{\"name\":\"lab\",\"cniVersion\":\"1.0.0\",\"plugins\":[]}",
                  "no \"plugins\"");
        check_bad("1.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"lab\",\"type\":\"../sbin/x\"}",
                  "not a file name");
        check_bad("1.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"lab\",\"type\":\"..\"}",
                  "not a file name");
        check_bad(
                "1.conflist",
                "{\"name\":\"lab\",\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"/bin/sh\"}]}",
                "not a file name");
        check_bad_as(-ENOENT, "1.conflist", "[1, 2]", "no \"name\"");

        /* A broken file before a good one: the good one is found. */
        write_file(broken, 0644, "{\"name\":");
        conf_file("10-lab.conflist", two_plugins);
        net = find(conf, "lab");
        assert_true(strstr(cni_network_origin(net), "/10-lab.conflist"));
        cni_network_free(net);
}

static struct cni_attachment att = {
        .container_id = "nsk-test.1",
        .netns = "/proc/self/ns/net",
        .ifname = "eth0",
        .args = "K=V",
};

static int run(const char *name, enum cni_op op, const struct cni_runtime *rt, const char *cached,
               char **ret_result, char *msg, size_t size)
{
        struct cni_network *net = find(conf, name);
        int r = cni_run(net, op, &att, rt, cached, ret_result, msg, size);

        cni_network_free(net);
        return r;
}

/* The object a plugin got on stdin for op. */
static json_t *stdin_of(const char *plugin, const char *op)
{
        _cleanup_free_ char *name = fmt("%s.%s.in", plugin, op);
        _cleanup_free_ char *text = out_file(name);
        json_t *j = json_loads(text, 0, NULL);

        assert_non_null(j);
        return j;
}

static void assert_json_equal(json_t *a, const char *b)
{
        json_t *j = json_loads(b, 0, NULL);

        assert_non_null(j);
        if (!json_equal(a, j)) {
                char *s = json_dumps(a, 0);
                fail_msg("JSON '%s' is not '%s'", s, b);
        }
        json_decref(j);
}

static void test_add_chain(void **state)
{
        struct cni_runtime rt = { .path = bin };
        _cleanup_free_ char *result = NULL, *order = NULL;
        json_t *a, *b, *got;
        char msg[512];

        conf_file("10-lab.conflist", two_plugins);
        fake("a", NULL, result_a, 0);
        fake("b", NULL, result_b, 0);
        assert_int_equal(run("lab", CNI_ADD, &rt, NULL, &result, msg, sizeof(msg)), 0);
        order = out_file("order");
        assert_string_equal(order, "a ADD\nb ADD\n");
        got = json_loads(result, 0, NULL);
        assert_json_equal(got, result_b);
        json_decref(got);

        /* Its own object with the list's name and version, no prevResult. */
        a = stdin_of("a", "ADD");
        assert_json_equal(a, "{\"type\":\"a\",\"x\":1,\"name\":\"lab\",\"cniVersion\":\"1.0.0\"}");
        /* b is given a's result. */
        b = stdin_of("b", "ADD");
        assert_json_equal(json_object_get(b, "prevResult"), result_a);
        assert_string_equal(json_string_value(json_object_get(b, "name")), "lab");
        json_decref(a);
        json_decref(b);
}

static void test_del_reverse(void **state)
{
        struct cni_runtime rt = { .path = bin };
        _cleanup_free_ char *order = NULL;
        char msg[512];
        json_t *a, *b;

        conf_file("10-lab.conflist", two_plugins);
        fake("a", NULL, NULL, 0);
        fake("b", NULL, NULL, 0);
        assert_int_equal(run("lab", CNI_DEL, &rt, result_b, NULL, msg, sizeof(msg)), 0);
        order = out_file("order");
        assert_string_equal(order, "b DEL\na DEL\n");
        a = stdin_of("a", "DEL");
        b = stdin_of("b", "DEL");
        assert_json_equal(json_object_get(a, "prevResult"), result_b);
        assert_json_equal(json_object_get(b, "prevResult"), result_b);
        json_decref(a);
        json_decref(b);
}

/* A DEL goes on past a failing plugin, and says which failed. */
static void test_del_goes_on(void **state)
{
        struct cni_runtime rt = { .path = bin };
        _cleanup_free_ char *order = NULL;
        char msg[512];

        conf_file("10-lab.conflist", two_plugins);
        fake("a", NULL, NULL, 0);
        fake("b", "echo '{\"code\":11,\"msg\":\"cannot delete\"}'", NULL, 1);
        assert_int_equal(run("lab", CNI_DEL, &rt, NULL, NULL, msg, sizeof(msg)), -EIO);
        assert_string_equal(msg, "plugin b: cannot delete");
        order = out_file("order");
        assert_string_equal(order, "b DEL\na DEL\n");
}

static void test_check(void **state)
{
        struct cni_runtime rt = { .path = bin };
        _cleanup_free_ char *order = NULL;
        char msg[512];
        json_t *b;

        conf_file("10-lab.conflist", two_plugins);
        conf_file("20-old.conflist", "{\"cniVersion\":\"0.3.1\",\"name\":\"old\",\"plugins\":["
                                     "{\"type\":\"a\"}]}");
        conf_file("30-off.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"off\","
                                     "\"disableCheck\":true,\"plugins\":[{\"type\":\"a\"}]}");
        fake("a", NULL, NULL, 0);
        fake("b", NULL, NULL, 0);
        assert_int_equal(run("lab", CNI_CHECK, &rt, result_b, NULL, msg, sizeof(msg)), 0);
        b = stdin_of("b", "CHECK");
        assert_json_equal(json_object_get(b, "prevResult"), result_b);
        json_decref(b);
        assert_int_equal(run("lab", CNI_CHECK, &rt, NULL, NULL, msg, sizeof(msg)), -EINVAL);
        assert_int_equal(run("old", CNI_CHECK, &rt, result_b, NULL, msg, sizeof(msg)), -EOPNOTSUPP);
        assert_int_equal(run("off", CNI_CHECK, &rt, result_b, NULL, msg, sizeof(msg)), 0);
        order = out_file("order");
        assert_string_equal(order, "a CHECK\nb CHECK\n");
}

/* The second plugin fails: its error JSON is the message, and the ADD
 * is undone with a DEL of the whole list, in reverse. */
static void test_error_json(void **state)
{
        struct cni_runtime rt = { .path = bin };
        _cleanup_free_ char *order = NULL, *result = NULL;
        char msg[512];
        json_t *a;

        conf_file("10-lab.conflist", two_plugins);
        fake("a", NULL, result_a, 0);
        fake("b",
             "[ $CNI_COMMAND = ADD ] && { echo '{\"cniVersion\":\"1.0.0\",\"code\":11,"
             "\"msg\":\"failed to set bridge addr\",\"details\":\"could not add IP "
             "address\"}'; echo noise >&2; exit 1; }",
             NULL, 0);
        assert_int_equal(run("lab", CNI_ADD, &rt, NULL, &result, msg, sizeof(msg)), -EIO);
        assert_string_equal(msg, "plugin b: failed to set bridge addr: could not add IP address");
        assert_null(result);
        order = out_file("order");
        assert_string_equal(order, "a ADD\nb ADD\nb DEL\na DEL\n");
        a = stdin_of("a", "DEL");
        assert_null(json_object_get(a, "prevResult"));
        json_decref(a);
}

/* No error JSON: the status and the first line of stderr. */
static void test_error_plain(void **state)
{
        struct cni_runtime rt = { .path = bin };
        char msg[512];

        conf_file("10-one.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"one\",\"type\":\"a\"}");
        fake("a", "[ $CNI_COMMAND = ADD ] && { printf 'it broke\\nmore\\n' >&2; exit 3; }", NULL,
             0);
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -EIO);
        assert_string_equal(msg, "plugin a: exited with status 3: it broke");
        /* An ADD that prints no result. */
        fake("a", NULL, NULL, 0);
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -EPROTO);
        assert_true(strstr(msg, "plugin a: printed no JSON result"));
}

static void test_not_found(void **state)
{
        struct cni_runtime rt = { .path = bin };
        char msg[512];

        conf_file("10-one.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"one\",\"type\":\"zz\"}");
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -ENOENT);
        assert_true(strstr(msg, "plugin zz: not found in "));
}

/* A plugin that does not answer in time is killed, with what it forked. */
static void test_timeout(void **state)
{
        struct cni_runtime rt = { .path = bin, .timeout_ms = 300 };
        _cleanup_free_ char *pid_text = NULL;
        _cleanup_free_ char *body =
                fmt("if [ $CNI_COMMAND = ADD ]; then sleep 1000 & echo $! >%s/sleeper; wait; fi",
                    out);
        char msg[512];
        int pidfd;

        conf_file("10-one.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"one\",\"type\":\"a\"}");
        fake("a", body, NULL, 0);
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -ETIMEDOUT);
        assert_string_equal(msg, "plugin a: no answer to ADD in 300 ms (killed)");
        pid_text = out_file("sleeper");
        pidfd = pidfd_open(atoi(pid_text), 0);
        if (pidfd >= 0) {
                /* Killed, perhaps not gone yet: wait for its end. */
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                assert_int_equal(poll(&p, 1, 10000), 1);
                close(pidfd);
        } else
                assert_int_equal(errno, ESRCH);
}

/* Only the spec's variables and PATH; no fd but 0-2. */
static void test_environment(void **state)
{
        struct cni_runtime rt = { .path = bin };
        _cleanup_free_ char *env = NULL, *leak = NULL, *want = NULL, *result = NULL;
        char msg[512];
        int fd;

        conf_file("10-one.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"one\",\"type\":\"a\"}");
        fake("a", NULL, result_a, 0);
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(dup2(fd, LEAK_FD), LEAK_FD); /* not close-on-exec */
        close(fd);
        setenv("NSK_SECRET", "x", 1);
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, &result, msg, sizeof(msg)), 0);
        close(LEAK_FD);
        unsetenv("NSK_SECRET");
        env = out_file("a.env");
        want = fmt("CNI_COMMAND=ADD\nCNI_CONTAINERID=nsk-test.1\nCNI_NETNS=/proc/self/ns/net\n"
                   "CNI_IFNAME=eth0\nCNI_ARGS=K=V\nCNI_PATH=%s\n"
                   "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n",
                   bin);
        assert_string_equal(env, want);
        leak = out_file("a.leak");
        assert_string_equal(leak, "");
}

static void test_bad_attachment(void **state)
{
        struct cni_runtime rt = { .path = bin };
        struct cni_attachment keep = att;
        char msg[512];

        conf_file("10-one.conf", "{\"cniVersion\":\"1.0.0\",\"name\":\"one\",\"type\":\"a\"}");
        fake("a", NULL, result_a, 0);
        att.ifname = "a-name-longer-than-15";
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -EINVAL);
        att = keep;
        att.ifname = "a/b";
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -EINVAL);
        att = keep;
        att.container_id = "-x";
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -EINVAL);
        att = keep;
        att.netns = NULL;
        assert_int_equal(run("one", CNI_ADD, &rt, NULL, NULL, msg, sizeof(msg)), -EINVAL);
        att = keep;
        _cleanup_free_ char *order = out_file("order");
        assert_string_equal(order, "");
}

/* Through a child, as the daemon runs it. */
static int child_run(const char *name, enum cni_op op, const struct cni_runtime *rt,
                     char **ret_result, char *msg, size_t size)
{
        struct cni_network *net = find(conf, name);
        struct cni_child *c = NULL;
        int r;

        assert_int_equal(cni_child_start(net, op, &att, rt, NULL, &c), 0);
        cni_network_free(net);
        while ((r = cni_child_read(c)) == 0)
                assert_int_equal(poll(&(struct pollfd) { .fd = cni_child_fd(c), .events = POLLIN },
                                      1, -1),
                                 1);
        assert_int_equal(r, 1);
        r = cni_child_finish(c, ret_result, msg, size);
        cni_child_free(c);
        return r;
}

static void test_child(void **state)
{
        struct cni_runtime rt = { .path = bin };
        _cleanup_free_ char *result = NULL;
        char msg[512];
        json_t *got;

        conf_file("10-lab.conflist", two_plugins);
        fake("a", NULL, result_a, 0);
        fake("b", NULL, result_b, 0);
        assert_int_equal(child_run("lab", CNI_ADD, &rt, &result, msg, sizeof(msg)), 0);
        got = json_loads(result, 0, NULL);
        assert_json_equal(got, result_b);
        json_decref(got);
        fake("b", "[ $CNI_COMMAND = ADD ] && { echo '{\"code\":7,\"msg\":\"no\"}'; exit 1; }", NULL,
             0);
        assert_int_equal(child_run("lab", CNI_ADD, &rt, NULL, msg, sizeof(msg)), -EIO);
        assert_string_equal(msg, "plugin b: no");
}

static void test_result(void **state)
{
        struct cni_result *r = NULL;
        char msg[256];

        assert_int_equal(cni_result_parse(result_b, &r, msg, sizeof(msg)), 0);
        assert_string_equal(r->json, result_b);
        assert_string_equal(r->cni_version, "1.0.0");
        assert_int_equal(r->n_interfaces, 1);
        assert_string_equal(r->interfaces[0].name, "eth0");
        assert_null(r->interfaces[0].mac);
        assert_string_equal(r->interfaces[0].sandbox, "/x");
        assert_int_equal(r->n_ips, 1);
        assert_string_equal(r->ips[0].address, "192.0.2.2/24");
        assert_string_equal(r->ips[0].gateway, "192.0.2.1");
        assert_int_equal(r->ips[0].interface, 0);
        assert_int_equal(r->n_nameservers, 1);
        assert_string_equal(r->nameservers[0], "192.0.2.53");
        r = cni_result_free(r);

        /* Before 0.3.0. */
        assert_int_equal(cni_result_parse("{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":"
                                          "\"192.0.2.9/24\",\"routes\":[{\"dst\":\"0.0.0.0/0\","
                                          "\"gw\":\"192.0.2.1\"}]},\"dns\":{\"search\":[\"a\"]}}",
                                          &r, msg, sizeof(msg)),
                         0);
        assert_int_equal(r->n_ips, 1);
        assert_string_equal(r->ips[0].address, "192.0.2.9/24");
        assert_int_equal(r->ips[0].interface, -1);
        assert_int_equal(r->n_routes, 1);
        assert_string_equal(r->routes[0].gw, "192.0.2.1");
        assert_int_equal(r->n_search, 1);
        r = cni_result_free(r);

        assert_int_equal(cni_result_parse("{\"ips\":5}", &r, msg, sizeof(msg)), -EPROTO);
        assert_string_equal(msg, "the CNI result's \"ips\" is not as the spec says");
        assert_int_equal(cni_result_parse("{\"ips\":[{\"gateway\":\"x\"}]}", &r, msg, sizeof(msg)),
                         -EPROTO);
        assert_int_equal(cni_result_parse("nope", &r, msg, sizeof(msg)), -EPROTO);
        assert_null(r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_find, setup, teardown),
                cmocka_unit_test_setup_teardown(test_find_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_add_chain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_del_reverse, setup, teardown),
                cmocka_unit_test_setup_teardown(test_del_goes_on, setup, teardown),
                cmocka_unit_test_setup_teardown(test_check, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_json, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_plain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
                cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_attachment, setup, teardown),
                cmocka_unit_test_setup_teardown(test_child, setup, teardown),
                cmocka_unit_test(test_result),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
