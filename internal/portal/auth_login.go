package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	webauth "github.com/wujw/ohis/web/auth"
)

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if currentUser(r) != nil {
		return redirect(w, r, safeNext(r.URL.Query().Get("next")))
	}
	p := s.withFlashes(w, r, s.pageFor(r, "Inloggen"))
	return s.render(w, r, webauth.Login(p, webauth.LoginView{Next: r.URL.Query().Get("next"), DemoLogins: s.demoLogins}))
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	view := webauth.LoginView{Email: email, Next: next, DemoLogins: s.demoLogins}
	if email == "" || password == "" {
		view.Error = "Vul uw e-mailadres en wachtwoord in."
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webauth.Login(s.pageFor(r, "Inloggen"), view))
	}
	token, _, err := s.auth.Login(r.Context(), email, password, s.clientIP(r), r.UserAgent())
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		view.Error = fmt.Sprintf("Te veel mislukte inlogpogingen. Om uw account te beschermen kunt u het over %d minuten opnieuw proberen, of uw wachtwoord herstellen.", throttled.Minutes(s.now()))
		w.Header().Set("Retry-After", fmt.Sprint(int(throttled.Until.Sub(s.now()).Seconds())+1))
		return s.renderStatus(w, r, http.StatusTooManyRequests, webauth.Login(s.pageFor(r, "Inloggen"), view))
	case errors.Is(err, auth.ErrInvalidCredentials):
		view.Error = "Het e-mailadres of het wachtwoord klopt niet. Let op hoofdletters, of herstel uw wachtwoord."
		return s.renderStatus(w, r, http.StatusUnauthorized, webauth.Login(s.pageFor(r, "Inloggen"), view))
	case err != nil:
		return err
	}
	// A fresh cookie for the fresh session: whatever session the browser
	// had before is gone (rotation on login).
	if old := sessionToken(r); old != "" {
		if err := s.store.SessionDelete(r.Context(), auth.HashToken(old)); err != nil {
			return err
		}
	}
	sess, _ := s.cookies.New(r, sessionCookie)
	sess.Values["token"] = token
	if err := sess.Save(r, w); err != nil {
		return fmt.Errorf("saving session cookie: %w", err)
	}
	return redirect(w, r, safeNext(next))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if token := sessionToken(r); token != "" {
		if err := s.auth.Logout(r.Context(), token, s.actor(r)); err != nil {
			return err
		}
	}
	sess, _ := s.cookies.Get(r, sessionCookie)
	delete(sess.Values, "token")
	sess.AddFlash("success:U bent uitgelogd.")
	if err := sess.Save(r, w); err != nil {
		return fmt.Errorf("saving session cookie: %w", err)
	}
	return redirect(w, r, "/inloggen")
}

// actor is the current user (or anonymous visitor) for the audit log.
func (s *Server) actor(r *http.Request) audit.Actor {
	a := audit.Actor{IP: s.clientIP(r)}
	if u := currentUser(r); u != nil {
		a.UserID, a.Email = &u.ID, u.Email
	}
	return a
}
