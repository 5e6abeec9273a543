// Package config reads OHIS's configuration from the environment, once, into
// a typed struct that is passed down explicitly. Nothing else reads the
// environment.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Mode is the deployment mode.
type Mode string

// Modes. Production refuses to start without real secrets.
const (
	ModeDevelopment Mode = "development"
	ModeProduction  Mode = "production"
)

// Key is one secret key with the id under which data encrypted or signed
// with it is recorded, so keys can be rotated: the first key is used for new
// data, all keys are accepted for old data.
type Key struct {
	ID    string
	Bytes []byte
}

// SMTP configures outgoing mail; Host empty means mail is kept in the outbox
// for admins to read instead of being delivered.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // starttls, tls or none
	From     string
}

// Sync configures the catalogue syncer and how OHIS talks to webshops.
type Sync struct {
	// Interval between incremental syncs of a connection (OHIS_SYNC_INTERVAL).
	Interval time.Duration
	// ReconcileInterval between full id reconciliations (OHIS_SYNC_RECONCILE_INTERVAL, nightly by default).
	ReconcileInterval time.Duration
	// SafetyMargin is subtracted from the watermark of an incremental sync
	// (OHIS_SYNC_SAFETY_MARGIN), against clock skew and slow commits in the shop.
	SafetyMargin time.Duration
	// RequestTimeout bounds every request to a shop (OHIS_SHOP_REQUEST_TIMEOUT).
	RequestTimeout time.Duration
	// ShopConcurrency is how many requests OHIS may have open to one shop (OHIS_SHOP_CONCURRENCY).
	ShopConcurrency int
	// AllowPrivateShops lets supplier-given shop addresses resolve to
	// loopback and private networks, and use plain http
	// (OHIS_SHOP_ALLOW_PRIVATE); only for the demo and tests.
	AllowPrivateShops bool
	// Disabled stops scheduled syncs in this process (OHIS_SYNC_DISABLED);
	// jobs queued by the portal still run.
	Disabled bool
}

// Config is the whole configuration of a running OHIS.
type Config struct {
	Mode        Mode
	ListenAddr  string
	BaseURL     *url.URL
	DatabaseURL string // empty: run a private PostgreSQL cluster under DataDir
	DataDir     string

	// SessionKeys sign and encrypt the session cookie; the first is current.
	SessionKeys []Key
	// EncryptionKeys encrypt credentials at rest; the first is current.
	EncryptionKeys []Key

	LogFormat string // text or json
	LogLevel  slog.Level

	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration

	// TrustProxyHeaders makes the client address come from X-Forwarded-For
	// (only behind a proxy that sets it).
	TrustProxyHeaders bool

	SMTP SMTP

	// Demo loads demo users and suppliers on start and shows demo logins.
	Demo bool

	Sync Sync

	// LiberationDayEveryYear counts Bevrijdingsdag (5 May) as a day off in
	// every year, not only in lustrum years, for question due dates.
	LiberationDayEveryYear bool
}

// Secure reports whether the portal is served over HTTPS, which decides the
// cookie Secure flag and HSTS.
func (c *Config) Secure() bool { return c.BaseURL.Scheme == "https" }

