/* benchtool: the small measuring helpers of bench/run.sh, in one binary.
 *
 *   benchtool bcrypt-hash COST PASSWORD      print a $2b$ hash (for seeding)
 *   benchtool bcrypt-limit SECONDS COST [N]  hashes/s this machine does on N threads (default
 * nproc) benchtool sqlite-exec DBFILE SQL         run SQL on a SQLite file (no sqlite3 CLI needed)
 *   benchtool wait-ping PORT SECONDS         poll 127.0.0.1:PORT/ping until 200 (exit 1 on timeout)
 *   benchtool coldstart PORT RUNS CMD ARG..  start CMD RUNS times, ms from fork to first 200 /ping
 *   benchtool idle PORT N PID                hold N keep-alive connections, report PID's RSS
 *
 * Every loop is bounded in count and time; every address is 127.0.0.1.
 * Build: cc -O2 -o benchtool benchtool.c -lcrypt -lpthread -lsqlite3
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* ---- bcrypt ---- */

static int bcrypt_hash(int argc, char **argv)
{
    if (argc < 4) {
        return 2;
    }
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$2b$", (unsigned long)atol(argv[2]), NULL, 0, salt, sizeof salt) ==
        NULL) {
        perror("crypt_gensalt_rn");
        return 1;
    }
    struct crypt_data *cd = calloc(1, sizeof *cd);
    const char *h = cd != NULL ? crypt_rn(argv[3], salt, cd, sizeof *cd) : NULL;
    if (h == NULL) {
        perror("crypt_rn");
        return 1;
    }
    puts(h);
    free(cd);
    return 0;
}

struct hasher {
    pthread_t tid;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    double deadline;
    long hashes;
    double elapsed;
    double cpu; /* this thread's CPU seconds: free of other processes' share of the cores */
    int failed;
};

static void *hasher_run(void *arg)
{
    struct hasher *h = arg;
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (cd == NULL) {
        h->failed = 1;
        return NULL;
    }
    double start = now_s();
    /* Whole hashes only; a run ends with the first hash finished past the deadline. */
    for (long i = 0; i < 1000000 && now_s() < h->deadline; i++) {
        if (crypt_rn("benchmark-password", h->salt, cd, sizeof *cd) == NULL) {
            h->failed = 1;
            break;
        }
        h->hashes++;
    }
    h->elapsed = now_s() - start;
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    h->cpu = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    free(cd);
    return NULL;
}

static int bcrypt_limit(int argc, char **argv)
{
    if (argc < 4) {
        return 2;
    }
    double secs = atof(argv[2]);
    unsigned long cost = (unsigned long)atol(argv[3]);
    long n = argc > 4 ? atol(argv[4]) : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1 || n > 256 || secs <= 0 || secs > 600) {
        return 2;
    }
    struct hasher *hs = calloc((size_t)n, sizeof *hs);
    if (hs == NULL) {
        return 1;
    }
    double deadline = now_s() + secs;
    for (long i = 0; i < n; i++) {
        hs[i].deadline = deadline;
        if (crypt_gensalt_rn("$2b$", cost, NULL, 0, hs[i].salt, sizeof hs[i].salt) == NULL) {
            perror("crypt_gensalt_rn");
            return 1;
        }
        pthread_create(&hs[i].tid, NULL, hasher_run, &hs[i]);
    }
    long total = 0;
    double rate = 0, longest = 0, cpu = 0;
    int failed = 0;
    for (long i = 0; i < n; i++) {
        pthread_join(hs[i].tid, NULL);
        total += hs[i].hashes;
        failed |= hs[i].failed;
        if (hs[i].elapsed > 0) {
            rate += (double)hs[i].hashes / hs[i].elapsed;
        }
        longest = hs[i].elapsed > longest ? hs[i].elapsed : longest;
        cpu += hs[i].cpu;
    }
    /* The limit of the cores themselves: n threads, each hashing all the time on its own core. */
    double per_cpu_s = cpu > 0 ? (double)total / cpu : 0;
    printf("{\"threads\":%ld,\"cost\":%lu,\"hashes\":%ld,\"seconds\":%.3f,\"hashes_per_s\":%.3f,"
           "\"ms_per_hash_per_thread\":%.1f,\"cpu_s\":%.3f,\"cpu_ms_per_hash\":%.1f,"
           "\"limit_per_s\":%.3f}\n",
           n, cost, total, longest, rate, rate > 0 ? 1000.0 * (double)n / rate : 0.0, cpu,
           total > 0 ? 1000.0 * cpu / (double)total : 0.0, per_cpu_s * (double)n);
    free(hs);
    return failed ? 1 : 0;
}

