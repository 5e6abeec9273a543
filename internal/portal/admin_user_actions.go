package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
)

func (s *Server) userDeactivate(w http.ResponseWriter, r *http.Request) error {
	return s.userSetActive(w, r, false)
}

func (s *Server) userActivate(w http.ResponseWriter, r *http.Request) error {
	return s.userSetActive(w, r, true)
}

func (s *Server) userSetActive(w http.ResponseWriter, r *http.Request, active bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.auth.SetActive(r.Context(), s.actor(r), id, active)
	switch {
	case errors.Is(err, auth.ErrSelf):
		s.flash(w, r, "error", "U kunt uw eigen account niet deactiveren.")
	case err != nil:
		return err
	case active:
		s.flash(w, r, "success", u.Email+" is weer actief.")
	default:
		s.flash(w, r, "success", u.Email+" is gedeactiveerd; alle sessies zijn beëindigd.")
	}
	return redirect(w, r, "/beheer/gebruikers/"+strconv.FormatInt(id, 10))
}

func (s *Server) userSetRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	roleRaw, supRaw := r.PostFormValue("role"), r.PostFormValue("supplier_id")
	role := account.Role(roleRaw)
	errs := components.Errors{}
	if !role.Valid() {
		errs["role"] = "Kies een geldige rol."
	}
	supplierID := parseSupplier(role, supRaw, errs)
	if supplierID != nil && len(errs) == 0 {
		// An unknown supplier is a form error, not a foreign-key failure (500).
		if _, err := s.store.SupplierGet(r.Context(), *supplierID); errors.Is(err, store.ErrNotFound) {
			errs["supplier_id"] = "Deze aanbieder bestaat niet (meer). Kies een andere."
		} else if err != nil {
			return err
		}
	}
	if len(errs) == 0 {
		_, err := s.auth.SetRole(r.Context(), s.actor(r), id, role, supplierID)
		switch {
		case errors.Is(err, auth.ErrSelf):
			// One's own page has no role form to show the error next to
			// (see userView's Self), so say it the way deactivation does.
			s.flash(w, r, "error", "U kunt uw eigen rol niet wijzigen; vraag een andere beheerder.")
			return redirect(w, r, "/beheer/gebruikers/"+strconv.FormatInt(id, 10))
		case errors.Is(err, store.ErrNotFound):
			return err
		case err != nil:
			return err
		default:
			s.flash(w, r, "success", "De rol is gewijzigd naar "+role.Label()+". De gebruiker is uitgelogd.")
			return redirect(w, r, "/beheer/gebruikers/"+strconv.FormatInt(id, 10))
		}
	}
	v, err := s.userView(r, id, roleRaw, supRaw, errs)
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, admin.User(s.pageFor(r, v.Row.Name), v))
}

func (s *Server) userReinvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.auth.Reinvite(r.Context(), s.actor(r), id)
	switch {
	case errors.Is(err, auth.ErrAlreadyActivated):
		s.flash(w, r, "error", "Deze gebruiker heeft al een wachtwoord gekozen; een uitnodiging is niet meer nodig. Bij een vergeten wachtwoord kan de gebruiker zelf een herstellink aanvragen.")
	case errors.Is(err, auth.ErrTokenInvalid):
		s.flash(w, r, "error", "Deze gebruiker is gedeactiveerd. Activeer het account eerst.")
	case err != nil:
		return err
	default:
		s.flash(w, r, "success", "Er is een nieuwe uitnodiging verstuurd; eerdere links werken niet meer.")
	}
	return redirect(w, r, "/beheer/gebruikers/"+strconv.FormatInt(id, 10))
}
