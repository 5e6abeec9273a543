package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/testdb"
)

func TestSeedCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testdb.URL(t), "OHIS_DATA_DIR": t.TempDir(), "OHIS_LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	args := []string{"ohis-seed", "-suppliers", "2", "-products", "50", "-variable", "40", "-seed", "9", "-env", "production,test", "-approved", "60"}
	var out, errs bytes.Buffer
	if err := run(context.Background(), args, getenv, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"suppliers                  2", "connections                4", "products                 200", "visible to residents"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Twice into one database: refused, nothing half-written.
	out.Reset()
	err := run(context.Background(), args, getenv, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "already holds seeded suppliers") {
		t.Errorf("second seed: %v, want a refusal", err)
	}

	env["OHIS_MODE"] = "production"
	env["OHIS_SESSION_KEYS"] = "k1:" + config.NewKey()
	env["OHIS_ENCRYPTION_KEYS"] = "k1:" + config.NewKey()
	env["OHIS_BASE_URL"] = "https://portaal.example"
	if err := run(context.Background(), args, getenv, &out, &errs); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("seeding in production mode: %v, want a refusal", err)
	}
	if err := run(context.Background(), []string{"ohis-seed", "-products", "lots"}, getenv, &out, &errs); err == nil {
		t.Error("a bad flag was not refused")
	}
}