/* ---- SQLite ---- */

static int sqlite_exec(int argc, char **argv)
{
    if (argc < 4) {
        return 2;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite-exec: %s\n", db ? sqlite3_errmsg(db) : "cannot open");
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    char *err = NULL;
    int rc = sqlite3_exec(db, argv[3], NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "sqlite-exec: %s\n", err ? err : "error");
        sqlite3_free(err);
    }
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : 1;
}

/* ---- HTTP probes ---- */

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

/* Sends GET /ping on fd and reads one response; 1 if it is a 200. */
static int ping_on(int fd, int keep_alive)
{
    char req[128];
    int len =
        snprintf(req, sizeof req, "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: %s\r\n\r\n",
                 keep_alive ? "keep-alive" : "close");
    if (write(fd, req, (size_t)len) != len) {
        return 0;
    }
    char buf[1024];
    size_t got = 0;
    /* Headers and the 39-byte body arrive in one or two segments; stop at the body. */
    for (int i = 0; i < 8 && got < sizeof buf - 1; i++) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end != NULL && strstr(end, "pong") != NULL) {
            break;
        }
    }
    buf[got] = '\0';
    return got > 12 && strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 8, " 200", 4) == 0;
}

static int ping_once(int port)
{
    int fd = connect_port(port);
    if (fd < 0) {
        return 0;
    }
    int ok = ping_on(fd, 0);
    close(fd);
    return ok;
}

static int wait_ping(int argc, char **argv)
{
    if (argc < 4) {
        return 2;
    }
    int port = atoi(argv[2]);
    double deadline = now_s() + atof(argv[3]);
    for (long i = 0; i < 1000000 && now_s() < deadline; i++) {
        if (ping_once(port)) {
            return 0;
        }
        sleep_us(2000);
    }
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Starts the server RUNS times; each time measures fork → first 200 from /ping,
 * then SIGTERM and wait (SIGKILL after 10 s). The server's output goes to stderr. */
static int coldstart(int argc, char **argv)
{
    if (argc < 5) {
        return 2;
    }
    int port = atoi(argv[2]);
    int runs = atoi(argv[3]);
    if (runs < 1 || runs > 50) {
        return 2;
    }
    double ms[50];
    int done = 0;
    for (int r = 0; r < runs; r++) {
        if (ping_once(port)) {
            fprintf(stderr, "coldstart: port %d already answers\n", port);
            return 1;
        }
        double t0 = now_s();
        pid_t pid = fork();
        if (pid < 0) {
            return 1;
        }
        if (pid == 0) {
            dup2(2, 1);
            execvp(argv[4], argv + 4);
            _exit(127);
        }
        double took = -1;
        int exited = 0;
        for (long i = 0; i < 200000 && now_s() - t0 < 20.0; i++) {
            if (ping_once(port)) {
                took = (now_s() - t0) * 1000.0;
                break;
            }
            if (waitpid(pid, NULL, WNOHANG) == pid) {
                exited = 1;
                break;
            }
            sleep_us(200);
        }
        if (!exited) {
            kill(pid, SIGTERM);
            int st = 0;
            for (int i = 0; i < 1000 && waitpid(pid, &st, WNOHANG) != pid; i++) {
                sleep_us(10000);
                if (i == 999) {
                    kill(pid, SIGKILL);
                    waitpid(pid, &st, 0);
                }
            }
        }
        if (took < 0) {
            fprintf(stderr, "coldstart: run %d: no 200 from /ping%s\n", r + 1,
                    exited ? " (server exited)" : " in 20 s");
            return 1;
        }
        ms[done++] = took;
        /* Let the port and the database settle between runs. */
        sleep_us(100000);
    }
    double sorted[50];
    memcpy(sorted, ms, sizeof ms[0] * (size_t)done);
    qsort(sorted, (size_t)done, sizeof sorted[0], cmp_double);
    double median = done % 2 ? sorted[done / 2] : (sorted[done / 2 - 1] + sorted[done / 2]) / 2;
    printf("{\"runs\":%d,\"median_ms\":%.1f,\"min_ms\":%.1f,\"max_ms\":%.1f,\"runs_ms\":[", done,
           median, sorted[0], sorted[done - 1]);
    for (int i = 0; i < done; i++) {
        printf("%s%.1f", i ? "," : "", ms[i]);
    }
    printf("]}\n");
    return 0;
}

static long proc_status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    long kb = -1;
    size_t flen = strlen(field);
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
            kb = atol(line + flen + 1);
            break;
        }
    }
    fclose(f);
    return kb;
}

