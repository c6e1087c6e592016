/* Authenticates through the real Cyrus libsasl (server and client in one process) for
   LibsaslPasswordChangeIT. Usage: libsasl-auth sasldb|sql STORE REALM: the sasldb auxprop plugin
   on a Berkeley DB sasldb2, or the sql plugin (sqlite3) on a sasldb4j SQLite store, with the query
   of docs/sqlite.md. Then one check per line
   on stdin, "MECH USER PASSWORD" (the password is the rest of the line); prints one line per check:
   "OK" or "FAIL <sasl result code>". PLAIN means sasl_checkpass, what Postfix's smtpd does for
   PLAIN and LOGIN; any other mechanism runs a full client/server exchange (libsasl's own SCRAM and
   CRAM-MD5 servers reading userPassword / authPassword / cmusaslsecret* from the store).
   No sasl headers are installed, so the few prototypes are declared here (ABI of libsasl2.so.2,
   2.1.28). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef struct sasl_conn sasl_conn_t;
typedef struct { unsigned long id; int (*proc)(void); void *context; } sasl_callback_t;
typedef struct { unsigned long len; unsigned char data[1]; } sasl_secret_t;
#define SASL_OK 0
#define SASL_CONTINUE 1
#define SASL_CB_LIST_END 0
#define SASL_CB_GETOPT 1
#define SASL_CB_USER 0x4001
#define SASL_CB_AUTHNAME 0x4002
#define SASL_CB_PASS 0x4004
int sasl_server_init(const sasl_callback_t *, const char *);
int sasl_client_init(const sasl_callback_t *);
int sasl_server_new(const char *, const char *, const char *, const char *, const char *,
                    const sasl_callback_t *, unsigned, sasl_conn_t **);
int sasl_client_new(const char *, const char *, const char *, const char *, const sasl_callback_t *,
                    unsigned, sasl_conn_t **);
int sasl_checkpass(sasl_conn_t *, const char *, unsigned, const char *, unsigned);
int sasl_server_start(sasl_conn_t *, const char *, const char *, unsigned, const char **, unsigned *);
int sasl_server_step(sasl_conn_t *, const char *, unsigned, const char **, unsigned *);
int sasl_client_start(sasl_conn_t *, const char *, void **, const char **, unsigned *, const char **);
int sasl_client_step(sasl_conn_t *, const char *, unsigned, void **, const char **, unsigned *);
void sasl_dispose(sasl_conn_t **);

static const char *plugin_name, *dbpath;
static char user[1024];
static sasl_secret_t *secret;

static int getopt_cb(void *ctx, const char *plugin, const char *option, const char **result, unsigned *len) {
    (void)ctx; (void)plugin;
    if (!strcmp(option, "pwcheck_method")) *result = "auxprop";
    else if (!strcmp(option, "auxprop_plugin")) *result = plugin_name;
    else if (!strcmp(option, "sasldb_path")) *result = dbpath;
    else if (!strcmp(option, "sql_engine")) *result = "sqlite3";
    else if (!strcmp(option, "sql_database")) *result = dbpath;
    else if (!strcmp(option, "sql_select"))
        *result = "SELECT value FROM sasldb WHERE authid = '%u' AND realm = '%r' AND property = '%p'"
                  " AND NOT EXISTS (SELECT 1 FROM sasldb WHERE authid = '%u' AND realm = '%r'"
                  " AND property = 'sasldb4j.disabled')";
    else if (!strcmp(option, "mech_list")) *result = "PLAIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256";
    else return -1;
    if (len) *len = strlen(*result);
    return SASL_OK;
}
static int name_cb(void *ctx, int id, const char **result, unsigned *len) {
    (void)ctx;
    *result = id == SASL_CB_USER ? "" : user;
    if (len) *len = strlen(*result);
    return SASL_OK;
}
static int pass_cb(sasl_conn_t *conn, void *ctx, int id, sasl_secret_t **psecret) {
    (void)conn; (void)ctx; (void)id;
    *psecret = secret;
    return SASL_OK;
}

static int exchange(const char *realm, const char *mech) {
    sasl_callback_t ccbs[] = {{SASL_CB_AUTHNAME, (int (*)(void))name_cb, NULL},
                              {SASL_CB_USER, (int (*)(void))name_cb, NULL},
                              {SASL_CB_PASS, (int (*)(void))pass_cb, NULL},
                              {SASL_CB_LIST_END, NULL, NULL}};
    sasl_conn_t *s = NULL, *c = NULL;
    const char *out, *used;
    unsigned outlen;
    int rc = sasl_server_new("smtp", "mail.test", realm, NULL, NULL, NULL, 0, &s);
    if (rc == SASL_OK) rc = sasl_client_new("smtp", "mail.test", NULL, NULL, ccbs, 0, &c);
    if (rc == SASL_OK) rc = sasl_client_start(c, mech, NULL, &out, &outlen, &used);
    if (rc == SASL_OK || rc == SASL_CONTINUE) {
        const char *sout; unsigned soutlen;
        int src = sasl_server_start(s, mech, out, outlen, &sout, &soutlen);
        for (int round = 0; src == SASL_CONTINUE && round < 10; round++) {
            int crc = sasl_client_step(c, sout, soutlen, NULL, &out, &outlen);
            if (crc != SASL_OK && crc != SASL_CONTINUE) { src = crc; break; }
            src = sasl_server_step(s, out, outlen, &sout, &soutlen);
        }
        rc = src;
    }
    if (c) sasl_dispose(&c);
    if (s) sasl_dispose(&s);
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s sasldb|sql STORE REALM < checks\n", argv[0]); return 2; }
    plugin_name = argv[1];
    dbpath = argv[2];
    const char *realm = argv[3];
    sasl_callback_t scbs[] = {{SASL_CB_GETOPT, (int (*)(void))getopt_cb, NULL}, {SASL_CB_LIST_END, NULL, NULL}};
    if (sasl_server_init(scbs, "sasldb4j-it") != SASL_OK || sasl_client_init(NULL) != SASL_OK) {
        fprintf(stderr, "libsasl init failed\n");
        return 2;
    }
    secret = malloc(sizeof(sasl_secret_t) + 8192);
    char line[10000], mech[64];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (!sp2 || sp1 - line >= (long)sizeof mech || sp2 - sp1 - 1 >= (long)sizeof user) {
            fprintf(stderr, "bad line\n");
            return 2;
        }
        memcpy(mech, line, sp1 - line); mech[sp1 - line] = 0;
        memcpy(user, sp1 + 1, sp2 - sp1 - 1); user[sp2 - sp1 - 1] = 0;
        const char *pw = sp2 + 1;
        secret->len = strlen(pw);
        memcpy(secret->data, pw, secret->len + 1);
        int rc;
        if (!strcmp(mech, "PLAIN")) {
            sasl_conn_t *s;
            rc = sasl_server_new("smtp", "mail.test", realm, NULL, NULL, NULL, 0, &s);
            if (rc == SASL_OK) {
                rc = sasl_checkpass(s, user, strlen(user), pw, strlen(pw));
                sasl_dispose(&s);
            }
        } else {
            rc = exchange(realm, mech);
        }
        if (rc == SASL_OK) printf("OK\n"); else printf("FAIL %d\n", rc);
        fflush(stdout);
    }
    memset(secret->data, 0, 8192);
    return 0;
}
