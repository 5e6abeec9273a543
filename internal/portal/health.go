package portal

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/wujw/ohis/internal/store"
)

// healthz says the process is alive; it touches nothing else.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// readyz says the portal can serve: the database answers and its schema is
// current.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.logger.Warn("readiness: database unreachable", slog.Any("error", err))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, err = w.Write([]byte("database unreachable\n"))
		return err
	}
	current, err := store.MigrationsCurrent(ctx, s.pool)
	if err != nil || !current {
		s.logger.Warn("readiness: migrations not current", slog.Any("error", err))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, err = w.Write([]byte("migrations pending\n"))
		return err
	}
	_, err = w.Write([]byte("ready\n"))
	return err
}
