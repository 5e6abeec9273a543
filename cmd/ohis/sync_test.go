package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
)

// `ohis sync` runs one sync in the foreground with progress and a summary,
// and exits non-zero with the Dutch reason when it fails, when another
// sync holds the connection, or when the connection does not exist.
func TestSyncCommand(t *testing.T) {
	t.Parallel()
	env, url := devEnv(t)
	env["OHIS_ENCRYPTION_KEYS"] = "t1:" + config.NewKey()
	env["OHIS_SESSION_KEYS"] = "t1:" + config.NewKey()
	env["OHIS_SHOP_ALLOW_PRIVATE"] = "true"
	ctx := context.Background()
	pool := connect(t, url)
	st := store.New(pool)

	shop := demoshop.New(demoshop.Options{Products: 30, ConsumerKey: "ck_" + strings.Repeat("1234", 10), ConsumerSecret: "cs_" + strings.Repeat("5678", 10)})
	ts := httptest.NewServer(shop.Handler())
	t.Cleanup(func() { shop.Close(); ts.Close() })
	shop.SetBaseURL(ts.URL)

	// The connection, as the portal creates it (its jobs stay queued: no
	// job runner here).
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(cfg.EncryptionKeys)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	conns := connections.New(connections.Deps{Store: st, Box: box, Config: cfg, Logger: logger})
	sy := syncer.New(syncer.Deps{Store: st, Pool: pool, Opener: conns, Logger: logger, Config: cfg.Sync})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	sy.SetClient(client)
	conns.SetSyncer(sy)
	sup, err := st.SupplierCreate(ctx, "Commandoregel B.V.")
	if err != nil {
		t.Fatal(err)
	}
	id, err := conns.Create(ctx, sup.ID, audit.Actor{Email: "test"}, connections.Input{Environment: "test", Platform: "woocommerce",
		ShopURL: ts.URL, Key: shop.ConsumerKey(), Secret: shop.ConsumerSecret()})
	if err != nil {
		t.Fatal(err)
	}
	stats := shop.Stats()
	items := stats.Simple + stats.Variable + stats.Variations

	r := ohis(t, env, "", "sync", "--connection", fmt.Sprint(id), "--full")
	if r.err != nil {
		t.Fatalf("sync --full: %v\nstdout: %s\nstderr: %s", r.err, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "pages ") || !strings.Contains(r.stdout, "items ") {
		t.Errorf("no progress lines:\n%s", r.stdout)
	}
	if got := summaryValue(t, r.stdout, "created"); got != fmt.Sprint(items) {
		t.Errorf("created %s, want %d:\n%s", got, items, r.stdout)
	}
	for _, label := range []string{"kind", "updated", "deleted", "unchanged", "skipped", "failed", "duration"} {
		summaryValue(t, r.stdout, label)
	}

	r = ohis(t, env, "", "sync", "--connection", fmt.Sprint(id))
	if r.err != nil {
		t.Fatalf("sync: %v\n%s", r.err, r.stdout)
	}
	if got := summaryValue(t, r.stdout, "kind"); got != "incremental" {
		t.Errorf("kind %s, want incremental", got)
	}
	if got := summaryValue(t, r.stdout, "created"); got != "0" {
		t.Errorf("second sync created %s", got)
	}

	shop.SetFaults(demoshop.Faults{Unauthorized: true})
	r = ohis(t, env, "", "sync", "--connection", fmt.Sprint(id))
	if r.err == nil || !strings.Contains(r.err.Error(), "sync failed: ") || !strings.Contains(r.err.Error(), "sleutel") {
		t.Errorf("sync against refused keys: %v", r.err)
	}
	shop.SetFaults(demoshop.Faults{})

	// Another process holds the connection.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, $2)", 0x5359, id); err != nil {
		t.Fatal(err)
	}
	if held, err := st.SyncerLockHeld(ctx, 0x5359, id); err != nil || !held {
		t.Errorf("SyncerLockHeld while held: %v %v", held, err)
	}
	r = ohis(t, env, "", "sync", "--connection", fmt.Sprint(id))
	if r.err == nil || !strings.Contains(r.err.Error(), "er loopt al een synchronisatie") {
		t.Errorf("sync beside another: %v", r.err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1, $2)", 0x5359, id); err != nil {
		t.Fatal(err)
	}
	conn.Release()
	// A scheduled job of the test app may take the lock for a moment right
	// after the release; it must be free again soon.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		held, err := st.SyncerLockHeld(ctx, 0x5359, id)
		if err == nil && !held {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("SyncerLockHeld after release: %v %v", held, err)
			break
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sync"}, "usage: ohis sync --connection ID"},
		{[]string{"sync", "--connection", "999999"}, "connection 999999 does not exist"},
		{[]string{"sync", "--connection", fmt.Sprint(id), "--full", "--reconcile"}, "exclude each other"},
	} {
		if r := ohis(t, env, "", tt.args...); r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, r.err, tt.want)
		}
	}
}

// summaryValue reads "label  value" from the summary table.
func summaryValue(t *testing.T, out, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + label + `\s+(\S+)\s*$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in the summary:\n%s", label, out)
	}
	return m[1]
}
