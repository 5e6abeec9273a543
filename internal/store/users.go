package store

import (
	"context"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// UserCredentials is a user with the password hash, which only the login
// path needs.
type UserCredentials struct {
	account.User
	PasswordHash string
}

func userFromRow(r dbsqlc.User) account.User {
	return account.User{
		ID:              r.ID,
		Email:           r.Email,
		Name:            r.Name,
		Role:            account.Role(r.Role),
		SupplierID:      r.SupplierID,
		PasswordSet:     r.PasswordHash != nil,
		Active:          r.Active,
		CreatedAt:       r.CreatedAt,
		LastLoginAt:     r.LastLoginAt,
		PreviousLoginAt: r.PreviousLoginAt,
	}
}

// NewUser describes an account to create. PasswordHash may be empty for an
// invited user.
type NewUser struct {
	Email        string
	Name         string
	Role         account.Role
	SupplierID   *int64
	PasswordHash string
}

// UserCreate creates a user; an e-mail address already in use is ErrConflict.
func (s *Store) UserCreate(ctx context.Context, u NewUser) (account.User, error) {
	var hash *string
	if u.PasswordHash != "" {
		hash = &u.PasswordHash
	}
	row, err := s.q.UserCreate(ctx, dbsqlc.UserCreateParams{
		Email: u.Email, Name: u.Name, Role: string(u.Role), SupplierID: u.SupplierID, PasswordHash: hash,
	})
	if err != nil {
		return account.User{}, interpret(err, "creating user")
	}
	return userFromRow(row), nil
}

// UserGet returns one user.
func (s *Store) UserGet(ctx context.Context, id int64) (account.User, error) {
	row, err := s.q.UserGet(ctx, id)
	if err != nil {
		return account.User{}, interpret(err, "getting user")
	}
	return userFromRow(row), nil
}

// UserCredentialsByEmail returns the user with that (normalised) address and
// its password hash.
func (s *Store) UserCredentialsByEmail(ctx context.Context, email string) (UserCredentials, error) {
	row, err := s.q.UserGetByEmail(ctx, email)
	if err != nil {
		return UserCredentials{}, interpret(err, "getting user by e-mail")
	}
	c := UserCredentials{User: userFromRow(row)}
	if row.PasswordHash != nil {
		c.PasswordHash = *row.PasswordHash
	}
	return c, nil
}

// UserCredentials returns a user by id with its password hash.
func (s *Store) UserCredentials(ctx context.Context, id int64) (UserCredentials, error) {
	row, err := s.q.UserGet(ctx, id)
	if err != nil {
		return UserCredentials{}, interpret(err, "getting user")
	}
	c := UserCredentials{User: userFromRow(row)}
	if row.PasswordHash != nil {
		c.PasswordHash = *row.PasswordHash
	}
	return c, nil
}

// UserFilter narrows UserList; zero values mean "any".
type UserFilter struct {
	Role   account.Role
	Active *bool
}

// UserList returns users with their supplier's name, ordered by e-mail.
func (s *Store) UserList(ctx context.Context, f UserFilter) ([]account.User, error) {
	var role *string
	if f.Role != "" {
		r := string(f.Role)
		role = &r
	}
	rows, err := s.q.UserList(ctx, dbsqlc.UserListParams{Role: role, Active: f.Active})
	if err != nil {
		return nil, interpret(err, "listing users")
	}
	users := make([]account.User, len(rows))
	for i, r := range rows {
		users[i] = userFromRow(dbsqlc.User{
			ID: r.ID, Email: r.Email, Name: r.Name, Role: r.Role, SupplierID: r.SupplierID,
			PasswordHash: r.PasswordHash, Active: r.Active, CreatedAt: r.CreatedAt, LastLoginAt: r.LastLoginAt,
		})
		users[i].SupplierName = r.SupplierName
	}
	return users, nil
}

// UserSetPassword stores a new password hash.
func (s *Store) UserSetPassword(ctx context.Context, id int64, hash string) error {
	return interpret(s.q.UserSetPassword(ctx, dbsqlc.UserSetPasswordParams{ID: id, PasswordHash: &hash}), "setting password")
}

// UserSetActive activates or deactivates a user.
func (s *Store) UserSetActive(ctx context.Context, id int64, active bool) (account.User, error) {
	row, err := s.q.UserSetActive(ctx, dbsqlc.UserSetActiveParams{ID: id, Active: active})
	if err != nil {
		return account.User{}, interpret(err, "setting user active")
	}
	return userFromRow(row), nil
}

// UserSetRole changes a user's role and supplier.
func (s *Store) UserSetRole(ctx context.Context, id int64, role account.Role, supplierID *int64) (account.User, error) {
	row, err := s.q.UserSetRole(ctx, dbsqlc.UserSetRoleParams{ID: id, Role: string(role), SupplierID: supplierID})
	if err != nil {
		return account.User{}, interpret(err, "setting user role")
	}
	return userFromRow(row), nil
}

// UserTouchLogin records a successful login.
func (s *Store) UserTouchLogin(ctx context.Context, id int64) error {
	return interpret(s.q.UserTouchLogin(ctx, id), "recording login")
}

// SupplierCreate creates a supplier organisation.
func (s *Store) SupplierCreate(ctx context.Context, name string) (account.Supplier, error) {
	row, err := s.q.SupplierCreate(ctx, name)
	if err != nil {
		return account.Supplier{}, interpret(err, "creating supplier")
	}
	return account.Supplier{ID: row.ID, Name: row.Name, CreatedAt: row.CreatedAt}, nil
}

// SupplierGet returns one supplier organisation.
func (s *Store) SupplierGet(ctx context.Context, id int64) (account.Supplier, error) {
	row, err := s.q.SupplierGet(ctx, id)
	if err != nil {
		return account.Supplier{}, interpret(err, "getting supplier")
	}
	return account.Supplier{ID: row.ID, Name: row.Name, CreatedAt: row.CreatedAt}, nil
}

// SupplierGetByName returns the supplier with exactly that name.
func (s *Store) SupplierGetByName(ctx context.Context, name string) (account.Supplier, error) {
	row, err := s.q.SupplierGetByName(ctx, name)
	if err != nil {
		return account.Supplier{}, interpret(err, "getting supplier by name")
	}
	return account.Supplier{ID: row.ID, Name: row.Name, CreatedAt: row.CreatedAt}, nil
}

// SupplierList returns all supplier organisations by name.
func (s *Store) SupplierList(ctx context.Context) ([]account.Supplier, error) {
	rows, err := s.q.SupplierList(ctx)
	if err != nil {
		return nil, interpret(err, "listing suppliers")
	}
	out := make([]account.Supplier, len(rows))
	for i, r := range rows {
		out[i] = account.Supplier{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// Dashboard is what the admin start page counts.
type Dashboard struct {
	ActiveByRole map[account.Role]int
	Suppliers    int
	MailUnsent   int
}

// UserDashboard returns the admin start page's figures in one query.
func (s *Store) UserDashboard(ctx context.Context) (Dashboard, error) {
	r, err := s.q.UserDashboardCounts(ctx)
	if err != nil {
		return Dashboard{}, interpret(err, "counting for the dashboard")
	}
	return Dashboard{
		ActiveByRole: map[account.Role]int{
			account.RoleAdmin: int(r.Admins), account.RoleCurator: int(r.Curators),
			account.RoleSupport: int(r.Support), account.RoleSupplier: int(r.Suppliers),
		},
		Suppliers: int(r.SupplierOrgs), MailUnsent: int(r.MailUnsent),
	}, nil
}

// SupplierHomeFacts are the supplier start page's figures.
type SupplierHomeFacts struct {
	TeamSize      int
	AcceptanceKey bool // a live API key for the acceptance environment exists
}

// SupplierHomeFacts returns them in one query.
func (s *Store) SupplierHomeFacts(ctx context.Context, supplierID int64) (SupplierHomeFacts, error) {
	r, err := s.q.SupplierHomeFacts(ctx, &supplierID)
	if err != nil {
		return SupplierHomeFacts{}, interpret(err, "reading supplier start page facts")
	}
	return SupplierHomeFacts{TeamSize: int(r.TeamSize), AcceptanceKey: r.AcceptanceKey}, nil
}
