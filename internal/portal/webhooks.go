package portal

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/wujw/ohis/internal/syncer"
)

// webhookMaxBody bounds a webhook delivery (a product with many variations
// and long descriptions stays far below it).
const webhookMaxBody = 8 << 20

// webhookPathPrefix is where shops deliver webhooks: machine-to-machine,
// so no session and no cross-origin check (the signature is the check).
const webhookPathPrefix = "/webhooks/"

// registerWebhookRoutes registers the routes of this area (see routes.go).
func (s *Server) registerWebhookRoutes(mux *http.ServeMux) {
	s.public(mux, "POST /webhooks/{connection}", s.receiveWebhook)
}

// receiveWebhook hands a shop's delivery to the syncer, which verifies its
// signature over the raw body, stores it once and queues its processing;
// the answer never waits for the shop or the catalogue.
func (s *Server) receiveWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("connection"), 10, 64)
	if err != nil || id <= 0 {
		return webhookAnswer(w, http.StatusNotFound)
	}
	if s.syncer == nil {
		return webhookAnswer(w, http.StatusServiceUnavailable)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, webhookMaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return webhookAnswer(w, http.StatusRequestEntityTooLarge)
	case err != nil:
		return webhookAnswer(w, http.StatusBadRequest)
	}
	ctx := syncer.WithRemoteAddr(r.Context(), s.clientIP(r))
	return webhookAnswer(w, s.syncer.ReceiveWebhook(ctx, id, r.Header, body))
}

func webhookAnswer(w http.ResponseWriter, status int) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := io.WriteString(w, http.StatusText(status)+"\n")
	return err
}
