/* Side-by-side baseline for scripts/bench-verify.sh --libsasl.
   sasl_checkpass rate against a sasldb file, as docs/reference/baselines.md §3 measures it. No sasl headers
   are installed, so the few prototypes are declared here (ABI of libsasl2.so.2, 2.1.28). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
typedef struct sasl_conn sasl_conn_t;
typedef struct { unsigned long id; int (*proc)(void); void *context; } sasl_callback_t;
#define SASL_CB_GETOPT 1
#define SASL_CB_LIST_END 0
int sasl_server_init(const sasl_callback_t *, const char *);
int sasl_server_new(const char *, const char *, const char *, const char *, const char *,
                    const sasl_callback_t *, unsigned, sasl_conn_t **);
int sasl_checkpass(sasl_conn_t *, const char *, unsigned, const char *, unsigned);
void sasl_dispose(sasl_conn_t **);
static const char *dbpath;
static int getopt_cb(void *ctx, const char *plugin, const char *option, const char **result, unsigned *len) {
    (void)ctx; (void)plugin;
    if (!strcmp(option, "pwcheck_method")) *result = "auxprop";
    else if (!strcmp(option, "auxprop_plugin")) *result = "sasldb";
    else if (!strcmp(option, "sasldb_path")) *result = dbpath;
    else return -1;
    if (len) *len = strlen(*result);
    return 0;
}
int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s SASLDB USERS ROUNDS\n", argv[0]); return 2; }
    dbpath = argv[1];
    int users = atoi(argv[2]), rounds = atoi(argv[3]);
    sasl_callback_t cbs[] = {{SASL_CB_GETOPT, (int (*)(void))getopt_cb, NULL}, {SASL_CB_LIST_END, NULL, NULL}};
    if (sasl_server_init(cbs, "bench") != 0) { fprintf(stderr, "init failed\n"); return 1; }
    char user[64], pass[64];
    for (int r = 0; r < rounds; r++) {
        struct timespec t0, t1; int ok = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < users; i++) {
            sasl_conn_t *conn;
            snprintf(user, sizeof user, "user%07d", i);
            snprintf(pass, sizeof pass, "pw-%07d-secret", i);
            sasl_server_new("smtp", "bench", "bench", NULL, NULL, cbs, 0, &conn);
            if (sasl_checkpass(conn, user, strlen(user), pass, strlen(pass)) == 0) ok++;
            sasl_dispose(&conn);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("libsasl sasl_checkpass round %d: %.0f checks/s (%d/%d ok)\n", r + 1, users / s, ok, users);
    }
    return 0;
}
