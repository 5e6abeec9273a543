// Package portal is the HTTP side of OHIS: the route table, middleware,
// and one small handler per action. Handlers parse and validate, call the
// domain, then redirect or re-render; they never hold business rules.
package portal

import (
	"crypto/hkdf"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/conformance"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/internal/syncer"
	webauth "github.com/wujw/ohis/web/auth"
)

// Deps are what the portal needs from the rest of the program.
type Deps struct {
	Config *config.Config
	Logger *slog.Logger
	Pool   *pgxpool.Pool
	Store  *store.Store
	Auth   *auth.Service
	// Supplier runs the admission process.
	Supplier *supplier.Service
	// Mailer puts mail in the outbox on a transaction (support questions).
	Mailer supplier.Mailer
	// Connections manages suppliers' webshop connections.
	Connections *connections.Service
	// Syncer receives webhook deliveries (POST /webhooks/{connection}).
	Syncer *syncer.Service
	// Curation runs curators' decisions, bulk decisions and platform
	// categories.
	Curation *curation.Service
	// DemoLogins are listed on the login page in demo mode.
	DemoLogins []webauth.DemoLogin
	// Conformance runs and receives the custom-API conformance reports.
	Conformance *conformance.Service
}

// Server is the portal's HTTP handler and its dependencies.
type Server struct {
	cfg        *config.Config
	logger     *slog.Logger
	pool       *pgxpool.Pool
	store      *store.Store
	auth       *auth.Service
	supplier   *supplier.Service
	mailer     supplier.Mailer
	curation   *curation.Service
	conns      *connections.Service
	syncer     *syncer.Service
	cookies    *sessions.CookieStore
	validate   *validator.Validate
	routes     []Route
	demoLogins []webauth.DemoLogin
	handler    http.Handler
	conform    *conformance.Service
	now        func() time.Time
	dashboard  dashboardCache
	// curationChoices are the curator queue's filter choices, reused briefly.
	curationChoices choicesCache
}

// New builds the portal with its full route table.
func New(d Deps) *Server {
	s := &Server{
		cfg:        d.Config,
		logger:     d.Logger,
		pool:       d.Pool,
		store:      d.Store,
		auth:       d.Auth,
		supplier:   d.Supplier,
		mailer:     d.Mailer,
		curation:   d.Curation,
		conns:      d.Connections,
		syncer:     d.Syncer,
		cookies:    newCookieStore(d.Config),
		validate:   newValidator(),
		now:        time.Now,
		demoLogins: d.DemoLogins,
		conform:    d.Conformance,
	}
	mux := http.NewServeMux()
	s.registerRoutes(mux)
	s.handler = s.middleware(mux)
	return s
}

// ServeHTTP serves a request through the whole middleware stack.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists every registered route with who may use it, for the
// authorisation tests and the operator docs.
func (s *Server) Routes() []Route { return s.routes }

// sessionCookie is the name of the cookie naming the server-side session.
const sessionCookie = "ohis_session"

// newCookieStore derives a signing and an encryption key from each
// configured session key; keys after the first still open older cookies,
// which is how rotation works.
func newCookieStore(cfg *config.Config) *sessions.CookieStore {
	var pairs [][]byte
	for _, k := range cfg.SessionKeys {
		hashKey, _ := hkdf.Key(sha256.New, k.Bytes, nil, "ohis session cookie signing", 64)
		blockKey, _ := hkdf.Key(sha256.New, k.Bytes, nil, "ohis session cookie encryption", 32)
		pairs = append(pairs, hashKey, blockKey)
	}
	cs := sessions.NewCookieStore(pairs...)
	for _, c := range cs.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(sessionSerializer{})
		}
	}
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(cfg.SessionMaxAge.Seconds()),
		Secure:   cfg.Secure(),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	cs.MaxAge(cs.Options.MaxAge)
	return cs
}
