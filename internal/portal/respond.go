package portal

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/errorpage"
	"github.com/wujw/ohis/web/layout"
)

// handlerFunc is a handler that may fail; wrap turns its error into a page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

var (
	errNotFound  = errors.New("page not found")
	errForbidden = errors.New("forbidden")
)

// wrap maps a handler's error to a status and a friendly Dutch page. Only
// server errors are logged with their detail; users never see err.Error().
func (s *Server) wrap(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		switch {
		case err == nil:
		case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound):
			s.renderError(w, r, http.StatusNotFound, errorpage.NotFound)
		case errors.Is(err, errForbidden):
			s.renderError(w, r, http.StatusForbidden, errorpage.Forbidden)
		case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
			// The client went away; nothing to answer.
		default:
			s.logger.Error("handling request", slog.String("request_id", requestID(r.Context())),
				slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)), slog.Any("error", err))
			s.renderError(w, r, http.StatusInternalServerError, errorpage.Internal)
		}
	})
}

// authorize lets a request through only for a logged-in user whose role the
// route allows. Anonymous visitors are sent to the login page (and back
// afterwards); other roles get a 403.
func (s *Server) authorize(route Route, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := currentUser(r)
		if u == nil {
			if isHTMX(r) {
				w.Header().Set("HX-Redirect", "/inloggen")
				w.WriteHeader(http.StatusUnauthorized)
				return nil
			}
			target := "/inloggen"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}
		if !route.Allows(u.Role) {
			return errForbidden
		}
		return h(w, r)
	}
}

// renderError writes an error page for the status.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, kind errorpage.Kind) {
	p := layout.Page{Title: kind.Title()}
	if u := currentUser(r); u != nil {
		p = s.pageFor(r, kind.Title())
	}
	s.renderStatus(w, r, status, errorpage.Page(p, kind, requestID(r.Context())))
}

// render writes a component with 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	return s.renderStatus(w, r, http.StatusOK, c)
}

// renderStatus renders into a buffer first, so a failing template yields a
// clean 500 instead of half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// isHTMX reports whether the request wants a fragment: htmx asked, and it is
// not restoring history (which needs the full page).
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// pageFor builds the shell's view model for the current user.
func (s *Server) pageFor(r *http.Request, title string) layout.Page {
	p := layout.Page{Title: title, Current: r.URL.Path, Demo: s.cfg.Demo}
	if u := currentUser(r); u != nil {
		// The session lookup already joined the supplier's name.
		p.User = &layout.UserBox{Name: u.DisplayName(), RoleLabel: u.Role.Label(), SupplierName: u.SupplierName}
		for _, it := range navFor(u.Role) {
			p.Nav = append(p.Nav, layout.NavItem{Label: it.label, Href: it.href, Prefix: it.prefix})
			// Suppliers on the custom route submit their own API for review.
			if it.href == "/koppeling/sleutels" && s.customRoute(u) {
				p.Nav = append(p.Nav, layout.NavItem{Label: "Eigen API", Href: "/koppeling/eigen-api"})
			}
		}
	}
	return p
}

// withFlashes adds and consumes the session's one-time messages. It writes
// the cookie, so call it before rendering.
func (s *Server) withFlashes(w http.ResponseWriter, r *http.Request, p layout.Page) layout.Page {
	sess, _ := s.cookies.Get(r, sessionCookie)
	flashes := sess.Flashes()
	if len(flashes) == 0 {
		return p
	}
	for _, f := range flashes {
		str, _ := f.(string)
		kind, text, ok := strings.Cut(str, ":")
		if !ok {
			kind, text = "info", str
		}
		p.Flashes = append(p.Flashes, layout.Flash{Kind: kind, Text: text})
	}
	_ = sess.Save(r, w)
	return p
}

// flash stores a one-time message for the next page.
func (s *Server) flash(w http.ResponseWriter, r *http.Request, kind, text string) {
	sess, _ := s.cookies.Get(r, sessionCookie)
	sess.AddFlash(kind + ":" + text)
	_ = sess.Save(r, w)
}

// redirect answers a form post with 303 (post/redirect/get), telling htmx
// to follow as a full navigation.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusOK)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// safeNext returns a local path to continue to after login, never another
// site. Backslashes and control characters are refused anywhere: browsers
// read a backslash as a slash and drop tabs and newlines, and http.Redirect
// cleans "/a/../" followed by a backslash down to "/" and a backslash, so
// either could turn a local path into "//host".
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

// customRoute reports whether a supplier user's organisation integrates
// through its own API (the platform comes with the session lookup).
func (s *Server) customRoute(u *account.User) bool {
	return u.SupplierPlatform != "" && admission.Platform(u.SupplierPlatform).Route() == admission.RouteCustom
}
