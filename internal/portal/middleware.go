package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/conformance"
	"github.com/wujw/ohis/web/errorpage"
)

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxUser
	ctxToken
)

// contentSecurityPolicy allows only our own files: no inline script or
// style, no framing, forms post only to us.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// middleware wraps the mux, outermost first: recovery and logging, security
// headers, cross-origin protection, then the session.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.logger.Warn("cross-origin request refused", slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)),
			slog.String("sec_fetch_site", r.Header.Get("Sec-Fetch-Site")), slog.String("origin", r.Header.Get("Origin")))
		s.renderError(w, r, http.StatusForbidden, errorpage.CrossOrigin)
	}))
	// Shops deliver webhooks from their own servers; the signature over
	// the body, not the origin, decides (see webhooks.go).
	cop.AddInsecureBypassPattern("POST " + webhookPathPrefix + "{connection}")
	cop.AddInsecureBypassPattern("POST " + conformance.ReceiverPrefix + "{token}")
	return s.logRequests(s.securityHeaders(cop.Handler(s.loadSession(next))))
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives each request an id, recovers panics into a 500 page and
// logs one line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, "\r\n") {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), ctxRequestID, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger.Error("panic serving request", slog.String("request_id", id), slog.Any("panic", p))
				if sw.status == 0 {
					s.renderError(sw, r, http.StatusInternalServerError, errorpage.Internal)
				}
			}
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || strings.HasPrefix(r.URL.Path, "/static/") {
				level = slog.LevelDebug
			}
			s.logger.Log(r.Context(), level, "request", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("path", logPath(r.URL.Path)), slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
				slog.Duration("took", time.Since(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	secure := s.cfg.Secure()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// loadSession resolves the session cookie to a user, when there is one.
// Whether the route needs one is decided per route by authorize.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" ||
			strings.HasPrefix(r.URL.Path, webhookPathPrefix) {
			next.ServeHTTP(w, r)
			return
		}
		sess, _ := s.cookies.Get(r, sessionCookie) // a cookie we cannot read is no session
		token, _ := sess.Values["token"].(string)
		if token != "" {
			user, err := s.auth.Authenticate(r.Context(), token)
			switch {
			case err == nil:
				ctx := context.WithValue(r.Context(), ctxUser, &user)
				r = r.WithContext(context.WithValue(ctx, ctxToken, token))
			case errors.Is(err, auth.ErrSessionInvalid):
				delete(sess.Values, "token")
				sess.AddFlash("info:Uw sessie is verlopen of beëindigd. Log opnieuw in.")
				_ = sess.Save(r, w)
			default:
				s.logger.Error("loading session", slog.String("request_id", requestID(r.Context())), slog.Any("error", err))
				s.renderError(w, r, http.StatusInternalServerError, errorpage.Internal)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// currentUser is the logged-in user, or nil.
func currentUser(r *http.Request) *account.User {
	u, _ := r.Context().Value(ctxUser).(*account.User)
	return u
}

func sessionToken(r *http.Request) string {
	t, _ := r.Context().Value(ctxToken).(string)
	return t
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// clientIP is the address throttling and the audit log use: the peer, or
// the address the trusted proxy appended to X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxyHeaders {
		// The proxy appends the address it saw; everything left of it is
		// whatever the client sent, so only the right-most entry counts.
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(hops[len(hops)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secretPathPrefixes are paths whose last segment is a one-time token.
var secretPathPrefixes = []string{"/uitnodiging/", "/wachtwoord-herstellen/"}

// logPath is a request path fit for the log: one-time tokens in reset and
// invitation links are cut off, since anyone reading logs could otherwise
// use them.
func logPath(p string) string {
	for _, prefix := range secretPathPrefixes {
		if strings.HasPrefix(p, prefix) && len(p) > len(prefix) {
			return prefix + "…"
		}
	}
	return p
}