// Load reads the configuration. getenv is os.Getenv in production and a map
// lookup in tests.
func Load(getenv func(string) string) (*Config, error) {
	var errs []error
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		// _FILE variants let secrets come from mounted files.
		if f := strings.TrimSpace(getenv(name + "_FILE")); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
				return def
			}
			return strings.TrimSpace(string(b))
		}
		return def
	}

	c := &Config{
		Mode:        Mode(env("OHIS_MODE", string(ModeDevelopment))),
		ListenAddr:  env("OHIS_LISTEN", "127.0.0.1:8080"),
		DatabaseURL: env("DATABASE_URL", ""),
		DataDir:     env("OHIS_DATA_DIR", "data"),
		LogFormat:   env("OHIS_LOG_FORMAT", "text"),
	}
	if c.Mode != ModeDevelopment && c.Mode != ModeProduction {
		errs = append(errs, fmt.Errorf("OHIS_MODE must be development or production, not %q", c.Mode))
	}
	base, err := url.Parse(env("OHIS_BASE_URL", defaultBaseURL(c.ListenAddr)))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		errs = append(errs, fmt.Errorf("OHIS_BASE_URL must be an absolute http(s) URL"))
		base = &url.URL{Scheme: "http", Host: "localhost"}
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	c.BaseURL = base
	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("OHIS_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("OHIS_LOG_LEVEL: %w", err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("OHIS_LOG_FORMAT must be text or json, not %q", c.LogFormat))
	}
	c.SessionIdleTimeout = duration(env, "OHIS_SESSION_IDLE_TIMEOUT", 2*time.Hour, &errs)
	c.SessionMaxAge = duration(env, "OHIS_SESSION_MAX_AGE", 12*time.Hour, &errs)
	c.TrustProxyHeaders = boolean(env, "OHIS_TRUST_PROXY_HEADERS", &errs)
	c.Demo = boolean(env, "OHIS_DEMO", &errs)
	c.LiberationDayEveryYear = boolean(env, "OHIS_BEVRIJDINGSDAG_JAARLIJKS", &errs)
	c.Sync = Sync{
		Interval:          duration(env, "OHIS_SYNC_INTERVAL", 5*time.Minute, &errs),
		ReconcileInterval: duration(env, "OHIS_SYNC_RECONCILE_INTERVAL", 24*time.Hour, &errs),
		SafetyMargin:      duration(env, "OHIS_SYNC_SAFETY_MARGIN", 2*time.Minute, &errs),
		RequestTimeout:    duration(env, "OHIS_SHOP_REQUEST_TIMEOUT", 30*time.Second, &errs),
		AllowPrivateShops: boolean(env, "OHIS_SHOP_ALLOW_PRIVATE", &errs),
		Disabled:          boolean(env, "OHIS_SYNC_DISABLED", &errs),
	}
	if n, err := strconv.Atoi(env("OHIS_SHOP_CONCURRENCY", "4")); err != nil || n < 1 || n > 32 {
		errs = append(errs, fmt.Errorf("OHIS_SHOP_CONCURRENCY must be a number from 1 to 32"))
	} else {
		c.Sync.ShopConcurrency = n
	}

	c.SMTP = SMTP{
		Host:     env("OHIS_SMTP_HOST", ""),
		Username: env("OHIS_SMTP_USERNAME", ""),
		Password: env("OHIS_SMTP_PASSWORD", ""),
		TLS:      env("OHIS_SMTP_TLS", "starttls"),
		From:     env("OHIS_MAIL_FROM", "Winst uit je woning <noreply@winstuitjewoning.nl>"),
	}
	if p, err := strconv.Atoi(env("OHIS_SMTP_PORT", "587")); err != nil {
		errs = append(errs, fmt.Errorf("OHIS_SMTP_PORT: %w", err))
	} else {
		c.SMTP.Port = p
	}

	c.SessionKeys, err = parseKeys(env("OHIS_SESSION_KEYS", ""), 32)
	if err != nil {
		errs = append(errs, fmt.Errorf("OHIS_SESSION_KEYS: %w", err))
	}
	c.EncryptionKeys, err = parseKeys(env("OHIS_ENCRYPTION_KEYS", ""), 32)
	if err != nil {
		errs = append(errs, fmt.Errorf("OHIS_ENCRYPTION_KEYS: %w", err))
	}
	if c.Mode == ModeProduction {
		if len(c.SessionKeys) == 0 {
			errs = append(errs, errors.New("OHIS_SESSION_KEYS is required in production (generate one with: ohis keygen)"))
		}
		if len(c.EncryptionKeys) == 0 {
			errs = append(errs, errors.New("OHIS_ENCRYPTION_KEYS is required in production (generate one with: ohis keygen)"))
		}
		if c.DatabaseURL == "" {
			errs = append(errs, errors.New("DATABASE_URL is required in production"))
		}
		if c.Demo {
			errs = append(errs, errors.New("OHIS_DEMO cannot be used in production"))
		}
		if c.Sync.AllowPrivateShops {
			errs = append(errs, errors.New("OHIS_SHOP_ALLOW_PRIVATE cannot be used in production"))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

// EnsureDevKeys fills missing keys in development from a key file in the
// data folder, created on first use, so logins and encrypted credentials
// survive a restart of a local portal.
func (c *Config) EnsureDevKeys() error {
	if len(c.SessionKeys) > 0 && len(c.EncryptionKeys) > 0 {
		return nil
	}
	if c.Mode == ModeProduction {
		return errors.New("configuration: secret keys missing in production")
	}
	path := filepath.Join(c.DataDir, "dev-keys.json")
	var stored struct{ Session, Encryption string }
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &stored); err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
	case errors.Is(err, os.ErrNotExist):
		stored.Session = "dev1:" + NewKey()
		stored.Encryption = "dev1:" + NewKey()
		b, _ := json.Marshal(stored)
		if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
			return fmt.Errorf("creating data folder: %w", err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	default:
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if len(c.SessionKeys) == 0 {
		if c.SessionKeys, err = parseKeys(stored.Session, 32); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(c.EncryptionKeys) == 0 {
		if c.EncryptionKeys, err = parseKeys(stored.Encryption, 32); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// NewKey returns a fresh random 32-byte key, base64 encoded, for `ohis keygen`.
func NewKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// parseKeys reads "id:base64,id:base64" (or bare base64 values, numbered
// k1, k2, …).
func parseKeys(s string, size int) ([]Key, error) {
	if s == "" {
		return nil, nil
	}
	var keys []Key
	seen := map[string]bool{}
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		id, val, ok := strings.Cut(part, ":")
		if !ok {
			id, val = "k"+strconv.Itoa(i+1), part
		}
		b, err := base64.StdEncoding.DecodeString(val)
		if err != nil {
			return nil, fmt.Errorf("key %q is not valid base64", id)
		}
		if len(b) != size {
			return nil, fmt.Errorf("key %q must be %d bytes, is %d", id, size, len(b))
		}
		if seen[id] {
			return nil, fmt.Errorf("key id %q appears twice", id)
		}
		seen[id] = true
		keys = append(keys, Key{ID: id, Bytes: b})
	}
	return keys, nil
}

func duration(env func(string, string) string, name string, def time.Duration, errs *[]error) time.Duration {
	v := env(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		*errs = append(*errs, fmt.Errorf("%s must be a positive duration such as 30m", name))
		return def
	}
	return d
}

func boolean(env func(string, string) string, name string, errs *[]error) bool {
	v := env(name, "false")
	b, err := strconv.ParseBool(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s must be true or false", name))
	}
	return b
}

// defaultBaseURL derives a usable local URL from the listen address; a
// wildcard or loopback host becomes localhost.
func defaultBaseURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" || host == "127.0.0.1" || host == "::1" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
