package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/auth"
	webauth "github.com/wujw/ohis/web/auth"
	"github.com/wujw/ohis/web/components"
)

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	p := s.withFlashes(w, r, s.pageFor(r, "Wachtwoord vergeten"))
	return s.render(w, r, webauth.Forgot(p, webauth.ForgotView{Email: forgotField("", "")}))
}

func forgotField(value, errMsg string) components.Field {
	return components.Field{Name: "email", Label: "E-mailadres", Type: "email", Value: value, Error: errMsg, Autocomplete: "username", Required: true}
}

func (s *Server) forgotSubmit(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	err := s.auth.RequestReset(r.Context(), email, s.clientIP(r))
	if errors.Is(err, account.ErrInvalidEmail) {
		msg := "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."
		v := webauth.ForgotView{Email: forgotField(email, msg), Errors: []components.FieldError{{Name: "email", Message: msg}}}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webauth.Forgot(s.pageFor(r, "Wachtwoord vergeten"), v))
	}
	if err != nil {
		return err
	}
	// The same answer whether or not the address is known.
	return s.render(w, r, webauth.Forgot(s.pageFor(r, "Wachtwoord vergeten"), webauth.ForgotView{Sent: true}))
}

// passwordLink describes one of the two one-time-link flows.
type passwordLink struct {
	title, intro, prefix, done string
	lookup                     func(s *Server, r *http.Request, token string) (account.User, error)
	use                        func(s *Server, r *http.Request, token, password string) (account.User, error)
}

var (
	resetLink = passwordLink{
		title:  "Nieuw wachtwoord kiezen",
		intro:  "Kies een nieuw wachtwoord van minstens 10 tekens. Daarna wordt u overal uitgelogd en kunt u inloggen met het nieuwe wachtwoord.",
		prefix: "/wachtwoord-herstellen/",
		done:   "Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord.",
		lookup: func(s *Server, r *http.Request, t string) (account.User, error) {
			return s.auth.ResetUser(r.Context(), t)
		},
		use: func(s *Server, r *http.Request, t, pw string) (account.User, error) {
			return s.auth.ResetPassword(r.Context(), t, pw, s.clientIP(r))
		},
	}
	inviteLink = passwordLink{
		title:  "Welkom — kies uw wachtwoord",
		intro:  "U bent uitgenodigd voor het portaal van Winst uit je woning. Kies een wachtwoord van minstens 10 tekens om uw account te activeren.",
		prefix: "/uitnodiging/",
		done:   "Uw account is geactiveerd. Log in met uw e-mailadres en het gekozen wachtwoord.",
		lookup: func(s *Server, r *http.Request, t string) (account.User, error) {
			return s.auth.InviteUser(r.Context(), t)
		},
		use: func(s *Server, r *http.Request, t, pw string) (account.User, error) {
			return s.auth.AcceptInvite(r.Context(), t, pw, s.clientIP(r))
		},
	}
)

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	return s.linkForm(w, r, resetLink)
}
func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.linkSubmit(w, r, resetLink)
}
func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) error {
	return s.linkForm(w, r, inviteLink)
}
func (s *Server) inviteSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.linkSubmit(w, r, inviteLink)
}

func (l passwordLink) view(token, email string, errs components.Errors) webauth.SetPasswordView {
	return webauth.SetPasswordView{
		Heading: l.title, Intro: l.intro, Action: l.prefix + token, Email: email,
		Password: components.Field{Name: "password", Label: "Nieuw wachtwoord", Type: "password", Autocomplete: "new-password",
			Hint: "Minstens 10 tekens. Een zin van een paar woorden is sterk en goed te onthouden.", Required: true, Error: errs["password"]},
		Confirm: components.Field{Name: "confirm", Label: "Herhaal het wachtwoord", Type: "password", Autocomplete: "new-password",
			Required: true, Error: errs["confirm"]},
		Errors: errs.Summary("password", "confirm"),
	}
}

func (s *Server) linkForm(w http.ResponseWriter, r *http.Request, l passwordLink) error {
	token := r.PathValue("token")
	// The token is in the URL: keep it out of Referer headers to anyone.
	w.Header().Set("Referrer-Policy", "no-referrer")
	u, err := l.lookup(s, r, token)
	if errors.Is(err, auth.ErrTokenInvalid) {
		return s.renderStatus(w, r, http.StatusNotFound, webauth.SetPassword(s.pageFor(r, l.title), webauth.SetPasswordView{Heading: l.title, Invalid: true}))
	}
	if err != nil {
		return err
	}
	return s.render(w, r, webauth.SetPassword(s.pageFor(r, l.title), l.view(token, u.Email, nil)))
}

func (s *Server) linkSubmit(w http.ResponseWriter, r *http.Request, l passwordLink) error {
	token := r.PathValue("token")
	w.Header().Set("Referrer-Policy", "no-referrer")
	password, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	errs := components.Errors{}
	if password != confirm {
		errs["confirm"] = "De wachtwoorden zijn niet gelijk."
	}
	if err := auth.CheckPasswordPolicy(password, ""); err != nil {
		errs["password"] = err.Error()
	}
	var u account.User
	var err error
	if len(errs) == 0 {
		u, err = l.use(s, r, token, password)
		var weak auth.ErrWeakPassword
		if errors.As(err, &weak) {
			errs["password"] = weak.Reason
		} else if errors.Is(err, auth.ErrTokenInvalid) {
			return s.renderStatus(w, r, http.StatusNotFound, webauth.SetPassword(s.pageFor(r, l.title), webauth.SetPasswordView{Heading: l.title, Invalid: true}))
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		if u.Email == "" {
			if u, err = l.lookup(s, r, token); errors.Is(err, auth.ErrTokenInvalid) {
				return s.renderStatus(w, r, http.StatusNotFound, webauth.SetPassword(s.pageFor(r, l.title), webauth.SetPasswordView{Heading: l.title, Invalid: true}))
			} else if err != nil {
				return err
			}
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webauth.SetPassword(s.pageFor(r, l.title), l.view(token, u.Email, errs)))
	}
	s.flash(w, r, "success", l.done)
	return redirect(w, r, "/inloggen")
}
