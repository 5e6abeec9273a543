package portal

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/wujw/ohis/internal/auth"
	webaccount "github.com/wujw/ohis/web/account"
	"github.com/wujw/ohis/web/components"
)

func (s *Server) accountView(r *http.Request, errs components.Errors) (webaccount.View, error) {
	u := currentUser(r)
	n, err := s.store.SessionCountForUser(r.Context(), u.ID)
	if err != nil {
		return webaccount.View{}, err
	}
	v := webaccount.View{
		Name: u.DisplayName(), Email: u.Email, RoleLabel: u.Role.Label(), Sessions: n,
		Current: components.Field{Name: "current", Label: "Huidig wachtwoord", Type: "password", Autocomplete: "current-password", Required: true, Error: errs["current"]},
		Password: components.Field{Name: "password", Label: "Nieuw wachtwoord", Type: "password", Autocomplete: "new-password", Required: true,
			Hint: "Minstens 10 tekens. Uw andere sessies worden daarna beëindigd.", Error: errs["password"]},
		Confirm: components.Field{Name: "confirm", Label: "Herhaal het nieuwe wachtwoord", Type: "password", Autocomplete: "new-password", Required: true, Error: errs["confirm"]},
		Errors:  errs.Summary("current", "password", "confirm"),
	}
	if u.SupplierID != nil {
		sup, err := s.store.SupplierGet(r.Context(), *u.SupplierID)
		if err != nil {
			return webaccount.View{}, err
		}
		v.SupplierName = sup.Name
	}
	return v, nil
}

func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) error {
	v, err := s.accountView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, webaccount.Page(s.withFlashes(w, r, s.pageFor(r, "Mijn account")), v))
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) error {
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("confirm")
	errs := components.Errors{}
	if current == "" {
		errs["current"] = "Vul uw huidige wachtwoord in."
	}
	if next != confirm {
		errs["confirm"] = "De nieuwe wachtwoorden zijn niet gelijk."
	}
	if len(errs) == 0 {
		err := s.auth.ChangePassword(r.Context(), s.actor(r), current, next, sessionToken(r))
		var weak auth.ErrWeakPassword
		var throttled *auth.ThrottledError
		switch {
		case errors.Is(err, auth.ErrWrongPassword):
			errs["current"] = "Uw huidige wachtwoord klopt niet."
		case errors.As(err, &throttled):
			errs["current"] = fmt.Sprintf("Te veel onjuiste pogingen. Probeer het over %d minuten opnieuw.", throttled.Minutes(s.now()))
		case errors.As(err, &weak):
			errs["password"] = weak.Reason
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		v, err := s.accountView(r, errs)
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webaccount.Page(s.pageFor(r, "Mijn account"), v))
	}
	s.flash(w, r, "success", "Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd.")
	return redirect(w, r, "/account")
}

func (s *Server) accountLogoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	if err := s.auth.LogoutEverywhere(r.Context(), s.actor(r)); err != nil {
		return err
	}
	sess, _ := s.cookies.Get(r, sessionCookie)
	delete(sess.Values, "token")
	sess.AddFlash("success:U bent op alle apparaten uitgelogd.")
	_ = sess.Save(r, w)
	return redirect(w, r, "/inloggen")
}
