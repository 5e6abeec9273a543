package portal

import (
	"net/http"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
	"github.com/wujw/ohis/web/home"
)

// staffTasks is what each staff role is responsible for (SPEC §1).
var staffTasks = map[account.Role][]string{
	account.RoleCurator: {
		"Bepalen welke gesynchroniseerde producten op het inwisselplatform verschijnen.",
		"Categorieën van aanbieders koppelen aan de platformcategorieën.",
	},
	account.RoleSupport: {
		"Aanbieders helpen bij het koppelen van hun webshop.",
		"Ondersteuningsuren boven de 8 inbegrepen uren registreren.",
		"Vragen van aanbieders binnen 5 werkdagen beantwoorden.",
	},
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	p := s.withFlashes(w, r, s.pageFor(r, "Start"))
	switch u.Role {
	case account.RoleAdmin:
		v, err := s.adminHome(r, u)
		if err != nil {
			return err
		}
		return s.render(w, r, home.Admin(p, v))
	case account.RoleSupplier:
		team, err := s.supplierUsers(r, *u.SupplierID)
		if err != nil {
			return err
		}
		return s.render(w, r, home.Supplier(p, home.SupplierView{
			Name: u.DisplayName(), SupplierName: p.User.SupplierName, TeamSize: len(team), LastLogin: u.PreviousLoginAt,
		}))
	default:
		return s.render(w, r, home.Staff(p, home.StaffView{
			Name: u.DisplayName(), RoleLabel: u.Role.Label(), Tasks: staffTasks[u.Role], LastLogin: u.PreviousLoginAt,
		}))
	}
}

func (s *Server) adminHome(r *http.Request, u *account.User) (home.AdminView, error) {
	ctx := r.Context()
	active := true
	users, err := s.store.UserList(ctx, store.UserFilter{Active: &active})
	if err != nil {
		return home.AdminView{}, err
	}
	counts := map[account.Role]int{}
	for _, x := range users {
		counts[x.Role]++
	}
	v := home.AdminView{Name: u.DisplayName()}
	for _, role := range account.Roles {
		v.Users = append(v.Users, home.RoleCount{Label: role.Label(), Count: counts[role]})
	}
	sups, err := s.store.SupplierList(ctx)
	if err != nil {
		return home.AdminView{}, err
	}
	v.Suppliers = len(sups)
	mails, err := s.store.MailOutboxList(ctx, 200)
	if err != nil {
		return home.AdminView{}, err
	}
	for _, m := range mails {
		if m.Status != "sent" {
			v.OutboxWaiting++
		}
	}
	recent, err := s.store.AuditList(ctx, audit.Filter{Limit: 8})
	if err != nil {
		return home.AdminView{}, err
	}
	for _, e := range recent {
		v.Recent = append(v.Recent, home.AuditRow{At: e.At, Actor: actorLabel(e.Actor), Action: e.Action.Label()})
	}
	return v, nil
}

func actorLabel(a audit.Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return "systeem"
}

// supplierUsers lists the users of one supplier organisation. The id always
// comes from the logged-in user, never from the request.
func (s *Server) supplierUsers(r *http.Request, supplierID int64) ([]account.User, error) {
	all, err := s.store.UserList(r.Context(), store.UserFilter{Role: account.RoleSupplier})
	if err != nil {
		return nil, err
	}
	var out []account.User
	for _, u := range all {
		if u.SupplierID != nil && *u.SupplierID == supplierID {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Server) supplierTeam(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	team, err := s.supplierUsers(r, *u.SupplierID)
	if err != nil {
		return err
	}
	rows := make([]admin.UserRow, len(team))
	for i, t := range team {
		rows[i] = userRow(t)
	}
	return s.render(w, r, home.Team(s.withFlashes(w, r, s.pageFor(r, "Team")), rows))
}

func userRow(u account.User) admin.UserRow {
	return admin.UserRow{
		ID: u.ID, Name: u.DisplayName(), Email: u.Email, RoleLabel: u.Role.Label(), SupplierName: u.SupplierName,
		Active: u.Active, Invited: !u.PasswordSet, LastLogin: components.DateTimePtr(u.LastLoginAt),
	}
}
