package pgcluster

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A checkout in a folder the server user cannot enter (such as /root on CI)
// gets a stable stand-in instead of failing; a reachable folder is kept.
func TestReachableDir(t *testing.T) {
	base, err := os.MkdirTemp("", "reach")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	logger := slog.New(slog.DiscardHandler)

	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(base, "repo", "data", "pg")
	if got := reachableDir(open, logger); got != open {
		t.Errorf("reachable folder moved to %s", got)
	}

	if err := os.Chmod(base, 0o700); err != nil {
		t.Fatal(err)
	}
	got := reachableDir(open, logger)
	if !strings.HasPrefix(got, "/var/tmp/ohis-pg-") {
		t.Fatalf("unreachable folder kept as %s, want a stand-in under /var/tmp", got)
	}
	if again := reachableDir(open, logger); again != got {
		t.Errorf("stand-in not stable: %s then %s", got, again)
	}
}
