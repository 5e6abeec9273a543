package config_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/config"
)

// key returns a valid 32-byte key whose bytes are all b, so tests can tell
// keys apart.
func key(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

// load runs Load on a map instead of the process environment.
func load(env map[string]string) (*config.Config, error) {
	return config.Load(func(name string) string { return env[name] })
}

// prod is a complete production environment; tests copy and change it.
func prod() map[string]string {
	return map[string]string{
		"OHIS_MODE":            "production",
		"OHIS_SESSION_KEYS":    "s1:" + key(1),
		"OHIS_ENCRYPTION_KEYS": "e1:" + key(2),
		"DATABASE_URL":         "postgres://ohis@db.internal/ohis",
		"OHIS_BASE_URL":        "https://portaal.winstuitjewoning.nl",
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestDefaultsInDevelopment(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatalf("Load with an empty environment: %v", err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"mode", c.Mode, config.ModeDevelopment},
		{"listen address", c.ListenAddr, "127.0.0.1:8080"},
		{"base URL", c.BaseURL.String(), "http://localhost:8080"},
		{"Secure", c.Secure(), false},
		{"database URL (empty: private cluster)", c.DatabaseURL, ""},
		{"data folder is absolute", filepath.IsAbs(c.DataDir), true},
		{"data folder name", filepath.Base(c.DataDir), "data"},
		{"log format", c.LogFormat, "text"},
		{"log level", c.LogLevel, slog.LevelInfo},
		{"idle timeout", c.SessionIdleTimeout, 2 * time.Hour},
		{"max age", c.SessionMaxAge, 12 * time.Hour},
		{"trust proxy headers", c.TrustProxyHeaders, false},
		{"demo", c.Demo, false},
		{"SMTP host (empty: keep mail in outbox)", c.SMTP.Host, ""},
		{"SMTP port", c.SMTP.Port, 587},
		{"SMTP TLS", c.SMTP.TLS, "starttls"},
		{"mail from", c.SMTP.From, "Winst uit je woning <noreply@winstuitjewoning.nl>"},
		{"session keys (filled later by EnsureDevKeys)", len(c.SessionKeys), 0},
		{"encryption keys", len(c.EncryptionKeys), 0},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
}

func TestValidSettings(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c *config.Config)
	}{
		{
			name: "base URL follows the listen address",
			env:  map[string]string{"OHIS_LISTEN": "127.0.0.1:9000"},
			check: func(t *testing.T, c *config.Config) {
				if got := c.BaseURL.String(); got != "http://localhost:9000" {
					t.Errorf("base URL = %s, want http://localhost:9000", got)
				}
			},
		},
		{
			name: "https base URL turns on Secure and loses its trailing slash",
			env:  map[string]string{"OHIS_BASE_URL": "https://portaal.winstuitjewoning.nl/ohis/"},
			check: func(t *testing.T, c *config.Config) {
				if !c.Secure() {
					t.Error("Secure() = false for an https base URL")
				}
				if got := c.BaseURL.String(); got != "https://portaal.winstuitjewoning.nl/ohis" {
					t.Errorf("base URL = %s, want it without trailing slash", got)
				}
			},
		},
		{
			name: "http base URL is not Secure",
			env:  map[string]string{"OHIS_BASE_URL": "http://intranet.example:8080"},
			check: func(t *testing.T, c *config.Config) {
				if c.Secure() {
					t.Error("Secure() = true for an http base URL")
				}
			},
		},
		{
			name: "several keys parse in order; the first is current",
			env: map[string]string{
				"OHIS_SESSION_KEYS":    "a:" + key(1) + ", b:" + key(2),
				"OHIS_ENCRYPTION_KEYS": "new:" + key(3) + ",old:" + key(4) + ",older:" + key(5),
			},
			check: func(t *testing.T, c *config.Config) {
				wantKeys(t, "session", c.SessionKeys, []string{"a", "b"}, []byte{1, 2})
				wantKeys(t, "encryption", c.EncryptionKeys, []string{"new", "old", "older"}, []byte{3, 4, 5})
			},
		},
		{
			name: "bare keys are numbered k1, k2",
			env:  map[string]string{"OHIS_SESSION_KEYS": key(7) + "," + key(8)},
			check: func(t *testing.T, c *config.Config) {
				wantKeys(t, "session", c.SessionKeys, []string{"k1", "k2"}, []byte{7, 8})
			},
		},
		{
			name: "durations, log settings, SMTP and booleans",
			env: map[string]string{
				"OHIS_SESSION_IDLE_TIMEOUT": "30m",
				"OHIS_SESSION_MAX_AGE":      "8h",
				"OHIS_LOG_LEVEL":            "debug",
				"OHIS_LOG_FORMAT":           "json",
				"OHIS_SMTP_HOST":            "smtp.example.nl",
				"OHIS_SMTP_PORT":            "465",
				"OHIS_SMTP_TLS":             "tls",
				"OHIS_TRUST_PROXY_HEADERS":  "true",
				"OHIS_DEMO":                 "1",
			},
			check: func(t *testing.T, c *config.Config) {
				if c.SessionIdleTimeout != 30*time.Minute || c.SessionMaxAge != 8*time.Hour {
					t.Errorf("timeouts = %v, %v; want 30m, 8h", c.SessionIdleTimeout, c.SessionMaxAge)
				}
				if c.LogLevel != slog.LevelDebug || c.LogFormat != "json" {
					t.Errorf("logging = %v %s; want DEBUG json", c.LogLevel, c.LogFormat)
				}
				if c.SMTP.Host != "smtp.example.nl" || c.SMTP.Port != 465 || c.SMTP.TLS != "tls" {
					t.Errorf("SMTP = %+v", c.SMTP)
				}
				if !c.TrustProxyHeaders || !c.Demo {
					t.Errorf("TrustProxyHeaders = %v, Demo = %v; want both true", c.TrustProxyHeaders, c.Demo)
				}
			},
		},
		{
			name: "a complete production environment loads",
			env:  prod(),
			check: func(t *testing.T, c *config.Config) {
				if c.Mode != config.ModeProduction || !c.Secure() || c.DatabaseURL == "" {
					t.Errorf("mode %s, secure %v, database %q", c.Mode, c.Secure(), c.DatabaseURL)
				}
			},
		},
		{
			name: "values are trimmed",
			env:  map[string]string{"OHIS_LISTEN": "  127.0.0.1:8181\n", "OHIS_MODE": " development "},
			check: func(t *testing.T, c *config.Config) {
				if c.ListenAddr != "127.0.0.1:8181" {
					t.Errorf("listen = %q", c.ListenAddr)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func wantKeys(t *testing.T, what string, keys []config.Key, ids []string, fill []byte) {
	t.Helper()
	if len(keys) != len(ids) {
		t.Fatalf("%s keys: got %d, want %d", what, len(keys), len(ids))
	}
	for i, k := range keys {
		if k.ID != ids[i] || !bytes.Equal(k.Bytes, bytes.Repeat([]byte{fill[i]}, 32)) {
			t.Errorf("%s key %d = %q/%x…, want %q filled with %d", what, i, k.ID, k.Bytes[:2], ids[i], fill[i])
		}
	}
}

// TestInvalidSettings checks that every refused setting is refused with an
// error an operator can act on: it names the variable (and the key).
func TestInvalidSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // all must appear in the error
	}{
		{
			name: "production without secrets names every missing variable",
			env:  map[string]string{"OHIS_MODE": "production"},
			want: []string{"OHIS_SESSION_KEYS", "OHIS_ENCRYPTION_KEYS", "DATABASE_URL", "ohis keygen"},
		},
		{
			name: "production without session keys only",
			env:  with(prod(), "OHIS_SESSION_KEYS", ""),
			want: []string{"OHIS_SESSION_KEYS is required in production"},
		},
		{
			name: "production without database",
			env:  with(prod(), "DATABASE_URL", ""),
			want: []string{"DATABASE_URL is required in production"},
		},
		{
			name: "demo refused in production",
			env:  with(prod(), "OHIS_DEMO", "true"),
			want: []string{"OHIS_DEMO cannot be used in production"},
		},
		{
			name: "unknown mode",
			env:  map[string]string{"OHIS_MODE": "staging"},
			want: []string{"OHIS_MODE", "staging"},
		},
		{
			name: "session key not base64",
			env:  map[string]string{"OHIS_SESSION_KEYS": "a:not*base64!"},
			want: []string{"OHIS_SESSION_KEYS", `key "a" is not valid base64`},
		},
		{
			name: "encryption key of the wrong length",
			env:  map[string]string{"OHIS_ENCRYPTION_KEYS": "short:" + base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))},
			want: []string{"OHIS_ENCRYPTION_KEYS", `key "short" must be 32 bytes, is 16`},
		},
		{
			name: "duplicate key id",
			env:  map[string]string{"OHIS_SESSION_KEYS": "a:" + key(1) + ",a:" + key(2)},
			want: []string{"OHIS_SESSION_KEYS", `key id "a" appears twice`},
		},
		{
			name: "trailing comma leaves an empty key",
			env:  map[string]string{"OHIS_SESSION_KEYS": "a:" + key(1) + ","},
			want: []string{"OHIS_SESSION_KEYS", "must be 32 bytes, is 0"},
		},
		{
			name: "idle timeout not a duration",
			env:  map[string]string{"OHIS_SESSION_IDLE_TIMEOUT": "two hours"},
			want: []string{"OHIS_SESSION_IDLE_TIMEOUT must be a positive duration"},
		},
		{
			name: "max age negative",
			env:  map[string]string{"OHIS_SESSION_MAX_AGE": "-1h"},
			want: []string{"OHIS_SESSION_MAX_AGE must be a positive duration"},
		},
		{
			name: "max age zero",
			env:  map[string]string{"OHIS_SESSION_MAX_AGE": "0s"},
			want: []string{"OHIS_SESSION_MAX_AGE"},
		},
		{
			name: "log level",
			env:  map[string]string{"OHIS_LOG_LEVEL": "loud"},
			want: []string{"OHIS_LOG_LEVEL"},
		},
		{
			name: "log format",
			env:  map[string]string{"OHIS_LOG_FORMAT": "xml"},
			want: []string{"OHIS_LOG_FORMAT", "xml"},
		},
		{
			name: "base URL without scheme",
			env:  map[string]string{"OHIS_BASE_URL": "portaal.winstuitjewoning.nl"},
			want: []string{"OHIS_BASE_URL"},
		},
		{
			name: "base URL with another scheme",
			env:  map[string]string{"OHIS_BASE_URL": "ftp://portaal.winstuitjewoning.nl"},
			want: []string{"OHIS_BASE_URL"},
		},
		{
			name: "SMTP port",
			env:  map[string]string{"OHIS_SMTP_PORT": "smtp"},
			want: []string{"OHIS_SMTP_PORT"},
		},
		{
			name: "boolean",
			env:  map[string]string{"OHIS_TRUST_PROXY_HEADERS": "misschien"},
			want: []string{"OHIS_TRUST_PROXY_HEADERS must be true or false"},
		},
		{
			name: "several mistakes are reported together",
			env:  map[string]string{"OHIS_LOG_FORMAT": "xml", "OHIS_SESSION_MAX_AGE": "soon", "OHIS_DEMO": "ja"},
			want: []string{"OHIS_LOG_FORMAT", "OHIS_SESSION_MAX_AGE", "OHIS_DEMO"},
		},
		{
			name: "secret file that does not exist",
			env:  map[string]string{"OHIS_SESSION_KEYS_FILE": "/nonexistent/ohis/session-keys"},
			want: []string{"OHIS_SESSION_KEYS_FILE", "/nonexistent/ohis/session-keys"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.env)
			if err == nil {
				t.Fatalf("Load accepted the configuration: %+v", c)
			}
			if c != nil {
				t.Errorf("Load returned a config along with the error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	sessionFile := filepath.Join(dir, "session-keys")
	// Mounted secrets usually end with a newline.
	if err := os.WriteFile(sessionFile, []byte("file1:"+key(9)+",file2:"+key(10)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	passwordFile := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(passwordFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := load(map[string]string{"OHIS_SESSION_KEYS_FILE": sessionFile, "OHIS_SMTP_PASSWORD_FILE": passwordFile})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	wantKeys(t, "session", c.SessionKeys, []string{"file1", "file2"}, []byte{9, 10})
	if c.SMTP.Password != "s3cret" {
		t.Errorf("SMTP password from file = %q, want s3cret (trimmed)", c.SMTP.Password)
	}

	t.Run("the variable itself wins over the file", func(t *testing.T) {
		c, err := load(map[string]string{"OHIS_SESSION_KEYS": "env:" + key(11), "OHIS_SESSION_KEYS_FILE": sessionFile})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		wantKeys(t, "session", c.SessionKeys, []string{"env"}, []byte{11})
	})

	t.Run("production secrets from files", func(t *testing.T) {
		encFile := filepath.Join(dir, "encryption-keys")
		if err := os.WriteFile(encFile, []byte(key(12)), 0o600); err != nil {
			t.Fatal(err)
		}
		env := with(prod(), "OHIS_SESSION_KEYS", "", "OHIS_ENCRYPTION_KEYS", "",
			"OHIS_SESSION_KEYS_FILE", sessionFile, "OHIS_ENCRYPTION_KEYS_FILE", encFile)
		c, err := load(env)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		wantKeys(t, "encryption", c.EncryptionKeys, []string{"k1"}, []byte{12})
	})
}

func TestEnsureDevKeys(t *testing.T) {
	// A folder that does not exist yet, as on a fresh checkout.
	dataDir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"OHIS_DATA_DIR": dataDir}

	first, err := load(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.EnsureDevKeys(); err != nil {
		t.Fatalf("EnsureDevKeys: %v", err)
	}
	if len(first.SessionKeys) != 1 || len(first.EncryptionKeys) != 1 {
		t.Fatalf("keys after EnsureDevKeys: %d session, %d encryption; want 1 each", len(first.SessionKeys), len(first.EncryptionKeys))
	}
	if len(first.SessionKeys[0].Bytes) != 32 || len(first.EncryptionKeys[0].Bytes) != 32 {
		t.Errorf("dev keys are not 32 bytes")
	}
	if bytes.Equal(first.SessionKeys[0].Bytes, first.EncryptionKeys[0].Bytes) {
		t.Errorf("session and encryption dev keys are the same key")
	}

	path := filepath.Join(dataDir, "dev-keys.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600 (it holds secrets)", mode)
	}
	written, _ := os.ReadFile(path)

	// A restart: a new Load, the same data folder. Sessions signed with the
	// first key must stay valid, so the keys must be the same.
	second, err := load(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.EnsureDevKeys(); err != nil {
		t.Fatalf("EnsureDevKeys after restart: %v", err)
	}
	if second.SessionKeys[0].ID != first.SessionKeys[0].ID || !bytes.Equal(second.SessionKeys[0].Bytes, first.SessionKeys[0].Bytes) {
		t.Errorf("session key changed across restarts: sessions would not survive")
	}
	if !bytes.Equal(second.EncryptionKeys[0].Bytes, first.EncryptionKeys[0].Bytes) {
		t.Errorf("encryption key changed across restarts: stored credentials would become unreadable")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, written) {
		t.Errorf("key file rewritten on the second start")
	}

	t.Run("configured keys are kept, only missing ones are filled", func(t *testing.T) {
		c, err := load(with(env, "OHIS_SESSION_KEYS", "mine:"+key(5)))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.EnsureDevKeys(); err != nil {
			t.Fatal(err)
		}
		wantKeys(t, "session", c.SessionKeys, []string{"mine"}, []byte{5})
		if !bytes.Equal(c.EncryptionKeys[0].Bytes, first.EncryptionKeys[0].Bytes) {
			t.Errorf("missing encryption key not taken from the dev key file")
		}
	})

	t.Run("a damaged key file is an error naming it", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "dev-keys.json"), []byte("{not json"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := load(map[string]string{"OHIS_DATA_DIR": dir})
		if err != nil {
			t.Fatal(err)
		}
		err = c.EnsureDevKeys()
		if err == nil || !strings.Contains(err.Error(), "dev-keys.json") {
			t.Errorf("EnsureDevKeys with a damaged file: %v, want an error naming dev-keys.json", err)
		}
	})

	t.Run("never in production", func(t *testing.T) {
		dir := t.TempDir()
		// Load refuses production without keys, so build the config by hand:
		// EnsureDevKeys must refuse on its own too.
		c := &config.Config{Mode: config.ModeProduction, DataDir: dir}
		if err := c.EnsureDevKeys(); err == nil {
			t.Error("EnsureDevKeys made up keys in production")
		}
		if len(c.SessionKeys) != 0 || len(c.EncryptionKeys) != 0 {
			t.Error("EnsureDevKeys filled keys in production")
		}
		if _, err := os.Stat(filepath.Join(dir, "dev-keys.json")); !os.IsNotExist(err) {
			t.Errorf("dev-keys.json written in production (stat: %v)", err)
		}

		// With real keys configured it leaves them alone and writes nothing.
		p, err := load(with(prod(), "OHIS_DATA_DIR", dir))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.EnsureDevKeys(); err != nil {
			t.Fatalf("EnsureDevKeys with production keys: %v", err)
		}
		wantKeys(t, "session", p.SessionKeys, []string{"s1"}, []byte{1})
		if _, err := os.Stat(filepath.Join(dir, "dev-keys.json")); !os.IsNotExist(err) {
			t.Errorf("dev-keys.json written in production (stat: %v)", err)
		}
	})
}

func TestNewKey(t *testing.T) {
	a, b := config.NewKey(), config.NewKey()
	if a == b {
		t.Error("two NewKey calls returned the same key")
	}
	// A generated key must be accepted as configuration.
	c, err := load(map[string]string{"OHIS_SESSION_KEYS": a})
	if err != nil {
		t.Fatalf("a key from NewKey is refused: %v", err)
	}
	if len(c.SessionKeys) != 1 || len(c.SessionKeys[0].Bytes) != 32 {
		t.Errorf("NewKey key parsed as %+v", c.SessionKeys)
	}
}

func TestLiberationDaySetting(t *testing.T) {
	for value, want := range map[string]bool{"": false, "true": true, "false": false} {
		c, err := config.Load(func(k string) string {
			if k == "OHIS_BEVRIJDINGSDAG_JAARLIJKS" {
				return value
			}
			return ""
		})
		if err != nil {
			t.Fatalf("%q: %v", value, err)
		}
		if c.LiberationDayEveryYear != want {
			t.Errorf("OHIS_BEVRIJDINGSDAG_JAARLIJKS=%q: %v, want %v", value, c.LiberationDayEveryYear, want)
		}
	}
}