/* Opens N connections, one keep-alive GET /ping on each, keeps them all open,
 * then reads the server's RSS; closes them all at the end. */
static int idle(int argc, char **argv)
{
    if (argc < 5) {
        return 2;
    }
    int port = atoi(argv[2]);
    int n = atoi(argv[3]);
    pid_t pid = (pid_t)atoi(argv[4]);
    if (n < 1 || n > 20000) {
        return 2;
    }
    int *fds = calloc((size_t)n, sizeof *fds);
    if (fds == NULL) {
        return 1;
    }
    long before = proc_status_kb(pid, "VmRSS");
    int open_n = 0, ok = 0;
    double t0 = now_s();
    for (int i = 0; i < n && now_s() - t0 < 60.0; i++) {
        int fd = connect_port(port);
        if (fd < 0) {
            fprintf(stderr, "idle: connection %d: %s\n", i + 1, strerror(errno));
            break;
        }
        fds[open_n++] = fd;
        ok += ping_on(fd, 1);
    }
    sleep_us(1000000); /* let the server settle with all of them open */
    /* Still open? A keep-alive connection the server closed reads EOF at once. */
    int alive = 0;
    for (int i = 0; i < open_n; i++) {
        char c;
        ssize_t r = recv(fds[i], &c, 1, MSG_DONTWAIT | MSG_PEEK);
        alive += r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    long during = proc_status_kb(pid, "VmRSS");
    long hwm = proc_status_kb(pid, "VmHWM");
    printf("{\"requested\":%d,\"opened\":%d,\"ok_200\":%d,\"still_open\":%d,\"rss_before_kb\":%ld,"
           "\"rss_kb\":%ld,\"hwm_kb\":%ld,\"seconds_to_open\":%.2f}\n",
           n, open_n, ok, alive, before, during, hwm, now_s() - t0 - 1.0);
    for (int i = 0; i < open_n; i++) {
        close(fds[i]);
    }
    free(fds);
    return open_n == n && ok == n ? 0 : 1;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    const char *cmd = argc > 1 ? argv[1] : "";
    int rc = 2;
    if (strcmp(cmd, "bcrypt-hash") == 0) {
        rc = bcrypt_hash(argc, argv);
    } else if (strcmp(cmd, "bcrypt-limit") == 0) {
        rc = bcrypt_limit(argc, argv);
    } else if (strcmp(cmd, "sqlite-exec") == 0) {
        rc = sqlite_exec(argc, argv);
    } else if (strcmp(cmd, "wait-ping") == 0) {
        rc = wait_ping(argc, argv);
    } else if (strcmp(cmd, "coldstart") == 0) {
        rc = coldstart(argc, argv);
    } else if (strcmp(cmd, "idle") == 0) {
        rc = idle(argc, argv);
    }
    if (rc == 2) {
        fprintf(stderr, "usage: see the comment at the top of bench/benchtool.c\n");
    }
    return rc;
}
