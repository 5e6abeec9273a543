package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
)

func roleOptions() []admin.Option {
	out := make([]admin.Option, len(account.Roles))
	for i, r := range account.Roles {
		out[i] = admin.Option{Value: string(r), Label: r.Label()}
	}
	return out
}

func (s *Server) supplierOptions(r *http.Request) ([]admin.Option, error) {
	sups, err := s.store.SupplierList(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]admin.Option, len(sups))
	for i, sp := range sups {
		out[i] = admin.Option{Value: strconv.FormatInt(sp.ID, 10), Label: sp.Name}
	}
	return out, nil
}

func (s *Server) usersList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.UserFilter{}
	v := admin.UsersView{Roles: roleOptions()}
	if role := account.Role(q.Get("rol")); role.Valid() {
		f.Role, v.Role = role, string(role)
	}
	switch q.Get("status") {
	case "actief":
		t := true
		f.Active, v.Status = &t, "actief"
	case "inactief":
		f2 := false
		f.Active, v.Status = &f2, "inactief"
	}
	users, err := s.store.UserList(r.Context(), f)
	if err != nil {
		return err
	}
	for _, u := range users {
		v.Rows = append(v.Rows, userRow(u))
	}
	return s.render(w, r, admin.Users(s.withFlashes(w, r, s.pageFor(r, "Gebruikers")), v))
}

// newUserForm is the "new user" form as posted.
type newUserForm struct {
	Email    string `form:"email" label:"het e-mailadres" validate:"required,email,max=254"`
	Name     string `form:"name" label:"de naam" validate:"required,max=200"`
	Role     string `form:"role" label:"de rol" validate:"required,oneof=admin curator support supplier"`
	Supplier string `form:"supplier_id"`
	Invite   bool   `form:"-"`
	Password string `form:"password"`
}

func (s *Server) userFormView(r *http.Request, f newUserForm, errs components.Errors) (admin.UserFormView, error) {
	sups, err := s.supplierOptions(r)
	if err != nil {
		return admin.UserFormView{}, err
	}
	return admin.UserFormView{
		Email: components.Field{Name: "email", Label: "E-mailadres", Type: "email", Value: f.Email, Error: errs["email"], Required: true, Autocomplete: "off"},
		Name:  components.Field{Name: "name", Label: "Naam", Value: f.Name, Error: errs["name"], Required: true, Autocomplete: "off"},
		Role:  f.Role, Supplier: f.Supplier, Roles: roleOptions(), Suppliers: sups, Invite: f.Invite,
		RoleError: errs["role"], SupError: errs["supplier_id"],
		Password: components.Field{Name: "password", Label: "Wachtwoord (alleen als u geen uitnodiging stuurt)", Type: "password",
			Autocomplete: "new-password", Error: errs["password"]},
		Errors: errs.Summary("email", "name", "role", "supplier_id", "password"),
	}, nil
}

func (s *Server) userNewForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.userFormView(r, newUserForm{Role: string(account.RoleSupplier), Invite: true}, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, admin.UserForm(s.pageFor(r, "Gebruiker toevoegen"), v))
}

// parseSupplier checks the supplier field against the role.
func parseSupplier(role account.Role, raw string, errs components.Errors) *int64 {
	raw = strings.TrimSpace(raw)
	if role != account.RoleSupplier {
		if raw != "" {
			errs["supplier_id"] = "Alleen gebruikers met de rol Aanbieder horen bij een aanbieder; kies “— geen —”."
		}
		return nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		errs["supplier_id"] = "Kies de aanbieder waartoe deze gebruiker hoort."
		return nil
	}
	return &id
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	f := newUserForm{
		Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: r.PostFormValue("role"), Supplier: r.PostFormValue("supplier_id"),
		Invite: r.PostFormValue("invite") != "nee", Password: r.PostFormValue("password"),
	}
	errs := s.check(f)
	if errs == nil {
		errs = components.Errors{}
	}
	supplierID := parseSupplier(account.Role(f.Role), f.Supplier, errs)
	if !f.Invite {
		if err := auth.CheckPasswordPolicy(f.Password, f.Email); err != nil {
			errs["password"] = err.Error()
		}
	}
	if len(errs) == 0 {
		u, err := s.auth.CreateUser(r.Context(), s.actor(r), auth.NewAccount{
			Email: f.Email, Name: f.Name, Role: account.Role(f.Role), SupplierID: supplierID, Password: f.Password, Invite: f.Invite,
		})
		switch {
		case errors.Is(err, auth.ErrEmailTaken):
			errs["email"] = "Er bestaat al een gebruiker met dit e-mailadres."
		case errors.Is(err, account.ErrInvalidEmail):
			errs["email"] = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."
		case errors.Is(err, store.ErrNotFound):
			errs["supplier_id"] = "Deze aanbieder bestaat niet (meer). Kies een andere."
		case err != nil:
			return err
		default:
			msg := "Gebruiker " + u.Email + " is aangemaakt."
			if f.Invite {
				msg = "Uitnodiging verstuurd naar " + u.Email + ". De link is 7 dagen geldig."
			}
			s.flash(w, r, "success", msg)
			return redirect(w, r, "/beheer/gebruikers/"+strconv.FormatInt(u.ID, 10))
		}
	}
	v, err := s.userFormView(r, f, errs)
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, admin.UserForm(s.pageFor(r, "Gebruiker toevoegen"), v))
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) userView(r *http.Request, id int64, role, supplier string, errs components.Errors) (admin.UserView, error) {
	u, err := s.store.UserGet(r.Context(), id)
	if err != nil {
		return admin.UserView{}, err
	}
	if u.SupplierID != nil {
		sup, err := s.store.SupplierGet(r.Context(), *u.SupplierID)
		if err != nil {
			return admin.UserView{}, err
		}
		u.SupplierName = sup.Name
	}
	n, err := s.store.SessionCountForUser(r.Context(), id)
	if err != nil {
		return admin.UserView{}, err
	}
	sups, err := s.supplierOptions(r)
	if err != nil {
		return admin.UserView{}, err
	}
	if role == "" {
		role = string(u.Role)
		if u.SupplierID != nil {
			supplier = strconv.FormatInt(*u.SupplierID, 10)
		}
	}
	return admin.UserView{
		Row: userRow(u), Sessions: n, Self: currentUser(r).ID == id, Role: role, Supplier: supplier,
		Roles: roleOptions(), Suppliers: sups, RoleError: errs["role"], SupError: errs["supplier_id"],
	}, nil
}

func (s *Server) userShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.userView(r, id, "", "", nil)
	if err != nil {
		return err
	}
	return s.render(w, r, admin.User(s.withFlashes(w, r, s.pageFor(r, v.Row.Name)), v))
}
